package dev.colo.cli.control;

import dev.colo.checkpoint.ColoStatus;
import dev.colo.checkpoint.PrimaryCoordinator;
import dev.colo.checkpoint.SecondaryCoordinator;
import dev.colo.checkpoint.protocol.Trigger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A node's answers to the control requests: status, set, checkpoint, failover. Built by the node's command
 * from what it runs (a comparator's settings, a coordinator, counters). Runs on control worker threads:
 * reads are of thread-safe counters; changes go through {@link LiveSettings} or the coordinator's own
 * thread-safe requests.
 */
public final class NodeControl implements ControlServer.Handler {
    /** How long `colo checkpoint` waits for the checkpoint it asked for. */
    static final long CHECKPOINT_DEADLINE_MILLIS = 60_000;
    static final long FAILOVER_DEADLINE_MILLIS = 30_000;

    private final String role;
    private LiveSettings settings;
    private PrimaryCoordinator primary;
    private SecondaryCoordinator secondary;
    private ControlEvents events;
    private Supplier<Map<String, Object>> counters = LinkedHashMap::new;
    private Supplier<String> statusLine = () -> "";
    private String compareThreadNote = "";

    public NodeControl(String role) {
        this.role = role;
    }

    public NodeControl settings(LiveSettings s) {
        this.settings = s;
        return this;
    }

    public NodeControl primary(PrimaryCoordinator c, ControlEvents e) {
        this.primary = c;
        this.events = e;
        return this;
    }

    public NodeControl secondary(SecondaryCoordinator c, ControlEvents e) {
        this.secondary = c;
        this.events = e;
        return this;
    }

    public NodeControl counters(Supplier<Map<String, Object>> c) {
        this.counters = c;
        return this;
    }

    public NodeControl statusLine(Supplier<String> s) {
        this.statusLine = s;
        return this;
    }

    /** Noted in `colo status`: with --compare-thread changes reach the comparator through the ring. */
    public NodeControl compareThread(boolean on) {
        this.compareThreadNote = on ? "changes reach the comparator through the Disruptor ring (with its next TICK event)" : "";
        return this;
    }

    @Override
    public Reply handle(List<String> words) {
        String cmd = words.get(0).toLowerCase(java.util.Locale.ROOT);
        switch (cmd) {
            case "status":
                if (words.size() > 2 || (words.size() == 2 && !words.get(1).equalsIgnoreCase("json"))) {
                    return Reply.error("usage: status [json]");
                }
                Map<String, Object> s = status();
                if (words.size() == 2) {
                    return Reply.ok(List.of(Json.write(s)), "");
                }
                List<String> lines = new ArrayList<>();
                Json.text(lines, "", s);
                return Reply.ok(lines, "");
            case "set":
                if (words.size() != 3) {
                    return Reply.error("usage: set KEY VALUE (keys: " + String.join(", ", LiveSettings.KEYS) + ")");
                }
                if (settings == null) {
                    return Reply.error("colo " + role + " has nothing to set (thresholds live on the primary and on colo compare)");
                }
                return settings.set(words.get(1), words.get(2));
            case "checkpoint":
                return words.size() == 1 ? checkpoint() : Reply.error("usage: checkpoint");
            case "failover":
                return words.size() == 1 ? failover() : Reply.error("usage: failover");
            default:
                return Reply.error("unknown request '" + truncate(words.get(0)) + "'; expected status, set KEY VALUE, checkpoint or failover");
        }
    }

    private static String truncate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /** The status tree: mode as QEMU's query-colo-status says it, the coordinator's status, counters, thresholds. */
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", role);
        m.put("pid", ProcessHandle.current().pid());
        ColoStatus st = primary != null ? primary.status() : secondary != null ? secondary.status() : null;
        String mode = "none";
        if (st != null && st.protectedOutput()) {
            mode = primary != null ? "primary" : "secondary";
        }
        m.put("mode", mode);
        m.put("last-mode", events != null ? events.lastMode() : "none");
        m.put("reason", events != null ? events.reason() : "none");
        if (st != null) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("state", st.state());
            c.put("peer", st.peer());
            c.put("protected", st.protectedOutput());
            c.put("checkpoints", st.checkpoints());
            Map<String, Object> byTrigger = new LinkedHashMap<>();
            for (Trigger t : Trigger.values()) {
                byTrigger.put(t.name(), st.checkpointsByTrigger().getOrDefault(t, 0L));
            }
            c.put("checkpoints-by-trigger", byTrigger);
            c.put("aborted", st.aborted());
            c.put("last-pause-ms", round3(st.lastPauseNanos() / 1e6));
            c.put("last-transfer-bytes", st.lastTransferBytes());
            c.put("last-transfer-ms", round3(st.lastTransferNanos() / 1e6));
            c.put("failover", st.failover());
            c.put("failover-reason", st.failoverReason());
            m.put("coordinator", c);
        }
        m.put("counters", counters.get());
        if (settings != null) {
            Map<String, Object> t = new LinkedHashMap<>(settings.current());
            if (!compareThreadNote.isEmpty()) {
                t.put("note", compareThreadNote);
            }
            m.put("thresholds", t);
        }
        m.put("status-line", statusLine.get());
        return m;
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private Reply checkpoint() {
        if (primary == null) {
            return Reply.error(secondary != null ? "this is a secondary: checkpoints are asked on the primary"
                    : "colo " + role + " has no coordinator: " + ("compare".equals(role)
                            ? "QEMU orders checkpoints (--checkpoint-command runs on divergences)" : "nothing to checkpoint"));
        }
        if (!primary.status().protectedOutput()) {
            return Reply.error("no secondary in sync (" + primary.state() + "): nothing to checkpoint");
        }
        CompletableFuture<ControlEvents.CheckpointOutcome> next = events.nextCheckpoint();
        long asked = System.nanoTime();
        primary.requestCheckpoint(Trigger.MANUAL, "control socket");
        try {
            ControlEvents.CheckpointOutcome o = next.get(CHECKPOINT_DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
            long waited = System.nanoTime() - asked;
            if (o.committed()) {
                ColoStatus st = primary.status();
                return Reply.ok("checkpoint " + o.id() + " committed (" + o.detail() + "), pause "
                        + LiveSettings.ms(Math.round(st.lastPauseNanos() / 1000.0) * 1000) + ", " + st.lastTransferBytes() + " bytes; asked "
                        + LiveSettings.ms(Math.round(waited / 1e6) * 1_000_000) + " ago");
            }
            return Reply.error("checkpoint " + (o.id() >= 0 ? o.id() + " " : "") + "aborted: " + o.detail());
        } catch (TimeoutException e) {
            events.forget(next);
            return Reply.error("no checkpoint finished within " + CHECKPOINT_DEADLINE_MILLIS + " ms (state " + primary.state() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Reply.error("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            return Reply.error("checkpoint failed: " + e.getCause());
        }
    }

    private Reply failover() {
        if (secondary == null) {
            return Reply.error(primary != null ? "this is the primary: a failover is asked on the secondary (colo failover there)"
                    : "colo " + role + " cannot fail over");
        }
        ColoStatus st = secondary.status();
        if ("PROMOTED".equals(st.state())) {
            return Reply.error("already promoted: this node runs the service");
        }
        if (!st.protectedOutput()) {
            return Reply.error("not in sync with a primary (" + st.state() + "): no consistent state to take over with");
        }
        ControlEvents.FailoverWatch watch = events.nextFailover();
        secondary.failover("control socket");
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FAILOVER_DEADLINE_MILLIS);
        try {
            while (System.nanoTime() - deadline < 0) {
                try {
                    ControlEvents.FailoverOutcome o = watch.promoted.get(20, TimeUnit.MILLISECONDS);
                    return Reply.ok("promoted: " + o.detail());
                } catch (TimeoutException e) {
                    // A refusal is no transition (the node stays CONNECTING and asks again): it shows in the status.
                    ColoStatus now = secondary.status();
                    if (watch.asked() && "DENIED".equals(now.failover())) {
                        return Reply.error("refused: " + now.failoverReason()
                                + " (this node has left the pair: it rejoins the primary for a full sync, and asks again meanwhile)");
                    }
                }
            }
            return Reply.error("no answer within " + FAILOVER_DEADLINE_MILLIS + " ms (state " + secondary.state() + ", failover "
                    + secondary.status().failover() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Reply.error("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            return Reply.error("failover failed: " + e.getCause());
        } finally {
            events.forget(watch);
        }
    }
}
