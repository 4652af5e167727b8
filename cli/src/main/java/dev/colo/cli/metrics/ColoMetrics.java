package dev.colo.cli.metrics;

import dev.colo.checkpoint.ColoStatus;
import dev.colo.checkpoint.protocol.Trigger;
import dev.colo.cli.metrics.Families.LabelledValue;
import dev.colo.cli.node.CompareNode;
import dev.colo.cli.node.PrimaryRunner;
import dev.colo.cli.node.SecondaryRunner;
import dev.colo.compare.CheckpointReason;
import dev.colo.compare.CompareStats;
import dev.colo.compare.OutputComparator;
import dev.colo.compare.packet.Malformation;
import dev.colo.proxy.io.FramePort;
import dev.colo.proxy.link.FrameLink;
import dev.colo.proxy.node.NodeStats;
import dev.colo.proxy.node.PrimaryNode;
import dev.colo.proxy.node.SecondaryNode;
import dev.colo.proxy.node.SourceGate;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The metrics of {@code colo primary}, {@code colo secondary} and {@code colo compare}, as a registry for
 * {@link MetricsServer}. Everything is read at scrape time from the counters, gauges and histograms the node
 * keeps for its status line (lock-free atomics, or single-writer fields read racily: a scrape may be a frame
 * behind); the only thing recorded anew is the checkpoint pause, once per checkpoint. Names have the
 * {@code colo_} prefix and their unit ({@code _seconds}, {@code _bytes}, {@code _total} for counters).
 */
public final class ColoMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Families families = new Families();

    private ColoMetrics() {
        registry.register(families);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** {@code colo compare}: its comparator, outdev, and the back-pressure on its two inputs. */
    public static ColoMetrics compare(CompareNode node) {
        ColoMetrics m = new ColoMetrics();
        m.role("compare");
        OutputComparator c = node.comparator();
        m.comparator(() -> c);
        m.families.counter("colo_frames_out_total", "Frames handed to a destination (released output, mirrored input, ...)",
                node::released, "to", "outdev");
        m.families.counter("colo_dropped_frames_total", "Frames dropped, by cause", node::outdevRefused, "cause", "outdev_refused");
        m.link("outdev", node::outdev);
        m.gate(node::primaryGate, "primary-in");
        m.gate(node::secondaryGate, "secondary-in");
        return m;
    }

    /** {@code colo primary}: its node, comparator, links, ports, gates and coordinator; {@code pauses} is its coordinator listener. */
    public static ColoMetrics primary(PrimaryRunner runner, FramePort vmPort, FramePort netPort, CheckpointPauses pauses) {
        ColoMetrics m = new ColoMetrics();
        PrimaryNode node = runner.node();
        OutputComparator c = node.comparator();
        m.comparator(() -> c);
        m.node(node.stats());
        m.link("mirror", node::mirror);
        m.link("redirect", runner::redirect);
        m.port("vm", vmPort);
        m.port("network", netPort);
        m.gate(node::networkGate, "network");
        m.gate(node::vmGate, "vm");
        m.gate(node::redirectGate, "redirect");
        m.coordinator(runner.coordinator()::status);
        pauses.attach(runner.coordinator()::status);
        m.registry.register(pauses.histogram());
        return m;
    }

    /** {@code colo secondary}: its node, links, ports, gates and coordinator. */
    public static ColoMetrics secondary(SecondaryRunner runner, FramePort vmPort, FramePort netPort) {
        ColoMetrics m = new ColoMetrics();
        SecondaryNode node = runner.node();
        m.node(node.stats());
        m.link("mirror", runner::mirror);
        m.link("redirect", node::redirect);
        m.port("vm", vmPort);
        m.port("network", netPort);
        m.gate(node::mirrorGate, "mirror");
        m.gate(node::vmGate, "vm");
        m.gate(node::networkGate, "network");
        m.coordinator(runner.coordinator()::status);
        return m;
    }

    private void role(String role) {
        families.gauge("colo_state", "The node's role and state (1 for the current one)", () -> 1, "role", role, "state", "RUNNING");
    }

    private void comparator(Supplier<OutputComparator> comparator) {
        OutputComparator c = comparator.get();
        if (c == null) {
            return;
        }
        CompareStats s = c.stats();
        Families f = families;
        f.counter("colo_compared_frames_total", "Output frames that entered the comparator, per side", () -> s.get(CompareStats.FRAMES_PRIMARY), "side", "primary");
        f.counter("colo_compared_frames_total", "", () -> s.get(CompareStats.FRAMES_SECONDARY), "side", "secondary");
        f.counter("colo_compared_bytes_total", "Output bytes that entered the comparator, per side", () -> s.get(CompareStats.BYTES_PRIMARY), "side", "primary");
        f.counter("colo_compared_bytes_total", "", () -> s.get(CompareStats.BYTES_SECONDARY), "side", "secondary");
        f.counter("colo_released_frames_total", "Primary frames released, by kind: compared equal, flushed by a committed checkpoint, unprotected",
                () -> s.get(CompareStats.RELEASED_COMPARED), "kind", "compared");
        f.counter("colo_released_frames_total", "", () -> s.get(CompareStats.RELEASED_FLUSHED), "kind", "checkpoint");
        f.counter("colo_released_frames_total", "", () -> s.get(CompareStats.RELEASED_UNPROTECTED), "kind", "unprotected");
        f.counter("colo_secondary_consumed_frames_total", "Secondary frames matched by comparison", () -> s.get(CompareStats.SECONDARY_CONSUMED));
        for (CheckpointReason r : CheckpointReason.values()) {
            String reason = r.name().toLowerCase(Locale.ROOT);
            f.counter("colo_divergences_total", "Divergences, by reason", () -> s.divergences(r), "reason", reason);
            f.counter("colo_checkpoint_requests_total", "Checkpoints the comparator asked for, by reason", () -> s.checkpoints(r), "reason", reason);
        }
        f.counter("colo_checkpoint_requests_coalesced_total", "Checkpoint requests merged into one already pending",
                () -> s.get(CompareStats.CHECKPOINTS_COALESCED));
        f.counter("colo_checkpoint_flushes_total", "Committed checkpoints that flushed held output", () -> s.get(CompareStats.FLUSHES));
        f.counter("colo_dropped_frames_total", "Frames dropped, by cause", () -> s.get(CompareStats.LOST), "cause", "lost");
        f.counter("colo_dropped_frames_total", "", () -> s.get(CompareStats.SECONDARY_FLUSHED), "cause", "secondary_flushed");
        f.counter("colo_dropped_frames_total", "", () -> s.get(CompareStats.SUPERSEDED_ACKS), "cause", "superseded_ack");
        for (Malformation mf : Malformation.values()) {
            f.counter("colo_malformed_frames_total", "Malformed frames (compared whole), by cause", () -> s.malformed(mf),
                    "cause", mf.name().toLowerCase(Locale.ROOT));
        }
        f.counter("colo_rules_fired_total", "Differences excused by an --ignore rule", () -> s.get(CompareStats.RULES_FIRED));
        f.gauge("colo_held_frames", "Frames held by the comparator now (both sides)", c::heldFrames);
        f.gauge("colo_held_primary_frames", "Primary frames held now (received, not yet released)", s::heldPrimary);
        f.gauge("colo_connections", "Connections the comparator tracks", c::connectionCount);
        registry.register(new HoldTimeCollector(c::holdTimes));
    }

    private void node(NodeStats s) {
        Families f = families;
        String in = "Frames a node received, by source";
        f.counter("colo_frames_in_total", in, s.fromNetwork::get, "from", "network");
        f.counter("colo_frames_in_total", in, s.fromVm::get, "from", "vm");
        f.counter("colo_frames_in_total", in, s.fromPeer::get, "from", "peer");
        String out = "Frames handed to a destination (released output, mirrored input, ...)";
        f.counter("colo_frames_out_total", out, () -> s.released.get() + s.releasedUnprotected.get(), "to", "network");
        f.counter("colo_frames_out_total", out, s.toVm::get, "to", "vm");
        f.counter("colo_frames_out_total", out, s.mirrored::get, "to", "mirror");
        f.counter("colo_frames_out_total", out, s.redirected::get, "to", "redirect");
        String dropped = "Frames dropped, by cause";
        f.counter("colo_dropped_frames_total", dropped, s.networkDropped::get, "cause", "not_mirrored");
        f.counter("colo_dropped_frames_total", dropped, s.mirrorDropped::get, "cause", "mirror_refused");
        f.counter("colo_dropped_frames_total", dropped, s.releaseDropped::get, "cause", "release_refused");
        f.counter("colo_dropped_frames_total", dropped, s.toVmDropped::get, "cause", "vm_refused");
        f.counter("colo_dropped_frames_total", dropped, s.redirectDropped::get, "cause", "redirect_refused");
    }

    private void link(String name, Supplier<FrameLink> link) {
        families.gauge("colo_link_queue_bytes", "Bytes queued on a link, not yet written to its socket", () -> {
            FrameLink l = link.get();
            return l == null ? Double.NaN : l.queuedBytes();
        }, "link", name);
        families.gauge("colo_link_connected", "1 while a link is connected", () -> {
            FrameLink l = link.get();
            return l == null ? Double.NaN : l.isConnected() ? 1 : 0;
        }, "link", name);
    }

    private void port(String name, FramePort port) {
        if (port == null) {
            return;
        }
        families.counter("colo_kernel_drops_total", "Frames the kernel dropped before the port read them (where the backend can tell)", () -> {
            long n = port.kernelDrops();
            return n < 0 ? Double.NaN : n;
        }, "port", name);
    }

    private void gate(Supplier<SourceGate> gate, String source) {
        families.counter("colo_backpressure_pauses_total", "Times a source was paused because what it feeds had no room", () -> {
            SourceGate g = gate.get();
            return g == null ? Double.NaN : g.episodes();
        }, "source", source);
        families.counter("colo_backpressure_paused_seconds_total", "Time a source spent paused by back-pressure", () -> {
            SourceGate g = gate.get();
            return g == null ? Double.NaN : g.pausedNanos() / 1e9;
        }, "source", source);
        families.gauge("colo_backpressure_paused", "1 while a source is paused by back-pressure", () -> {
            SourceGate g = gate.get();
            return g == null ? Double.NaN : g.paused() ? 1 : 0;
        }, "source", source);
    }

    private void coordinator(Supplier<ColoStatus> c) {
        families.gauges("colo_state", "The node's role and state (1 for the current one)", () -> {
            ColoStatus s = c.get();
            return List.of(new LabelledValue(Labels.of("role", s.role().toString().toLowerCase(Locale.ROOT), "state", s.state()), 1));
        });
        families.gauge("colo_protected", "1 while output is protected (a secondary in sync)", () -> c.get().protectedOutput() ? 1 : 0);
        families.counters("colo_checkpoints_total", "Checkpoints committed, by trigger", () -> {
            Map<Trigger, Long> by = c.get().checkpointsByTrigger();
            List<LabelledValue> out = new ArrayList<>();
            for (Trigger t : Trigger.values()) {
                Long n = by == null ? null : by.get(t);
                out.add(new LabelledValue(Labels.of("trigger", t.name().toLowerCase(Locale.ROOT)), n == null ? 0 : n));
            }
            return out;
        });
        families.counter("colo_checkpoint_aborts_total", "Checkpoints abandoned", () -> c.get().aborted());
        families.gauge("colo_checkpoint_last_pause_seconds", "The last checkpoint's pause", () -> c.get().lastPauseNanos() / 1e9);
        families.gauge("colo_checkpoint_last_transfer_bytes", "The last checkpoint's state size", () -> c.get().lastTransferBytes());
        families.gauge("colo_checkpoint_last_transfer_seconds", "The last checkpoint's transfer time", () -> c.get().lastTransferNanos() / 1e9);
    }
}
