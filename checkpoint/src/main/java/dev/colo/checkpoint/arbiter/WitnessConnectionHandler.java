package dev.colo.checkpoint.arbiter;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;

/** One client connection: answers each request line, and drops the client when it goes silent or breaks the framing. */
final class WitnessConnectionHandler extends SimpleChannelInboundHandler<String> {
    private final WitnessRequests requests;
    private final dev.colo.ops.EpisodeLog refusals;

    WitnessConnectionHandler(WitnessRequests requests, dev.colo.ops.EpisodeLog refusals) {
        this.requests = requests;
        this.refusals = refusals;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, String line) {
        String answer = requests.answer(line);
        if (answer.startsWith(WitnessProtocol.ERROR)) {
            refused(ctx, answer.substring(WitnessProtocol.ERROR.length()).trim());
        }
        ctx.write(answer + "\n");
    }

    /** Counted by the reason's first words (names and numbers in it vary), logged once per episode. */
    private void refused(ChannelHandlerContext ctx, String reason) {
        String peer = String.valueOf(ctx.channel().remoteAddress()).replaceFirst("^/", "");
        String key = reason.split("[:(]", 2)[0].trim();
        key = key.length() > 40 ? key.substring(0, 40) : key;
        refusals.record(key, peer, "refused " + peer + ": " + reason);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // One flush per read batch: a client that pipelines requests gets its replies in one write.
        ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // A client that sends requests but does not read replies is not read from either, so its replies
        // cannot pile up; if it stays that way the idle timeout closes it.
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            // Silent or half-open: free the slot for a client that talks.
            refused(ctx, "silent client dropped");
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            // The line end is lost, so what follows cannot be trusted: say why and hang up.
            refused(ctx, "line longer than " + WitnessProtocol.MAX_LINE_BYTES + " bytes");
            ctx.writeAndFlush(WitnessProtocol.error("line longer than " + WitnessProtocol.MAX_LINE_BYTES + " bytes") + "\n")
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        // Resets and other I/O failures concern only this client.
        ctx.close();
    }
}
