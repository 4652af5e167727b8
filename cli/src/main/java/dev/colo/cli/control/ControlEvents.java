package dev.colo.cli.control;

import dev.colo.checkpoint.CoordinatorListener;
import dev.colo.checkpoint.protocol.Role;
import dev.colo.checkpoint.protocol.Trigger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the control socket learns from a coordinator: the mode as QEMU's query-colo-status tells it (mode,
 * last mode, reason), the outcome of the next checkpoint after a `colo checkpoint`, the outcome of a
 * `colo failover`. Called on the coordinator's thread; waiters are registered from control workers.
 */
public final class ControlEvents implements CoordinatorListener {
    /** A checkpoint's outcome for `colo checkpoint`. */
    public record CheckpointOutcome(boolean committed, long id, String detail) {
    }

    /** A failover's outcome for `colo failover`. */
    public record FailoverOutcome(boolean promoted, String detail) {
    }

    private final Role role;
    private volatile String lastMode = "none";
    private volatile String reason = "none";
    private volatile boolean wasInSync;
    private final List<CheckpointWaiter> checkpointWaiters = new ArrayList<>();
    private final List<FailoverWatch> failoverWaiters = new ArrayList<>();

    /** One `colo failover`: asked (the coordinator left RUNNING to ask its arbiter), then promoted. */
    public static final class FailoverWatch {
        public final CompletableFuture<FailoverOutcome> promoted = new CompletableFuture<>();
        volatile boolean asked;

        public boolean asked() {
            return asked;
        }
    }

    public ControlEvents(Role role) {
        this.role = role;
    }

    public String lastMode() {
        return lastMode;
    }

    /** none, request (a manual failover), error (the peer was lost), processing (a failover under way). */
    public String reason() {
        return reason;
    }

    private static final class CheckpointWaiter {
        final CompletableFuture<CheckpointOutcome> result = new CompletableFuture<>();
        boolean started;
        long committedId = -1;
    }

    /** The outcome of the first checkpoint that begins after this call (the one a request now will start). */
    public CompletableFuture<CheckpointOutcome> nextCheckpoint() {
        CheckpointWaiter w = new CheckpointWaiter();
        synchronized (checkpointWaiters) {
            checkpointWaiters.add(w);
        }
        return w.result;
    }

    public FailoverWatch nextFailover() {
        FailoverWatch f = new FailoverWatch();
        synchronized (failoverWaiters) {
            failoverWaiters.add(f);
        }
        return f;
    }

    public void forget(CompletableFuture<?> waiter) {
        synchronized (checkpointWaiters) {
            checkpointWaiters.removeIf(w -> w.result == waiter);
        }
    }

    public void forget(FailoverWatch waiter) {
        synchronized (failoverWaiters) {
            failoverWaiters.remove(waiter);
        }
    }

    @Override
    public void onTransition(Role r, String from, String to, String why) {
        if (r != role) {
            return;
        }
        if (role == Role.PRIMARY) {
            synchronized (checkpointWaiters) {
                for (CheckpointWaiter w : checkpointWaiters) {
                    if ("NEW_SENT".equals(to)) {
                        w.started = true;
                    }
                }
                if ("AWAITING_LOADED".equals(from)) {
                    // The checkpoint ended after its commit: the pause it cost is known now.
                    finishCheckpoints(w -> w.committedId >= 0, w -> new CheckpointOutcome(true, w.committedId,
                            "PROTECTED".equals(to) ? "loaded" : "committed, then " + to + ": " + why));
                }
            }
            return;
        }
        // Secondary.
        if ("RUNNING".equals(to)) {
            wasInSync = true;
            reason = "none";
        } else if ("CONNECTING".equals(to) && why.contains("asking")) {
            reason = "processing";
            synchronized (failoverWaiters) {
                for (FailoverWatch w : failoverWaiters) {
                    w.asked = true;
                }
            }
        } else if ("PROMOTED".equals(to)) {
            lastMode = "secondary";
            reason = why.contains("manual failover") ? "request" : "error";
            completeFailovers(new FailoverOutcome(true, why));
        }
    }

    private void completeFailovers(FailoverOutcome o) {
        synchronized (failoverWaiters) {
            for (FailoverWatch w : failoverWaiters) {
                w.promoted.complete(o);
            }
            failoverWaiters.clear();
        }
    }

    private void finishCheckpoints(java.util.function.Predicate<CheckpointWaiter> which,
            java.util.function.Function<CheckpointWaiter, CheckpointOutcome> outcome) {
        checkpointWaiters.removeIf(w -> {
            if (which.test(w)) {
                w.result.complete(outcome.apply(w));
                return true;
            }
            return false;
        });
    }

    @Override
    public void onCheckpointCommitted(long id, Trigger trigger) {
        if (role != Role.PRIMARY) {
            return;
        }
        synchronized (checkpointWaiters) {
            for (CheckpointWaiter w : checkpointWaiters) {
                if (w.started && w.committedId < 0) {
                    w.committedId = id;
                }
            }
        }
    }

    @Override
    public void onCheckpointAborted(long id, String why) {
        if (role != Role.PRIMARY) {
            return;
        }
        synchronized (checkpointWaiters) {
            finishCheckpoints(w -> w.started && w.committedId < 0, w -> new CheckpointOutcome(false, id, why));
        }
    }

    @Override
    public void onProtected(String secondaryNodeId) {
        reason = "none";
    }

    @Override
    public void onSecondaryLost(String why) {
        lastMode = "primary";
        reason = "error";
        synchronized (checkpointWaiters) {
            finishCheckpoints(w -> w.committedId < 0, w -> new CheckpointOutcome(false, -1, "secondary lost: " + why));
        }
    }

    boolean wasInSync() {
        return wasInSync;
    }
}
