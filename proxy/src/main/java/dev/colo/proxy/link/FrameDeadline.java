package dev.colo.proxy.link;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Bounds the wait for a frame a peer has started: bytes of a frame that is still incomplete after the deadline end
 * the connection (a one-byte-a-second stranger, a peer that died or hangs mid-frame). QEMU's format has no handshake
 * and no keepalive, so an idle peer with no partial frame is left alone; one that never sent a whole frame is a
 * stranger the server may displace for a newcomer ({@link #isStranger}). While the link pauses receiving, the bytes
 * waiting are ours to read, not the peer's fault: the clock restarts. Sits before the decoder; the decoder tells it
 * of each complete frame ({@link #frameDone}). Event loop only; nothing allocated per frame.
 */
final class FrameDeadline extends PeriodicCheck {
    /** Told when the deadline ends a connection. */
    interface Expiry {
        void expired(ChannelHandlerContext ctx, String reason, boolean sawFrame);
    }

    private final long deadlineNanos;
    private final Duration deadline;
    private final BooleanSupplier paused;
    private final Expiry expiry;
    private long connectedAt;
    private long partialSince = -1;
    private boolean sawFrame;
    private boolean frameThisRead;
    private int pendingAfterFrame;

    FrameDeadline(Duration deadline, BooleanSupplier paused, Expiry expiry) {
        super(deadline);
        this.deadline = deadline;
        this.deadlineNanos = deadline.toNanos();
        this.paused = paused;
        this.expiry = expiry;
    }

    /** From the decoder, for each complete frame: what is left in {@code in} is the start of the next one. */
    void frameDone(ByteBuf in) {
        sawFrame = true;
        frameThisRead = true;
        pendingAfterFrame = in.readableBytes();
    }

    /** Connected for at least the deadline without one complete frame. */
    boolean isStranger() {
        return !sawFrame && System.nanoTime() - connectedAt >= deadlineNanos;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connectedAt = System.nanoTime();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        boolean bytes = msg instanceof ByteBuf b && b.isReadable();
        frameThisRead = false;
        ctx.fireChannelRead(msg); // the decoder runs now and calls frameDone for each frame it completes
        if (frameThisRead) {
            partialSince = pendingAfterFrame > 0 ? System.nanoTime() : -1;
        } else if (bytes && partialSince < 0) {
            partialSince = System.nanoTime();
        }
    }

    @Override
    void check(ChannelHandlerContext ctx) {
        long now = System.nanoTime();
        if (paused.getAsBoolean()) {
            partialSince = partialSince >= 0 ? now : -1;
            return;
        }
        if (partialSince >= 0 && now - partialSince >= deadlineNanos) {
            cancel();
            expiry.expired(ctx, (sawFrame ? "a frame" : "its first frame") + " still incomplete "
                    + WriteStallDetector.format(deadline) + " after it began", sawFrame);
        }
    }
}
