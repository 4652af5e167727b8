package dev.colo.compare;

/** What a committed checkpoint does to the secondary, and so how the comparator lines the streams up again. */
public enum CheckpointModel {
    /**
     * Live: the secondary is restored from the primary's state. Its later output continues from the
     * primary's position with the primary's sequence numbers (the rewriter's offsets reset), so every
     * secondary frame held at the commit is stale and dropped.
     */
    SECONDARY_RESTORED,
    /**
     * Replay of captures: nothing was restored; the secondary's recorded output simply goes on. Held
     * secondary output that corresponds to primary output already flushed is dropped, and output the
     * secondary sent ahead of the primary is kept to be compared with what the primary sends next.
     */
    SECONDARY_UNCHANGED
}
