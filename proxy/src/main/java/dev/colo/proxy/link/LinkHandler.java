package dev.colo.proxy.link;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The end of a link's pipeline: frames to the receiver, the connection's life to the link, and every way
 * a connection ends turned into one reason. The first reason given wins; errors that follow it (a write
 * failing on a connection we are closing) are consequences, not news.
 */
final class LinkHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = Logger.getLogger(LinkHandler.class.getName());
    private static final AttributeKey<String> CLOSE_REASON = AttributeKey.valueOf(LinkHandler.class, "closeReason");

    private final AbstractFrameLink link;
    private String peer;

    LinkHandler(AbstractFrameLink link) {
        this.link = link;
    }

    /** Closes the connection, with this reason unless it already has one. */
    static void closeWith(Channel ch, String reason) {
        ch.attr(CLOSE_REASON).setIfAbsent(reason);
        ch.close();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        peer = LinkTransport.describe(ctx.channel().remoteAddress());
        link.linkUp(ctx.channel(), peer);
        ctx.fireChannelActive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Channel ch = ctx.channel();
        String who = peer != null ? peer : LinkTransport.describe(ch.remoteAddress());
        if (ch.hasAttr(CLOSE_REASON)) {
            LOG.log(Level.FINE, () -> link.name() + ": after closing the link to " + who + ": " + cause);
            return;
        }
        if (cause instanceof LinkProtocolException) {
            link.stats().protocolErrors.incrementAndGet();
            String reason = "protocol error from " + who + ": " + cause.getMessage();
            link.refused("protocol error", who, reason);
            closeWith(ch, reason);
        } else if (cause instanceof IOException) {
            closeWith(ch, "link to " + who + " lost: " + cause.getMessage());
        } else {
            // Counted in episodes (a churn of strangers can make many); the stack trace at FINE.
            LOG.log(Level.FINE, link.name() + ": unexpected error on the link to " + who, cause);
            link.refused("failed: " + cause.getClass().getSimpleName(), who, "unexpected error on the link to " + who + ": " + cause);
            closeWith(ch, "link to " + who + " failed: " + cause);
        }
    }

    /** The peer finished sending (half-closure is allowed so that paused frames are delivered first): the link ends. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
            ctx.channel().close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        link.writabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        String reason = ctx.channel().attr(CLOSE_REASON).get();
        link.linkDown(ctx.channel(), reason != null ? reason : "link to " + peer + " closed by the peer");
        ctx.fireChannelInactive();
    }
}
