package dev.colo.compare;

import java.util.Arrays;

/**
 * One divergence: why, where, and the first differing bytes of both sides. A single instance is
 * reused by the comparator; listeners copy what they keep ({@link #copy()}).
 */
public final class Divergence {
    /** Bytes of context kept from each side around the first difference. */
    public static final int WINDOW = 64;
    public static final int CONTEXT_BEFORE = 16;

    CheckpointReason reason;
    Side side;
    String flow;
    String detail;
    long timeNanos;
    long streamOffset;
    final byte[] primaryBytes = new byte[WINDOW];
    final byte[] secondaryBytes = new byte[WINDOW];
    int primaryLength;
    int secondaryLength;
    int primaryDiffIndex = -1;
    int secondaryDiffIndex = -1;
    byte[] primaryFrame = new byte[0];
    byte[] secondaryFrame = new byte[0];
    int primaryFrameLength;
    int secondaryFrameLength;
    long primaryFrameTime;
    long secondaryFrameTime;

    void reset(CheckpointReason r, Side s, String flowName, long now) {
        reason = r;
        side = s;
        flow = flowName;
        detail = "";
        timeNanos = now;
        streamOffset = -1;
        primaryLength = secondaryLength = 0;
        primaryDiffIndex = secondaryDiffIndex = -1;
        primaryFrameLength = secondaryFrameLength = 0;
    }

    void primaryWindow(byte[] src, int dataStart, int diffAt, int dataEnd) {
        int from = Math.max(dataStart, diffAt - CONTEXT_BEFORE);
        primaryLength = Math.min(WINDOW, dataEnd - from);
        System.arraycopy(src, from, primaryBytes, 0, primaryLength);
        primaryDiffIndex = diffAt - from;
    }

    void secondaryWindow(byte[] src, int dataStart, int diffAt, int dataEnd) {
        int from = Math.max(dataStart, diffAt - CONTEXT_BEFORE);
        secondaryLength = Math.min(WINDOW, dataEnd - from);
        System.arraycopy(src, from, secondaryBytes, 0, secondaryLength);
        secondaryDiffIndex = diffAt - from;
    }

    void primaryFrame(byte[] src, int off, int len, long ts) {
        if (primaryFrame.length < len) {
            primaryFrame = new byte[len];
        }
        System.arraycopy(src, off, primaryFrame, 0, len);
        primaryFrameLength = len;
        primaryFrameTime = ts;
    }

    void secondaryFrame(byte[] src, int off, int len, long ts) {
        if (secondaryFrame.length < len) {
            secondaryFrame = new byte[len];
        }
        System.arraycopy(src, off, secondaryFrame, 0, len);
        secondaryFrameLength = len;
        secondaryFrameTime = ts;
    }

    public CheckpointReason reason() {
        return reason;
    }

    /** The side whose frame waited or overflowed (timeouts and queue limits), or PRIMARY for mismatches. */
    public Side side() {
        return side;
    }

    public String flow() {
        return flow;
    }

    public String detail() {
        return detail;
    }

    public long timeNanos() {
        return timeNanos;
    }

    /** TCP: offset of the first difference in the primary's stream (relative to its ISN); -1 when not a stream position. */
    public long streamOffset() {
        return streamOffset;
    }

    public byte[] primaryBytes() {
        return Arrays.copyOf(primaryBytes, primaryLength);
    }

    public byte[] secondaryBytes() {
        return Arrays.copyOf(secondaryBytes, secondaryLength);
    }

    /** Index in {@link #primaryBytes()} of the first differing byte, or -1. */
    public int primaryDiffIndex() {
        return primaryDiffIndex;
    }

    public int secondaryDiffIndex() {
        return secondaryDiffIndex;
    }

    public byte[] primaryFrame() {
        return Arrays.copyOf(primaryFrame, primaryFrameLength);
    }

    public byte[] secondaryFrame() {
        return Arrays.copyOf(secondaryFrame, secondaryFrameLength);
    }

    public long primaryFrameTime() {
        return primaryFrameTime;
    }

    public long secondaryFrameTime() {
        return secondaryFrameTime;
    }

    public Divergence copy() {
        Divergence d = new Divergence();
        d.reset(reason, side, flow, timeNanos);
        d.detail = detail;
        d.streamOffset = streamOffset;
        System.arraycopy(primaryBytes, 0, d.primaryBytes, 0, primaryLength);
        System.arraycopy(secondaryBytes, 0, d.secondaryBytes, 0, secondaryLength);
        d.primaryLength = primaryLength;
        d.secondaryLength = secondaryLength;
        d.primaryDiffIndex = primaryDiffIndex;
        d.secondaryDiffIndex = secondaryDiffIndex;
        d.primaryFrame = primaryFrame();
        d.secondaryFrame = secondaryFrame();
        d.primaryFrameLength = primaryFrameLength;
        d.secondaryFrameLength = secondaryFrameLength;
        d.primaryFrameTime = primaryFrameTime;
        d.secondaryFrameTime = secondaryFrameTime;
        return d;
    }

    @Override
    public String toString() {
        return reason + " " + flow + (streamOffset >= 0 ? " @" + streamOffset : "") + (detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
