package dev.colo.cli.control;

import dev.colo.compare.CheckpointReason;
import dev.colo.compare.DecisionListener;
import dev.colo.compare.Divergence;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts the comparator's divergences and checkpoint requests by reason on their way to the next listener, for
 * `colo status`: lock- and allocation-free (one array increment on the comparator's thread), read anywhere.
 */
public final class DecisionCounters implements DecisionListener {
    private static final int REASONS = CheckpointReason.values().length;
    private final DecisionListener next;
    private final AtomicLongArray divergences = new AtomicLongArray(REASONS);
    private final AtomicLongArray checkpoints = new AtomicLongArray(REASONS);

    public DecisionCounters(DecisionListener next) {
        this.next = next;
    }

    @Override
    public void onRelease(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
        next.onRelease(frame, offset, length, capturedAtNanos, nowNanos);
    }

    @Override
    public void onReleaseUnheld(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
        next.onReleaseUnheld(frame, offset, length, capturedAtNanos, nowNanos);
    }

    @Override
    public void onDivergence(Divergence divergence) {
        divergences.incrementAndGet(divergence.reason().ordinal());
        next.onDivergence(divergence);
    }

    @Override
    public void onCheckpointRequested(Divergence cause) {
        checkpoints.incrementAndGet(cause.reason().ordinal());
        next.onCheckpointRequested(cause);
    }

    @Override
    public void onFlush(long nowNanos, int releasedPrimary, int droppedSecondary) {
        next.onFlush(nowNanos, releasedPrimary, droppedSecondary);
    }

    @Override
    public void onRuleFired(String rule, String flow) {
        next.onRuleFired(rule, flow);
    }

    public Map<String, Object> divergencesByReason() {
        return byReason(divergences);
    }

    public Map<String, Object> checkpointsByReason() {
        return byReason(checkpoints);
    }

    private static Map<String, Object> byReason(AtomicLongArray a) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (CheckpointReason r : CheckpointReason.values()) {
            m.put(r.name(), a.get(r.ordinal()));
        }
        return m;
    }
}
