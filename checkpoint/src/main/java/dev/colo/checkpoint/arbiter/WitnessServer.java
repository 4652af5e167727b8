package dev.colo.checkpoint.arbiter;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The witness: a small TCP service on a third machine that hands out one lease per cluster, so that of two
 * replicas that cannot see each other only the one holding the lease acts as primary.
 *
 * <p>Speaks the line protocol of {@link WitnessProtocol}. Every client is served by one I/O thread that never
 * blocks; garbage, oversized lines, silent, half-open and slow clients cost at most one connection slot,
 * and the slots are bounded.
 *
 * <p>Leases live in memory only. A restarted witness has forgotten them, so after a start with
 * {@link #restartQuietPeriod(boolean)} on it keeps a quiet period: for 1.5 x the ttl a claim names (the longest a lease of the previous run can still be trusted, with
 * the handover margin), a free lease is granted only to a RENEW, which a node sends while it holds the lease;
 * a takeover (CLAIM) is refused. The old primary's next renewal re-establishes its lease at once.
 *
 * <p>Grant rule and fencing margin: a lease is kept 1.5 x ttl after the claim that renewed it arrived, on this
 * witness's clock, and only then granted to another node. Its holder stops releasing output (fences itself)
 * {@link WitnessArbiter#FENCE_AT_PERCENT} % of the ttl after it sent that claim, on its own clock: 0.7 x ttl
 * earlier, enough for clock rates differing by about 35 %.
 */
public final class WitnessServer implements AutoCloseable {
    /** Default TCP port of {@code colo witness}: unassigned by IANA and clear of Ceph's 7480. */
    public static final int DEFAULT_PORT = 7478;
    public static final int DEFAULT_MAX_CONNECTIONS = 1024;
    /** Well above the longest renew interval (ttl/3 with the 60 s maximum ttl), so live holders are never cut off. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** How often expired leases are dropped (and logged) when nobody asks about them. */
    static final Duration EXPIRY_SWEEP_INTERVAL = Duration.ofMillis(100);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);
    /** One thread is plenty: each request is a map lookup. */
    private static final int IO_THREADS = 1;

    /** Resource bounds of a witness. */
    public record Limits(int maxConnections, Duration idleTimeout, int maxClusters) {
        public static final Limits DEFAULTS =
                new Limits(DEFAULT_MAX_CONNECTIONS, DEFAULT_IDLE_TIMEOUT, LeaseTable.DEFAULT_MAX_CLUSTERS);

        public Limits {
            if (maxConnections < 1 || maxClusters < 1) {
                throw new IllegalArgumentException("limits must be positive");
            }
            if (idleTimeout.isNegative() || idleTimeout.isZero()) {
                throw new IllegalArgumentException("idleTimeout must be positive, got " + idleTimeout);
            }
        }
    }

    private final InetSocketAddress bind;
    private final Limits limits;
    private final LeaseTable leases;
    /** Refused requests and connections, told to the lease listener (colo witness's log) as episodes with counters. */
    private final dev.colo.ops.EpisodeLog refusals;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean restartQuietPeriod;
    private EventLoopGroup group;
    private Channel serverChannel;

    public WitnessServer(InetSocketAddress bind) {
        this(bind, System::nanoTime);
    }

    /** @param nanoTime the lease clock ({@link System#nanoTime()} outside tests) */
    public WitnessServer(InetSocketAddress bind, LongSupplier nanoTime) {
        this(bind, nanoTime, LeaseListener.NONE, Limits.DEFAULTS);
    }

    public WitnessServer(InetSocketAddress bind, LongSupplier nanoTime, LeaseListener listener, Limits limits) {
        this.bind = Objects.requireNonNull(bind, "bind");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.leases = new LeaseTable(nanoTime, listener, limits.maxClusters());
        this.refusals = new dev.colo.ops.EpisodeLog("witness", "refusals", REFUSAL_EPISODE,
                line -> listener.onLeaseChange(LeaseEvent.refusals(line)), nanoTime);
    }

    /** How long an episode of refusals is summed up before its summary line. */
    static final Duration REFUSAL_EPISODE = Duration.ofSeconds(10);

    /** Refusals so far (bad requests, oversized lines, silent clients, too many connections). */
    public dev.colo.ops.EpisodeLog refusals() {
        return refusals;
    }

    /**
     * Keeps the quiet period after start (see the class comment): for 1.5 x the claimed ttl, a free lease goes
     * to renewals (RENEW) only, never to a takeover (CLAIM). Off unless asked for, so that tools and tests that
     * start a witness together with its clients are served at once; a witness that may be restarted under
     * live replicas ({@code colo witness}) should turn it on. Call before {@link #start()}.
     */
    public WitnessServer restartQuietPeriod(boolean on) {
        restartQuietPeriod = on;
        return this;
    }

    public boolean restartQuietPeriod() {
        return restartQuietPeriod;
    }

    /** Binds and starts serving; returns the bound address (the real port when {@code bind} asked for port 0). */
    public synchronized InetSocketAddress start() throws IOException {
        if (group != null) {
            throw new IllegalStateException("already started");
        }
        group = new MultiThreadIoEventLoopGroup(IO_THREADS, new DefaultThreadFactory("colo-witness"),
                NioIoHandler.newFactory());
        if (restartQuietPeriod) {
            leases.startQuietPeriod(); // a lease of the previous run may still be live: no takeover for now
        }
        ConnectionLimiter limiter = new ConnectionLimiter(limits.maxConnections(), refusals);
        WitnessRequests requests = new WitnessRequests(leases);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(
                                new StringEncoder(StandardCharsets.UTF_8),
                                limiter,
                                new IdleStateHandler(limits.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS),
                                new LineBasedFrameDecoder(WitnessProtocol.MAX_LINE_BYTES, true, true),
                                new StringDecoder(StandardCharsets.UTF_8),
                                new WitnessConnectionHandler(requests, refusals));
                    }
                });
        try {
            serverChannel = bootstrap.bind(bind).sync().channel();
        } catch (Exception e) {
            close();
            throw new IOException("cannot listen on " + bind + ": " + e.getMessage(), e);
        }
        long sweepMillis = EXPIRY_SWEEP_INTERVAL.toMillis();
        group.next().scheduleAtFixedRate(leases::expireStale, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
        long episodeMillis = REFUSAL_EPISODE.toMillis();
        group.next().scheduleAtFixedRate(refusals::flushIfDue, episodeMillis, episodeMillis, TimeUnit.MILLISECONDS);
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Blocks until {@link #close()} has finished (from another thread or a shutdown hook). */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    /** Stops listening and drops every client; leases are forgotten (holders re-claim from a restarted witness). */
    @Override
    public synchronized void close() {
        if (group == null) {
            closed.countDown();
            return;
        }
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
        }
        // Shutting the loop down closes every client connection too.
        group.shutdownGracefully(0, SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).awaitUninterruptibly();
        closed.countDown();
    }
}
