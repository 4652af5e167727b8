package dev.colo.compare.pipeline;

import com.lmax.disruptor.RingBuffer;
import dev.colo.compare.DecisionListener;
import dev.colo.compare.Divergence;

/** The comparator's listener inside the pipeline: publishes each decision to the outbound ring, in order. */
final class DecisionPublisher implements DecisionListener {
    private final RingBuffer<DecisionEvent> ring;

    DecisionPublisher(RingBuffer<DecisionEvent> ring) {
        this.ring = ring;
    }

    @Override
    public void onRelease(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
        long seq = ring.next();
        try {
            ring.get(seq).setRelease(frame, offset, length, capturedAtNanos, nowNanos);
        } finally {
            ring.publish(seq);
        }
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
