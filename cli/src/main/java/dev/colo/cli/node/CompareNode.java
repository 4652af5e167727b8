package dev.colo.cli.node;

import static dev.colo.compare.Side.P;
import static dev.colo.compare.Side.S;

import dev.colo.compare.CheckpointGate;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.CompareStats;
import dev.colo.compare.DecisionListener;
import dev.colo.compare.OutputComparator;
import dev.colo.compare.packet.FrameDecoder;
import dev.colo.compare.pipeline.ComparePipeline;
import dev.colo.compare.pipeline.CompareStage;
import dev.colo.compare.pipeline.InlineCompare;
import dev.colo.proxy.link.FrameLink;
import dev.colo.proxy.link.FrameReceiver;
import dev.colo.proxy.link.LinkConfig;
import dev.colo.proxy.node.NodeLoop;
import dev.colo.proxy.node.SourceGate;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * `colo compare` wired: its three links (QEMU's socket format) and the comparator on one loop, with
 * back-pressure from every destination to the inputs that feed it. An input is not read while the
 * comparator has no room for its side's next frame (each side may fill half the store, so the twins of
 * what is held always fit) or while outdev is above its high-water mark; its peer's writes then back up
 * over TCP. Nothing accepted is dropped: a released frame always goes to outdev, which keeps what it is
 * given across a reconnect of its peer.
 */
public final class CompareNode implements AutoCloseable {
    /** The gates are re-checked at least this often, in case a change came with no event. */
    private static final long RECHECK_NANOS = 5_000_000L;
    private static final String OUTDEV_FULL = "outdev above its high-water mark";
    private static final String STORE_PRIMARY = "the primary is ahead: its share of the store is full";
    private static final String STORE_SECONDARY = "the secondary is ahead: its share of the store is full";

    private final NodeLoop loop;
    private final FrameLink out;
    private final FrameLink primaryIn;
    private final FrameLink secondaryIn;
    private final CompareStage compare;
    private final OutputComparator comparator;
    private final SourceGate primaryGate;
    private final SourceGate secondaryGate;
    private final AtomicLong released = new AtomicLong();
    private final AtomicLong outRefused = new AtomicLong();
    private volatile ScheduledFuture<?> ticker;
    private final Runnable tick;
    private final ScheduledFuture<?> recheck;

    /** Decisions the node has acted on (divergences, checkpoints, flushes) go to {@code observer}, on the loop. */
    /** @param compareThread compare on a thread of its own behind the Disruptor ring (the loop then only moves bytes) */
    public CompareNode(LinkSpec primary, LinkSpec secondary, LinkSpec outdev, LinkConfig link, CompareConfig config,
            CheckpointGate gate, DecisionListener observer, boolean compareThread) throws IOException {
        loop = NodeLoop.start("compare", Duration.ZERO);
        FrameLink o = null;
        FrameLink p = null;
        FrameLink s = null;
        try {
            o = outdev.open("outdev", link.copy().holdWhileDown(true).peerSends(false), frame -> { }, loop.loop());
            out = o;
            config.admissionControl(true);
            compare = compareThread
                    ? ComparePipeline.builder().config(config).gate(gate).sink(new Release(observer))
                            .emitOn(ComparePipeline.EmitOn.COMPARE_THREAD).multipleProducers(true).drainAtEnd(false).start()
                    : new InlineCompare(config, gate, new Release(observer));
            comparator = compare.comparator();
            p = primary.open("primary-in", link, input(P), loop.loop());
            s = secondary.open("secondary-in", link, input(S), loop.loop());
        } catch (IOException | RuntimeException e) {
            for (FrameLink l : new FrameLink[] {s, p, o}) {
                if (l != null) {
                    l.close();
                }
            }
            loop.close();
            throw e;
        }
        primaryIn = p;
        secondaryIn = s;
        primaryGate = new SourceGate("primary-in", primaryIn::pauseReceiving, comparator::heldFrames, "frames held");
        secondaryGate = new SourceGate("secondary-in", secondaryIn::pauseReceiving, comparator::heldFrames, "frames held");
        out.onWritabilityChange(this::updateGates);
        tick = () -> {
            compare.tick(System.nanoTime());
            updateGates();
        };
        ticker = loop.every(Math.max(1_000_000L, config.scanIntervalNanos()), tick);
        recheck = loop.every(RECHECK_NANOS, this::updateGates);
    }

    private FrameReceiver input(int side) {
        return frame -> {
            compare.publish(side, System.nanoTime(), FrameDecoder.LINKTYPE_ETHERNET, frame);
            updateGates();
        };
    }

    /** On the loop, after anything that may have filled or freed a destination. A few field reads: cheap per frame. */
    private void updateGates() {
        boolean outFull = !out.isWritable();
        primaryGate.set(outFull || !compare.canAccept(P), outFull ? OUTDEV_FULL : STORE_PRIMARY);
        secondaryGate.set(outFull || !compare.canAccept(S), outFull ? OUTDEV_FULL : STORE_SECONDARY);
    }

    public String describe() {
        return primaryIn.describe() + ", " + secondaryIn.describe() + ", " + out.describe();
    }

    /** Released frames handed to outdev. */
    public long released() {
        return released.get();
    }

    public CompareStats stats() {
        return comparator.stats();
    }

    /** The comparator: read its stats anywhere; call it only from the loop (or its own thread). */
    public OutputComparator comparator() {
        return comparator;
    }

    /** Released frames outdev refused (only past its hard limit: a sender ignoring back-pressure). */
    public long outdevRefused() {
        return outRefused.get();
    }

    public FrameLink outdev() {
        return out;
    }

    /** The comparator's configuration: changed at run time only through {@link CompareConfig#submitLiveChange}. */
    public CompareConfig config() {
        return comparator.config();
    }

    /** A new scan interval is in force (control socket): the comparator is ticked at it from now on. */
    public void scanIntervalChanged(long scanNanos) {
        loop.execute(() -> {
            ticker.cancel(false);
            ticker = loop.every(Math.max(1_000_000L, scanNanos), tick);
        });
    }

    /** The counters `colo status` shows. */
    public java.util.Map<String, Object> counters() {
        CompareStats c = comparator.stats();
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("released", released.get());
        m.put("released-compared", c.get(CompareStats.RELEASED_COMPARED));
        m.put("released-by-checkpoint", c.get(CompareStats.RELEASED_FLUSHED));
        m.put("held-frames", comparator.heldFrames());
        m.put("held-primary", c.heldPrimary());
        m.put("outdev-queue-bytes", out.queuedBytes());
        m.put("refused-by-outdev", outRefused.get());
        m.put("lost", c.get(CompareStats.LOST));
        m.put("malformed", c.totalMalformed());
        m.put("divergences", c.divergenceCounts());
        m.put("checkpoints-asked", c.checkpointCounts());
        java.util.Map<String, Object> bp = new java.util.LinkedHashMap<>();
        for (SourceGate g : new SourceGate[] {primaryGate, secondaryGate}) {
            bp.put(g == primaryGate ? "primary-in" : "secondary-in", g.status());
        }
        m.put("back-pressure", bp);
        return m;
    }

    public SourceGate primaryGate() {
        return primaryGate;
    }

    public SourceGate secondaryGate() {
        return secondaryGate;
    }

    /** The live status: releases, what is held and queued, refusals and losses by cause, divergences, back-pressure. */
    public String statusLine() {
        CompareStats c = comparator.stats();
        return "released " + released + " (compared " + (c.get(CompareStats.RELEASED_COMPARED)) + ", by checkpoint "
                + c.get(CompareStats.RELEASED_FLUSHED) + "), held " + comparator.heldFrames() + " frames (primary "
                + c.heldPrimary() + "), outdev queue " + out.queuedBytes() + " B; refused by outdev " + outRefused
                + ", lost " + c.get(CompareStats.LOST) + ", malformed " + c.totalMalformed() + "; divergences: "
                + c.divergencesByReason() + "; checkpoints asked: " + c.checkpointsByReason() + "; back-pressure: "
                + primaryGate.status() + ", " + secondaryGate.status();
    }

    @Override
    public void close() {
        ticker.cancel(false);
        recheck.cancel(false);
        primaryIn.close();
        secondaryIn.close();
        if (compare instanceof InlineCompare) {
            loop.runUnlessStopped(compare::close); // its one thread is the loop's
        } else {
            compare.close();
        }
        out.close();
        loop.close();
    }

    /** Released frames go straight from the comparator's store to outdev; other decisions to the observer. */
    private final class Release extends dev.colo.compare.ForwardingDecisions {
        Release(DecisionListener observer) {
            super(observer);
        }

        @Override
        public void onRelease(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
            if (out.send(frame, offset, length)) {
                released.incrementAndGet();
            } else {
                outRefused.incrementAndGet();
            }
        }
    }
}
