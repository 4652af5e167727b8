package dev.colo.proxy.link;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The listening end of a link (what QEMU's {@code -chardev socket,server=on} is): one peer at a time. A
 * second connection while one is up is closed at once and counted ({@link LinkStats#refusedPeers}): two
 * writers interleaving frames on one stream would be worse than refusing one.
 */
public final class FrameLinkServer extends AbstractFrameLink {
    private static final Logger LOG = Logger.getLogger(FrameLinkServer.class.getName());

    private final Channel serverChannel;
    private final InetSocketAddress boundAddress;
    /** The connected peer; written on the event loop only. */
    private volatile Channel peer;

    /**
     * Listens on {@code address} (port 0: any free port, see {@link #boundAddress()}).
     *
     * @throws IOException if the address cannot be bound
     */
    public FrameLinkServer(String name, InetSocketAddress address, LinkConfig config, FrameReceiver receiver)
            throws IOException {
        this(name, address, config, receiver, null);
    }

    /** As above, on {@code sharedLoop} (a node's event loop, left running when the link closes) when not null. */
    public FrameLinkServer(String name, InetSocketAddress address, LinkConfig config, FrameReceiver receiver,
            io.netty.channel.EventLoop sharedLoop) throws IOException {
        super(name, config, receiver, sharedLoop);
        ServerBootstrap b = new ServerBootstrap()
                .group(loop, loop)
                .channel(LinkTransport.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accept(ch);
                    }
                });
        ChannelFuture bound = b.bind(address).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            super.close();
            Throwable cause = bound.cause();
            throw new IOException(name + ": cannot listen on " + LinkTransport.describe(address) + ": " + cause.getMessage(), cause);
        }
        serverChannel = bound.channel();
        boundAddress = (InetSocketAddress) serverChannel.localAddress();
        LOG.info(() -> name + ": listening on " + LinkTransport.describe(boundAddress) + " (" + LinkTransport.name() + ", " + this.config + ")");
    }

    /** The address actually bound (the port chosen when 0 was asked for). */
    public InetSocketAddress boundAddress() {
        return boundAddress;
    }

    /** On the event loop, for each accepted connection. */
    private void accept(Channel ch) {
        Channel current = peer;
        if (closed || current != null) {
            stats.refusedPeers.incrementAndGet();
            String who = LinkTransport.describe(ch.remoteAddress());
            if (closed) {
                refused("closing", who, "the link is closing");
            } else if (config.peerSends() && isStranger(current)) {
                // The slot's holder never sent a whole frame: it gives way, and this newcomer's next attempt gets in.
                String holder = LinkTransport.describe(current.remoteAddress());
                refused("stranger displaced", holder, holder + " sent no frame in " + config.frameDeadline().toMillis()
                        + " ms: dropped for the newcomer " + who + " (refused this once, its next attempt gets in)");
                LinkHandler.closeWith(current, "link to " + holder + " dropped: no frame sent, a newcomer is waiting");
            } else {
                refused("already connected", who, "already connected to " + LinkTransport.describe(current.remoteAddress()));
            }
            ch.close();
            return;
        }
        try {
            initPipeline(ch);
        } catch (RuntimeException e) {
            // Without its handler the connection would hold the peer slot forever: drop it instead.
            LOG.log(Level.WARNING, name + ": cannot set up the connection from " + LinkTransport.describe(ch.remoteAddress()), e);
            ch.close();
            return;
        }
        peer = ch;
    }

    private static boolean isStranger(Channel ch) {
        FrameDeadline d = ch.pipeline().get(FrameDeadline.class);
        return d != null && d.isStranger();
    }

    @Override
    protected void released(Channel ch) {
        if (peer == ch) {
            peer = null;
        }
    }

    @Override
    protected void closeChannels() {
        if (serverChannel != null) {
            serverChannel.close();
        }
        closeLocally(peer);
    }

    @Override
    public String describe() {
        Channel p = peer;
        String state = closed ? "closed"
                : p != null && p.isActive() ? "connected to " + LinkTransport.describe(p.remoteAddress()) : "waiting for a peer";
        return name + " on " + LinkTransport.describe(boundAddress) + " (" + state + ")";
    }

    @Override
    public String toString() {
        return describe();
    }
}
