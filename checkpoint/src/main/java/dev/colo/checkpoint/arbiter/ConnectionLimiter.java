package dev.colo.checkpoint.arbiter;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;

/** Turns away connections past a limit, so a flood of clients cannot exhaust the witness's file descriptors. */
@ChannelHandler.Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
    private final int maxConnections;
    private final AtomicInteger open = new AtomicInteger();
    private final dev.colo.ops.EpisodeLog refusals;

    ConnectionLimiter(int maxConnections, dev.colo.ops.EpisodeLog refusals) {
        this.refusals = refusals;
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be positive, got " + maxConnections);
        }
        this.maxConnections = maxConnections;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // Counted before the check and uncounted in channelInactive, which follows every channelActive.
        if (open.incrementAndGet() > maxConnections) {
            String peer = String.valueOf(ctx.channel().remoteAddress()).replaceFirst("^/", "");
            refusals.record("too many connections", peer, "refused " + peer + ": too many connections (limit " + maxConnections + ")");
            ctx.channel().config().setAutoRead(false);
            ctx.writeAndFlush(WitnessProtocol.error("too many connections (limit " + maxConnections + ")") + "\n")
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        open.decrementAndGet();
        ctx.fireChannelInactive();
    }

    int openConnections() {
        return open.get();
    }
}
