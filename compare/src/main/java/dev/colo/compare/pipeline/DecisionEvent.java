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
    byte[] data = new byte[2048];
    int length;
    long capturedAtNanos;
    long nowNanos;
    /** Copied for the rare events only; the release path never allocates. */
    Divergence divergence;
    int releasedPrimary;
    int droppedSecondary;
    String rule;
    String flow;

    void setRelease(byte[] src, int offset, int len, long capturedAt, long now) {
        if (data.length < len) {
            data = new byte[Math.max(len, data.length * 2)];
        }
        System.arraycopy(src, offset, data, 0, len);
        type = RELEASE;
        length = len;
        capturedAtNanos = capturedAt;
        nowNanos = now;
        divergence = null;
    }
}
