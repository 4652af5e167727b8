package dev.colo.checkpoint.arbiter;

/** A change of a cluster's lease on the witness, or an episode of refused requests, for its log. */
public record LeaseEvent(Kind kind, String clusterId, String nodeId, long ttlMillis, String detail) {
    public enum Kind {
        /** A node that did not hold the lease got it (renewals by the holder are not events). */
        GRANTED,
        /** The holder stopped renewing and the lease ran out. */
        EXPIRED,
        /** The holder gave the lease back. */
        RELEASED,
        /** Requests or connections refused: the first of an episode, or its summary with counters ({@link #detail}). */
        REFUSALS
    }

    public LeaseEvent(Kind kind, String clusterId, String nodeId, long ttlMillis) {
        this(kind, clusterId, nodeId, ttlMillis, "");
    }

    /** An episode line of refusals. */
    static LeaseEvent refusals(String line) {
        return new LeaseEvent(Kind.REFUSALS, "", "", 0, line);
    }

    /** One log line, without a timestamp. */
    public String describe() {
        return switch (kind) {
            case GRANTED -> "lease granted: cluster=" + clusterId + " holder=" + nodeId + " ttl=" + ttlMillis + "ms";
            case EXPIRED -> "lease expired: cluster=" + clusterId + " holder=" + nodeId;
            case RELEASED -> "lease released: cluster=" + clusterId + " holder=" + nodeId;
            case REFUSALS -> detail;
        };
    }
}
