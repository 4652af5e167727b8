package dev.colo.compare;

/**
 * A sink that acts on releases itself and passes every other decision (divergences, checkpoint requests,
 * flushes, rules fired) on to an observer: what each node's release path shares. Override a decision to act
 * on it too, then call super.
 */
public abstract class ForwardingDecisions implements DecisionListener {
    private final DecisionListener observer;

    protected ForwardingDecisions(DecisionListener observer) {
        this.observer = observer;
    }

    protected DecisionListener observer() {
        return observer;
    }

    @Override
    public void onDivergence(Divergence divergence) {
        observer.onDivergence(divergence);
    }

    @Override
    public void onCheckpointRequested(Divergence cause) {
        observer.onCheckpointRequested(cause);
    }

    @Override
    public void onFlush(long nowNanos, int releasedPrimary, int droppedSecondary) {
        observer.onFlush(nowNanos, releasedPrimary, droppedSecondary);
    }

    @Override
    public void onRuleFired(String rule, String flow) {
        observer.onRuleFired(rule, flow);
    }
}
