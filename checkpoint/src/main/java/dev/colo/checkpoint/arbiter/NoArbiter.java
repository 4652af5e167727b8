package dev.colo.checkpoint.arbiter;

import java.time.Duration;

/**
 * The safe default when no arbiter is named: a secondary never takes over by itself. Two nodes alone cannot
 * tell a dead peer from a broken link, so promoting on their own judgement risks two primaries (split brain).
 * Name {@code witness:HOST:PORT} for automatic takeover, or {@code always} where the link cannot fail
 * independently of the nodes; {@code colo failover} is refused too. The primary holds no lease and never fences.
 */
public final class NoArbiter implements Arbiter {
    static final String DESCRIPTION = "none (no takeover without a witness: name --arbiter witness:HOST:PORT, or always)";

    @Override
    public boolean renew(String clusterId, String nodeId) {
        return true;
    }

    @Override
    public Decision requestPromotion(String clusterId, String nodeId, Duration timeout) {
        return Decision.refuse("no arbiter is configured, so this node does not take over by itself (split-brain risk);"
                + " restart it with --arbiter witness:HOST:PORT, or always if the link cannot fail on its own");
    }

    /** The refusal is final: asking again cannot change it. */
    @Override
    public boolean mayGrantLater() {
        return false;
    }

    @Override
    public void release(String clusterId, String nodeId) {
        // Nothing is held.
    }

    @Override
    public String describe() {
        return DESCRIPTION;
    }

    @Override
    public void close() {
        // No resources.
    }

    @Override
    public String toString() {
        return describe();
    }
}
