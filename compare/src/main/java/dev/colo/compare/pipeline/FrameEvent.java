package dev.colo.compare.pipeline;

import dev.colo.compare.packet.FrameInfo;

/** One slot of the inbound ring: a frame copied in by the ingest stage, decoded in place by the parse stage. */
public final class FrameEvent {
    public static final int FRAME = 0;
    /** No frame: the clock advanced (live timer tick). */
    public static final int TICK = 1;
    /** Input ended: drain held output if asked, then pass an end marker to the emit stage. */
    public static final int END = 2;
    /** The secondary is lost: release everything held, compare nothing until protection resumes. */
    public static final int UNPROTECT = 3;
    /** A secondary is in sync again: compare from a clean slate. */
    public static final int PROTECT = 4;

    private static final int INITIAL_CAPACITY = 2048;

    int type;
    int side;
    int linkType;
    long timestampNanos;
    byte[] data = new byte[INITIAL_CAPACITY];
    int length;
    boolean drain;
    final FrameInfo info = new FrameInfo();

    void setFrame(int side, long timestampNanos, int linkType, byte[] src, int offset, int len) {
        if (data.length < len) {
            // Grows once per slot to the largest frame seen (a GSO super-frame), then never again.
            data = new byte[Math.max(len, data.length * 2)];
        }
        System.arraycopy(src, offset, data, 0, len);
        this.type = FRAME;
        this.side = side;
        this.linkType = linkType;
        this.timestampNanos = timestampNanos;
        this.length = len;
    }

    /** Copies the frame between {@code src}'s position and limit (position unchanged): live capture buffers. */
    void setFrame(int side, long timestampNanos, int linkType, java.nio.ByteBuffer src) {
        int len = src.remaining();
        if (data.length < len) {
            data = new byte[Math.max(len, data.length * 2)];
        }
        src.get(src.position(), data, 0, len);
        this.type = FRAME;
        this.side = side;
        this.linkType = linkType;
        this.timestampNanos = timestampNanos;
        this.length = len;
    }

    void setControl(int type, long timestampNanos, boolean drain) {
        this.type = type;
        this.drain = drain;
        this.timestampNanos = timestampNanos;
        this.length = 0;
    }
}
