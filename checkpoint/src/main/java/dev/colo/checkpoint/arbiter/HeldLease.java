package dev.colo.checkpoint.arbiter;

/**
 * What this node believes about its own lease: for which cluster and node, and until when it may trust it.
 * The expiry is counted from before the claim was sent, so it never outlasts the witness's view.
 */
final class HeldLease {
    private String cluster;
    private String node;
    private long expiryNanos;
    private boolean held;

    synchronized void grant(String cluster, String node, long expiryNanos) {
        this.cluster = cluster;
        this.node = node;
        this.expiryNanos = expiryNanos;
        this.held = true;
    }

    synchronized void forget() {
        held = false;
        cluster = null;
        node = null;
    }

    /** Whether this node holds a lease for these ids at all (expired or not). */
    synchronized boolean isHeld(String cluster, String node) {
        return held && cluster.equals(this.cluster) && node.equals(this.node);
    }

    /** Nanoseconds of trust left at {@code now}: positive while valid, zero or less once lapsed or not held. */
    synchronized long remainingNanos(String cluster, String node, long now) {
        return isHeld(cluster, node) ? expiryNanos - now : 0;
    }
}
