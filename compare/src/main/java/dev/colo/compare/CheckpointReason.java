package dev.colo.compare;

/** Why the comparator asks for a checkpoint. */
public enum CheckpointReason {
    /** The two replicas sent different bytes (or different stream events: SYN, FIN, RST). */
    MISMATCH,
    /** A frame waited longer than the compare timeout for its twin (or, for TCP, for the secondary's ACK). */
    TIMEOUT,
    /** A connection held more frames or bytes than its limit. */
    QUEUE_FULL,
    /** The connection table is full and no connection is idle enough to evict. */
    TABLE_FULL,
    /** The held-frame store ran out of slots. */
    STORE_FULL,
    /** A frame larger than the largest slot: released only after a checkpoint. */
    OVERSIZE_FRAME;

    private static final CheckpointReason[] VALUES = values();

    public static CheckpointReason of(int ordinal) {
        return VALUES[ordinal];
    }
}
