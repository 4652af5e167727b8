package dev.colo.checkpoint.arbiter;

import java.time.Duration;

/**
 * Grants every promotion and every renewal: no third party is asked.
 *
 * <p><b>Risk:</b> with two nodes and no witness, a broken link between two live nodes makes both of them
 * primary (split brain): each sees the other as dead and takes over, and clients may be served by both.
 * Use it only where the link cannot fail independently of the nodes (e.g. both replicas on one host, or
 * a test bench); otherwise run {@code colo witness} on a third machine and use a {@link WitnessArbiter}.
 */
public final class AlwaysArbiter implements Arbiter {
    static final String DESCRIPTION = "always (no witness: if the link between two live nodes breaks, both"
            + " become primary - split brain; only for setups where the link cannot fail independently of"
            + " the nodes)";

    @Override
    public boolean renew(String clusterId, String nodeId) {
        return true;
    }

    @Override
    public Decision requestPromotion(String clusterId, String nodeId, Duration timeout) {
        return Decision.grant("arbiter 'always' grants every promotion without asking a witness");
    }

    @Override
    public void release(String clusterId, String nodeId) {
        // Nothing is held anywhere, so there is nothing to free.
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
