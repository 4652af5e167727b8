package dev.colo.compare.pipeline;

import dev.colo.compare.Divergence;

/** One slot of the outbound ring: a decision on its way to the sink. */
final class DecisionEvent {
    static final int RELEASE = 0;
    static final int DIVERGENCE = 1;
    static final int CHECKPOINT = 2;
    static final int FLUSH = 3;
    static final int RULE = 4;
    static final int END = 5;

    int type;
    /** The released bytes: a store slot's array (by reference) or {@link #copy}. */
    byte[] data;
    int offset;
    /** Owned buffer for frames released without being held (rare: allocated on first use). */
    byte[] copy;
    int length;
    long capturedAtNanos;
    long nowNanos;
    /** Copied for the rare events only; the release path never allocates. */
    Divergence divergence;
    int releasedPrimary;
    int droppedSecondary;
    String rule;
    String flow;

    /** By reference: the comparator keeps the bytes untouched until the emit stage has passed this event. */
    void setRelease(byte[] src, int srcOffset, int len, long capturedAt, long now) {
        type = RELEASE;
        data = src;
        offset = srcOffset;
        length = len;
        capturedAtNanos = capturedAt;
        nowNanos = now;
        divergence = null;
    }

    void setReleaseCopy(byte[] src, int srcOffset, int len, long capturedAt, long now) {
        if (copy == null || copy.length < len) {
            copy = new byte[Math.max(len, 2048)];
        }
        System.arraycopy(src, srcOffset, copy, 0, len);
        type = RELEASE;
        data = copy;
        offset = 0;
        length = len;
        capturedAtNanos = capturedAt;
        nowNanos = now;
        divergence = null;
    }
}
