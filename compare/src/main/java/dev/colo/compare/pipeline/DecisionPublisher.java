package dev.colo.compare.pipeline;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import dev.colo.compare.Divergence;
import dev.colo.compare.RetainingListener;

/**
 * The comparator's listener inside the pipeline: publishes each decision to the outbound ring, in
 * order. Held frames are released by reference (no copy); the comparator reuses their slots only
 * after the emit stage has passed them.
 */
final class DecisionPublisher implements RetainingListener {
    private final RingBuffer<DecisionEvent> ring;
    private Sequence consumed;
    private long lastRelease = -1;

    DecisionPublisher(RingBuffer<DecisionEvent> ring) {
        this.ring = ring;
    }

    void consumedBy(Sequence emitSequence) {
        this.consumed = emitSequence;
    }

    @Override
    public void onRelease(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
        long seq = ring.next();
        try {
            ring.get(seq).setRelease(frame, offset, length, capturedAtNanos, nowNanos);
        } finally {
            ring.publish(seq);
        }
        lastRelease = seq;
    }

    @Override
    public void onReleaseUnheld(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
        long seq = ring.next();
        try {
            ring.get(seq).setReleaseCopy(frame, offset, length, capturedAtNanos, nowNanos);
        } finally {
            ring.publish(seq);
        }
    }

    @Override
    public long lastReleaseSequence() {
        return lastRelease;
    }

    @Override
    public long consumedSequence() {
        return consumed == null ? Long.MAX_VALUE : consumed.get();
    }

    @Override
    public void onDivergence(Divergence divergence) {
        publishRare(DecisionEvent.DIVERGENCE, divergence.copy(), 0, 0, 0, null, null);
    }

    @Override
    public void onCheckpointRequested(Divergence cause) {
        publishRare(DecisionEvent.CHECKPOINT, cause.copy(), 0, 0, 0, null, null);
    }

    @Override
    public void onFlush(long nowNanos, int releasedPrimary, int droppedSecondary) {
        publishRare(DecisionEvent.FLUSH, null, nowNanos, releasedPrimary, droppedSecondary, null, null);
    }

    @Override
    public void onRuleFired(String rule, String flow) {
        publishRare(DecisionEvent.RULE, null, 0, 0, 0, rule, flow);
    }

    /** The last event: everything before it has been emitted once the emit stage sees it. */
    void onEnd() {
        publishRare(DecisionEvent.END, null, 0, 0, 0, null, null);
    }

    private void publishRare(int type, Divergence d, long now, int released, int dropped, String rule, String flow) {
        long seq = ring.next();
        try {
            DecisionEvent e = ring.get(seq);
            e.type = type;
            e.divergence = d;
            e.nowNanos = now;
            e.releasedPrimary = released;
            e.droppedSecondary = dropped;
            e.rule = rule;
            e.flow = flow;
        } finally {
            ring.publish(seq);
        }
    }
}
