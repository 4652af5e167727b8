package dev.colo.compare.pipeline;

import dev.colo.compare.DecisionListener;
import dev.colo.compare.Divergence;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Emits decisions on the compare thread itself: one thread hand-off less per released frame, for live
 * nodes where latency counts more than keeping I/O off the comparator. Released frames are copied out by
 * the sink before it returns (a plain listener: the comparator reuses the slot at once).
 */
final class InlineEmit implements DecisionListener {
    private final DecisionListener sink;
    private final CountDownLatch ended = new CountDownLatch(1);

    InlineEmit(DecisionListener sink) {
        this.sink = sink;
    }

    @Override
    public void onRelease(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
        sink.onRelease(frame, offset, length, capturedAtNanos, nowNanos);
    }

    @Override
    public void onReleaseUnheld(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
        sink.onReleaseUnheld(frame, offset, length, capturedAtNanos, nowNanos);
    }

    @Override
    public void onDivergence(Divergence divergence) {
        sink.onDivergence(divergence.copy());
    }

    @Override
    public void onCheckpointRequested(Divergence cause) {
        sink.onCheckpointRequested(cause.copy());
    }

    @Override
    public void onFlush(long nowNanos, int releasedPrimary, int droppedSecondary) {
        sink.onFlush(nowNanos, releasedPrimary, droppedSecondary);
    }

    @Override
    public void onRuleFired(String rule, String flow) {
        sink.onRuleFired(rule, flow);
    }

    void onEnd() {
        ended.countDown();
    }

    boolean awaitEnd(long timeout, TimeUnit unit) throws InterruptedException {
        return ended.await(timeout, unit);
    }
}
