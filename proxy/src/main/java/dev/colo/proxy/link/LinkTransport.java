package dev.colo.proxy.link;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.logging.Logger;
import jdk.net.ExtendedSocketOptions;

/**
 * Native epoll where the platform has it (Linux), else NIO (or NIO when the system property
 * {@code colo.link.transport=nio} asks for it); and the socket options of every link.
 */
final class LinkTransport {
    private static final Logger LOG = Logger.getLogger(LinkTransport.class.getName());
    static final boolean EPOLL = !"nio".equals(System.getProperty("colo.link.transport")) && Epoll.isAvailable();

    private LinkTransport() {
    }

    /** One thread per link: its acceptor, its connection and its send batching all live there. */
    static EventLoopGroup newLoop(String linkName) {
        return new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("colo-link-" + linkName, true),
                EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    static String name() {
        return EPOLL ? "epoll" : "nio";
    }

    static Class<? extends ServerChannel> serverChannelClass() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    static Class<? extends Channel> channelClass() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** Options of a connected (or connecting) socket; set on the channel so one place serves both roles. */
    static void configure(Channel ch, LinkConfig c) {
        // The pooled allocator recycles its buffer objects and keeps per-thread caches: a frame costs no
        // allocation. Netty 4.2's default (adaptive) allocated ~2-4 KB of heap per frame here.
        set(ch, ChannelOption.ALLOCATOR, io.netty.buffer.PooledByteBufAllocator.DEFAULT);
        set(ch, ChannelOption.TCP_NODELAY, true);
        set(ch, ChannelOption.SO_KEEPALIVE, true);
        // One read (at most 64 KiB) per connection per loop turn: a node's inputs take turns in small steps, so
        // one replica's stream does not run thousands of frames ahead of its twin's merely by being read first.
        if (ch.config().getRecvByteBufAllocator() instanceof io.netty.channel.MaxMessagesRecvByteBufAllocator m) {
            m.maxMessagesPerRead(1);
        }
        // The peer's end arrives as an event, so frames waiting in a paused link are delivered before it closes.
        set(ch, ChannelOption.ALLOW_HALF_CLOSURE, true);
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(c.writeLowWater(), c.writeHighWater()));
        int idle = (int) c.keepAliveIdle().getSeconds();
        int interval = (int) c.keepAliveInterval().getSeconds();
        if (ch instanceof EpollSocketChannel) {
            set(ch, EpollChannelOption.TCP_KEEPIDLE, idle);
            set(ch, EpollChannelOption.TCP_KEEPINTVL, interval);
            set(ch, EpollChannelOption.TCP_KEEPCNT, c.keepAliveCount());
            set(ch, EpollChannelOption.TCP_USER_TIMEOUT, (int) c.tcpUserTimeout().toMillis());
        } else {
            set(ch, NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), idle);
            set(ch, NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), interval);
            set(ch, NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), c.keepAliveCount());
        }
    }

    /** Netty only logs (and our logging may not show it) when an option is not supported: say it here. */
    private static <T> void set(Channel ch, ChannelOption<T> option, T value) {
        if (!ch.config().setOption(option, value)) {
            LOG.warning(() -> "socket option " + option + " not supported by " + ch.getClass().getSimpleName()
                    + ": a dead or stuck peer may be noticed later than configured");
        }
    }

    /** "10.0.0.2:7480" (no leading slash, no reverse lookup); IPv6 in brackets. */
    static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            InetSocketAddress a = (InetSocketAddress) address;
            String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
        }
        return String.valueOf(address);
    }
}
