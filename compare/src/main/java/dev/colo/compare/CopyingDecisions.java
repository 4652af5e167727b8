package dev.colo.compare;

/**
 * Hands every decision to a sink on the comparator's own thread. The comparator reuses its divergence record
 * for the next one, so divergences are copied on the way; released frames are passed as they are (the sink
 * copies what it keeps before it returns).
 */
public class CopyingDecisions implements DecisionListener {
    private final DecisionListener sink;

    public CopyingDecisions(DecisionListener sink) {
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
}
