package dev.colo.proxy.link;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A handler that checks its connection on the event loop every fifth of a deadline while the connection is active
 * (so what it watches for is found at most 20 % late), and stops with the connection. Subclasses say what to check.
 */
abstract class PeriodicCheck extends ChannelInboundHandlerAdapter {
    private final Duration deadline;
    private ScheduledFuture<?> check;

    PeriodicCheck(Duration deadline) {
        this.deadline = deadline;
    }

    /** On the event loop, every period while active. */
    abstract void check(ChannelHandlerContext ctx);

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        long period = Math.max(10, Math.min(1000, deadline.toMillis() / 5));
        check = ctx.executor().scheduleAtFixedRate(() -> check(ctx), period, period, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    /** No more checks (the connection is being closed by the subclass). */
    final void cancel() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }
}
