package dev.colo.compare.pipeline;

import com.lmax.disruptor.EventHandler;
import dev.colo.compare.DecisionListener;

/** Stage 4: hands decisions to the sink (the bridge, a pcap file, a counter) on a thread of its own. */
final class EmitHandler implements EventHandler<DecisionEvent> {
    private final DecisionListener sink;
    private final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);

    EmitHandler(DecisionListener sink) {
        this.sink = sink;
    }

    private com.lmax.disruptor.Sequence sequence;

    @Override
    public void setSequenceCallback(com.lmax.disruptor.Sequence sequenceCallback) {
        this.sequence = sequenceCallback;
    }

    /** This stage's progress: the comparator reuses a released slot only once this has passed it. */
    com.lmax.disruptor.Sequence sequence() {
        return sequence;
    }

    boolean awaitEnd(long timeout, java.util.concurrent.TimeUnit unit) throws InterruptedException {
        return ended.await(timeout, unit);
    }

    @Override
    public void onEvent(DecisionEvent e, long sequence, boolean endOfBatch) {
        switch (e.type) {
            case DecisionEvent.RELEASE:
                sink.onRelease(e.data, e.offset, e.length, e.capturedAtNanos, e.nowNanos);
                break;
            case DecisionEvent.DIVERGENCE:
                sink.onDivergence(e.divergence);
                break;
            case DecisionEvent.CHECKPOINT:
                sink.onCheckpointRequested(e.divergence);
                break;
            case DecisionEvent.FLUSH:
                sink.onFlush(e.nowNanos, e.releasedPrimary, e.droppedSecondary);
                break;
            case DecisionEvent.RULE:
                sink.onRuleFired(e.rule, e.flow);
                break;
            default:
                ended.countDown();
                break;
        }
        e.divergence = null;
    }
}
