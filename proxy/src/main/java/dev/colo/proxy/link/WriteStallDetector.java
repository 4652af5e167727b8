package dev.colo.proxy.link;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import java.time.Duration;

/**
 * Closes a connection whose peer stopped reading: bytes wait in the outbound buffer and none of them
 * reached the socket for the stall timeout. A quiet link with nothing to send is never stalled (QEMU
 * sends no heartbeats). Progress is measured in bytes (handed to the channel minus still unsent), which a
 * slow but moving peer always makes.
 */
final class WriteStallDetector extends PeriodicCheck {
    private final OutboundFrames frames;
    private final Duration timeout;
    /** Bytes that had reached the socket at the last change; -1: nothing was pending. */
    private long lastWritten = -1;
    private long unchangedSince;

    WriteStallDetector(OutboundFrames frames, Duration timeout) {
        super(timeout);
        this.frames = frames;
        this.timeout = timeout;
    }

    @Override
    void check(ChannelHandlerContext ctx) {
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        if (out == null || out.current() == null) {
            lastWritten = -1;
            return;
        }
        long unsent = unsentBytes(out);
        long written = frames.bytesToChannel() - unsent;
        long now = System.nanoTime();
        if (lastWritten < 0 || written != lastWritten) {
            lastWritten = written;
            unchangedSince = now;
        } else if (now - unchangedSince >= timeout.toNanos()) {
            cancel();
            LinkHandler.closeWith(ctx.channel(), "link to " + LinkTransport.describe(ctx.channel().remoteAddress())
                    + " stalled: " + unsent + " bytes unsent for " + format(timeout));
        }
    }

    private static long unsentBytes(ChannelOutboundBuffer out) {
        long[] sum = {0};
        try {
            out.forEachFlushedMessage(msg -> {
                if (msg instanceof ByteBuf) {
                    sum[0] += ((ByteBuf) msg).readableBytes();
                }
                return true;
            });
        } catch (Exception e) {
            throw new IllegalStateException(e); // the processor above throws nothing
        }
        return sum[0];
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
