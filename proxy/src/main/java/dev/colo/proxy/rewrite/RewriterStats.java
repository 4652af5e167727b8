package dev.colo.proxy.rewrite;

/** Counters of the rewriter; written by its one thread, readable from others. */
public final class RewriterStats {
    volatile long rewrittenTowardSecondary;
    volatile long rewrittenFromSecondary;
    volatile long learnedOffsets;
    volatile long nonZeroOffsets;
    volatile long passedUnknownOffset;
    volatile long untracked;
    volatile long evicted;
    volatile long expired;
    volatile long malformed;
    volatile long sackBlocksRewritten;

    public long rewrittenTowardSecondary() {
        return rewrittenTowardSecondary;
    }

    public long rewrittenFromSecondary() {
        return rewrittenFromSecondary;
    }

    /** Connections whose offset was learned from their handshake. */
    public long learnedOffsets() {
        return learnedOffsets;
    }

    /** Of those, the ones whose ISNs differed. */
    public long nonZeroOffsets() {
        return nonZeroOffsets;
    }

    /** Frames of a connection in its handshake, before its offset could be known. */
    public long passedUnknownOffset() {
        return passedUnknownOffset;
    }

    /** TCP frames of connections first seen mid-stream (e.g. already open when the secondary joined: offset 0). */
    public long untracked() {
        return untracked;
    }

    /** Entries dropped because the table was full (least recently used first). */
    public long evicted() {
        return evicted;
    }

    /** Entries dropped after closing or idling. */
    public long expired() {
        return expired;
    }

    public long malformed() {
        return malformed;
    }

    public long sackBlocksRewritten() {
        return sackBlocksRewritten;
    }

    @Override
    public String toString() {
        return "rewritten toward SVM " + rewrittenTowardSecondary + ", from SVM " + rewrittenFromSecondary + ", offsets learned "
                + learnedOffsets + " (" + nonZeroOffsets + " non-zero), passed before learning " + passedUnknownOffset
                + ", untracked " + untracked + ", SACK blocks " + sackBlocksRewritten + ", evicted " + evicted + ", expired "
                + expired + ", malformed " + malformed;
    }
}
