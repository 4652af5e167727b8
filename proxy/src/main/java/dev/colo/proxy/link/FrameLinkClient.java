package dev.colo.proxy.link;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The connecting end of a link (what QEMU's {@code -chardev socket,reconnect=N} is): connects in the
 * background and again after every disconnect or failed attempt, after the reconnect delay, until closed.
 */
public final class FrameLinkClient extends AbstractFrameLink {
    private static final Logger LOG = Logger.getLogger(FrameLinkClient.class.getName());

    private final InetSocketAddress remote;
    private final Bootstrap bootstrap;
    /** The connection being made or made; event loop only. */
    private Channel current;
    /** Whether the current run of failed attempts was logged at INFO already; event loop only. */
    private boolean unreachableLogged;

    /** Starts connecting to {@code remote}; returns at once. */
    public FrameLinkClient(String name, InetSocketAddress remote, LinkConfig config, FrameReceiver receiver) {
        this(name, remote, config, receiver, null);
    }

    /** As above, on {@code sharedLoop} (a node's event loop, left running when the link closes) when not null. */
    public FrameLinkClient(String name, InetSocketAddress remote, LinkConfig config, FrameReceiver receiver,
            io.netty.channel.EventLoop sharedLoop) {
        super(name, config, receiver, sharedLoop);
        this.remote = remote;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(LinkTransport.channelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, this.config.connectTimeout().toMillis()))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        initPipeline(ch);
                    }
                });
        loop.execute(this::connect);
    }

    public InetSocketAddress remoteAddress() {
        return remote;
    }

    /** On the event loop. */
    private void connect() {
        if (closed) {
            return;
        }
        ChannelFuture f = bootstrap.connect(remote);
        current = f.channel();
        f.addListener((ChannelFuture done) -> {
            if (done.isSuccess()) {
                unreachableLogged = false;
                done.channel().closeFuture().addListener(gone -> reconnectLater());
            } else {
                unreachable(done.cause());
                reconnectLater();
            }
        });
    }

    private void unreachable(Throwable cause) {
        if (closed) {
            return;
        }
        String what = name + ": cannot connect to " + LinkTransport.describe(remote) + ": " + cause.getMessage()
                + "; retrying every " + WriteStallDetector.format(config.reconnectDelay());
        if (!unreachableLogged) {
            unreachableLogged = true;
            LOG.info(what);
        } else {
            LOG.fine(what);
        }
    }

    private void reconnectLater() {
        if (closed) {
            return;
        }
        try {
            loop.schedule(this::connect, config.reconnectDelay().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            LOG.log(Level.FINE, name + ": not reconnecting, the link is closing", e);
        }
    }

    @Override
    protected void closeChannels() {
        Channel ch = current;
        if (ch != null && ch.isActive()) {
            closeLocally(ch);
        } else if (ch != null) {
            ch.close(); // a connection attempt in progress
        }
    }

    @Override
    public String describe() {
        String state = closed ? "closed" : isConnected() ? "connected" : "connecting";
        return name + " to " + LinkTransport.describe(remote) + " (" + state + ")";
    }

    @Override
    public String toString() {
        return describe();
    }
}
