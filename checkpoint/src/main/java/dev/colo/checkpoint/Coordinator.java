package dev.colo.checkpoint;

import dev.colo.checkpoint.arbiter.Arbiter;
import dev.colo.checkpoint.protocol.Message;
import dev.colo.checkpoint.protocol.MessageDecoder;
import dev.colo.checkpoint.protocol.MessageEncoder;
import dev.colo.checkpoint.protocol.ProtocolException;
import dev.colo.checkpoint.protocol.Role;
import dev.colo.checkpoint.protocol.Trigger;
import dev.colo.checkpoint.protocol.Wire;
import dev.colo.checkpoint.vm.ReplicatedVm;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * What both roles share: the link (framing, heartbeats, a timeout on every awaited sync point), an
 * explicit state machine whose every transition is logged and reported, and one thread for the VM
 * so that a long pause, capture or apply never starves the link. All protocol state lives on the
 * link's event loop; VM work posts its result back there.
 */
abstract class Coordinator<S extends Enum<S>> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("dev.colo.checkpoint");

    protected final CheckpointConfig config;
    protected final ReplicatedVm vm;
    protected final Arbiter arbiter;
    protected final CoordinatorListener listener;
    protected final Role role;
    /** Native epoll where the platform has it (Linux), else NIO. */
    static final boolean EPOLL = io.netty.channel.epoll.Epoll.isAvailable();

    protected final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1,
            EPOLL ? io.netty.channel.epoll.EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    protected final ExecutorService vmThread;

    protected volatile S state;
    protected volatile String peer = "";
    protected Channel link;
    private ScheduledFuture<?> syncTimer;
    private long heartbeats;
    /** When the last message arrived on the current link (System.nanoTime()); loop only. */
    protected long lastMessageNanos = System.nanoTime();

    // Status (written on the event loop, read anywhere).
    protected volatile long checkpoints;
    protected final Map<Trigger, Long> byTrigger = new EnumMap<>(Trigger.class);
    protected volatile long aborted;
    protected volatile long lastPauseNanos;
    protected volatile long lastTransferBytes;
    protected volatile long lastTransferNanos;
    protected volatile String failover = "NONE";
    protected volatile String failoverReason = "";

    Coordinator(Role role, S initial, CheckpointConfig config, ReplicatedVm vm, Arbiter arbiter, CoordinatorListener listener) {
        this.role = role;
        this.state = initial;
        this.config = config.validate();
        this.vm = vm;
        this.arbiter = arbiter;
        this.listener = listener;
        this.vmThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "colo-vm-" + role.name().toLowerCase(java.util.Locale.ROOT) + "-" + config.nodeId());
            t.setDaemon(true);
            return t;
        });
    }

    public S state() {
        return state;
    }

    public ColoStatus status() {
        Map<Trigger, Long> copy;
        synchronized (byTrigger) {
            copy = Map.copyOf(byTrigger);
        }
        return new ColoStatus(role, state.name(), peer, isProtected(), checkpoints, copy, aborted,
                lastPauseNanos, lastTransferBytes, lastTransferNanos, failover, failoverReason);
    }

    protected abstract boolean isProtected();

    protected void countCheckpoint(Trigger t) {
        synchronized (byTrigger) {
            byTrigger.merge(t, 1L, Long::sum);
        }
        checkpoints++;
    }

    protected void transition(S to, String why) {
        S from = state;
        if (from == to) {
            return;
        }
        state = to;
        report(from, to, why);
    }

    /** Logs and tells the listener of a transition: as it happens, or later for one made quietly (a handshake). */
    protected void report(S from, S to, String why) {
        // Link-level changes (joins, protection, loss, failover) at INFO; the steps of every checkpoint at FINE.
        java.util.logging.Level level = isCheckpointStep(from, to) ? java.util.logging.Level.FINE : java.util.logging.Level.INFO;
        LOG.log(level, () -> role + " " + config.nodeId() + ": " + from + " -> " + to + (why.isEmpty() ? "" : " (" + why + ")"));
        listener.onTransition(role, from.name(), to.name(), why);
    }

    /** Whether a transition is one of the routine steps inside a checkpoint. */
    protected abstract boolean isCheckpointStep(S from, S to);

    /** The pipeline of one link: framing with a size guard, heartbeats, and the role's handler. */
    protected ChannelInitializer<Channel> linkInitializer() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                long hb = config.heartbeatInterval().toMillis();
                ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(config.writeHighWater() / 2, config.writeHighWater()));
                ch.pipeline().addLast(
                        new IdleStateHandler(hb * config.heartbeatMisses(), hb, 0, TimeUnit.MILLISECONDS),
                        new MessageDecoder(config.maxFrame()),
                        new MessageEncoder(),
                        new LinkHandler());
            }
        };
    }

    protected void send(Message m) {
        Channel c = link;
        if (c != null && c.isActive()) {
            c.writeAndFlush(m);
        } else if (m instanceof Message.StateChunk chunk) {
            chunk.data().release();
        }
    }

    /** Arms the timer for the peer's next sync point; a stalled peer breaks the link. */
    protected void awaitSyncPoint(String what) {
        cancelSyncTimer();
        Channel c = link;
        syncTimer = loop.schedule(() -> {
            if (link == c && c != null) {
                linkFailed(c, "peer stalled: no " + what + " within " + config.syncTimeout().toMillis() + " ms");
            }
        }, config.syncTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    protected void cancelSyncTimer() {
        if (syncTimer != null) {
            syncTimer.cancel(false);
            syncTimer = null;
        }
    }

    /** The link is unusable (closed, lost, stalled, garbage): close it and let the role react once. */
    protected void linkFailed(Channel c, String reason) {
        if (c != link) {
            return;
        }
        cancelSyncTimer();
        link = null;
        c.close();
        onLinkLost(reason);
    }

    protected abstract void onLinkUp(Channel c);

    protected abstract void onMessage(Message m) throws ProtocolException;

    /** What this side's next heartbeat carries: a counter, unless the role needs more (the primary's send time). */
    protected long heartbeatValue() {
        return ++heartbeats;
    }

    /** A heartbeat arrived on the current link (loop). */
    protected void onHeartbeat(Channel c, long value) {
    }

    protected abstract void onLinkLost(String reason);

    /** Runs VM work on the VM thread, then {@code then} on the event loop (unless the link changed meanwhile). */
    protected void onVm(VmTask task, Runnable then, String what) {
        Channel c = link;
        vmThread.execute(() -> {
            try {
                task.run();
                loop.execute(() -> {
                    if (link == c) {
                        then.run();
                    }
                });
            } catch (Exception e) {
                loop.execute(() -> vmFailed(c, what + " failed: " + e.getMessage()));
            }
        });
    }

    /** VM work failed: by default the checkpoint is abandoned over the link. */
    protected abstract void vmFailed(Channel c, String reason);

    @FunctionalInterface
    protected interface VmTask {
        void run() throws Exception;
    }

    protected static ProtocolException outOfTurn(Message m, Enum<?> state) {
        return new ProtocolException(m.type() + " out of turn in state " + state);
    }

    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        loop.submit(() -> {
            Channel c = link;
            link = null;
            cancelSyncTimer();
            if (c != null) {
                c.close();
            }
        }).awaitUninterruptibly(5, TimeUnit.SECONDS);
        closeRole();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        vmThread.shutdownNow();
    }

    protected void closeRole() {
    }

    /** The role's inbound handler: decoded messages, heartbeats, errors. */
    private final class LinkHandler extends SimpleChannelInboundHandler<Message> {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            onLinkUp(ctx.channel());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Message m) {
            if (ctx.channel() != link) {
                if (m instanceof Message.StateChunk chunk) {
                    chunk.data().release();
                }
                return;
            }
            lastMessageNanos = System.nanoTime();
            if (m instanceof Message.Heartbeat heartbeat) {
                onHeartbeat(ctx.channel(), heartbeat.sequence());
                return;
            }
            try {
                onMessage(m);
            } catch (ProtocolException e) {
                if (m instanceof Message.StateChunk chunk && chunk.data().refCnt() > 0) {
                    chunk.data().release();
                }
                linkFailed(ctx.channel(), "protocol error: " + e.getMessage());
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent idle) {
                if (idle.state() == IdleState.WRITER_IDLE) {
                    ctx.writeAndFlush(new Message.Heartbeat(heartbeatValue()));
                } else if (idle.state() == IdleState.READER_IDLE) {
                    linkFailed(ctx.channel(), "peer lost: nothing received for " + config.peerTimeout().toMillis()
                            + " ms (" + config.heartbeatMisses() + " heartbeats missed)");
                }
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            synchronized (Coordinator.this) {
                Coordinator.this.notifyAll();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            linkFailed(ctx.channel(), "link closed by the peer");
            synchronized (Coordinator.this) {
                Coordinator.this.notifyAll();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable root = cause.getCause() instanceof ProtocolException ? cause.getCause() : cause;
            String what = root instanceof ProtocolException ? "protocol error: " : "link error: ";
            linkFailed(ctx.channel(), what + root.getMessage());
        }
    }

    /** Waits (on the VM thread) until the link can take more bytes: bounded memory for any delta. */
    protected boolean awaitWritable(Channel c) throws InterruptedException {
        synchronized (this) {
            while (c.isActive() && !c.isWritable()) {
                wait(50);
            }
        }
        return c.isActive();
    }

    static Class<? extends io.netty.channel.ServerChannel> serverChannelClass() {
        return EPOLL ? io.netty.channel.epoll.EpollServerSocketChannel.class : io.netty.channel.socket.nio.NioServerSocketChannel.class;
    }

    static Class<? extends Channel> channelClass() {
        return EPOLL ? io.netty.channel.epoll.EpollSocketChannel.class : io.netty.channel.socket.nio.NioSocketChannel.class;
    }

    static int maxChunk(CheckpointConfig config) {
        return Math.min(config.chunkSize(), config.maxFrame() - 64);
    }

    /** When a link comes up: our HELLO, and a deadline for the peer's. */
    protected void sayHello() {
        send(new Message.Hello(Wire.MAGIC, Wire.VERSION, role, config.nodeId(), config.clusterId(), vm.identity()));
        awaitSyncPoint("HELLO");
    }

    /**
     * Checks the peer's HELLO; on a mismatch refuses with the reason and closes the link.
     *
     * @return whether the peer was accepted ({@link #peer} is then set)
     */
    protected boolean acceptHello(Message.Hello h, S handshaking) throws ProtocolException {
        if (state != handshaking) {
            throw outOfTurn(h, state);
        }
        Role expected = role == Role.PRIMARY ? Role.SECONDARY : Role.PRIMARY;
        String problem = checkHello(h, expected, config, vm.identity());
        if (problem != null) {
            Channel c = link;
            c.writeAndFlush(new Message.Refused(problem));
            linkFailed(c, "refused " + expected.name().toLowerCase(java.util.Locale.ROOT) + " " + h.nodeId() + ": " + problem);
            return false;
        }
        peer = h.nodeId();
        return true;
    }

    static String checkHello(Message.Hello h, Role expectedRole, CheckpointConfig config, String vmIdentity) {
        if (h.magic() != Wire.MAGIC) {
            return "bad magic 0x" + Integer.toHexString(h.magic()) + " (not a COLO checkpoint link)";
        }
        if (h.version() != Wire.VERSION) {
            return "protocol version " + h.version() + " not supported (this node speaks " + Wire.VERSION + ")";
        }
        if (h.role() != expectedRole) {
            return "peer says it is " + h.role() + ", expected " + expectedRole;
        }
        if (!h.clusterId().equals(config.clusterId())) {
            return "cluster '" + h.clusterId() + "' is not this node's cluster '" + config.clusterId() + "'";
        }
        if (!h.vmIdentity().equals(vmIdentity)) {
            return "VM '" + h.vmIdentity() + "' does not match this node's VM '" + vmIdentity + "'";
        }
        return null;
    }
}
