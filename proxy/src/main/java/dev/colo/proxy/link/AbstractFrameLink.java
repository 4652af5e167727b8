package dev.colo.proxy.link;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What the server and the client share: one event-loop thread that owns the link's connection, the
 * pipeline of a connection, sending, delivery to the receiver and the lifecycle of connections.
 */
abstract class AbstractFrameLink implements FrameLink {
    private final Logger log = Logger.getLogger(getClass().getName());

    protected final String name;
    protected final LinkConfig config;
    protected final FrameReceiver receiver;
    protected final LinkStats stats = new LinkStats();
    private final EventLoopGroup group;
    /** False when the loop belongs to the node (shared by its links and ports): closing the link leaves it running. */
    private final boolean ownsLoop;
    /** The link's one thread: acceptor, connection, drain task and timers. */
    protected final EventLoop loop;
    protected final OutboundFrames frames;
    protected volatile boolean closed;
    private volatile boolean warnedReceiver;
    /** Where each received frame is handed to the receiver from; event loop only. */
    private final ByteBuffer received;
    /** Event loop only: receiving is paused (the decoder delivers nothing, the socket is not read). */
    private boolean receivingPaused;
    private volatile Runnable writabilityListener = () -> { };
    /** Refused, dropped and broken connections, as episodes (a flood of strangers costs a few lines). */
    protected final dev.colo.ops.EpisodeLog refusals;
    /** Connects and disconnects, as episodes: the real peer's are logged as before, a churn of strangers is counted. */
    private final dev.colo.ops.EpisodeLog churn;
    private final io.netty.util.concurrent.ScheduledFuture<?> episodeFlush;

    /** @param sharedLoop the node's event loop to run on, or null for a thread of the link's own */
    AbstractFrameLink(String name, LinkConfig config, FrameReceiver receiver, EventLoop sharedLoop) {
        this.name = Objects.requireNonNull(name, "name");
        this.config = config.copy().validate();
        this.receiver = Objects.requireNonNull(receiver, "receiver");
        this.ownsLoop = sharedLoop == null;
        this.group = ownsLoop ? LinkTransport.newLoop(name) : sharedLoop;
        this.loop = ownsLoop ? group.next() : sharedLoop;
        this.frames = new OutboundFrames(name, this.config, stats, loop);
        this.received = ByteBuffer.allocateDirect(this.config.maxFrame());
        this.refusals = new dev.colo.ops.EpisodeLog(name, "refusals", EPISODE_WINDOW, log::warning);
        this.churn = new dev.colo.ops.EpisodeLog(name, "connects and disconnects", EPISODE_WINDOW, log::info);
        long window = EPISODE_WINDOW.toMillis();
        this.episodeFlush = loop.scheduleAtFixedRate(() -> {
            refusals.flushIfDue();
            churn.flushIfDue();
        }, window, window, TimeUnit.MILLISECONDS);
    }

    /** How long an episode of refusals or connection churn is summed up before its summary line. */
    static final Duration EPISODE_WINDOW = Duration.ofSeconds(10);

    /** Refusals of this link so far (refused, dropped by the deadline, protocol errors), as logged in episodes. */
    public dev.colo.ops.EpisodeLog refusals() {
        return refusals;
    }

    /** A connection refused or ended for a fault of its peer: counted, logged once per episode. */
    void refused(String reason, String peer, String detail) {
        refusals.record(reason, peer, "refused " + peer + ": " + detail);
    }

    /** The pipeline of one connection: framing with its size guard, the stall check, the link's handler. */
    protected final void initPipeline(Channel ch) {
        LinkTransport.configure(ch, config);
        ch.config().setAutoRead(!receivingPaused);
        FrameDeadline deadline = new FrameDeadline(config.frameDeadline(), () -> receivingPaused, (ctx, reason, sawFrame) -> {
            String peer = LinkTransport.describe(ctx.channel().remoteAddress());
            refused(sawFrame ? "frame incomplete" : "stranger: first frame incomplete", peer, reason);
            LinkHandler.closeWith(ctx.channel(), "link to " + peer + " dropped: " + reason);
        });
        ch.pipeline().addLast(
                deadline,
                new LinkFrameDecoder(config.maxFrame(), config.vnetHdr(), (in, index, length) -> {
                    deadline.frameDone(in);
                    deliver(in, index, length);
                }, () -> receivingPaused),
                new WriteStallDetector(frames, config.writeStallTimeout()),
                new LinkHandler(this));
    }

    @Override
    public boolean send(ByteBuffer frame) {
        return frames.send(frame);
    }

    @Override
    public boolean send(byte[] frame, int offset, int length) {
        return frames.send(frame, offset, length);
    }

    @Override
    public void onWritabilityChange(Runnable listener) {
        writabilityListener = java.util.Objects.requireNonNull(listener, "listener");
    }

    /** On the event loop: tells the listener that writability may have changed. */
    void writabilityChanged() {
        try {
            writabilityListener.run();
        } catch (RuntimeException e) {
            log.log(Level.WARNING, name + ": the writability listener failed", e);
        }
    }

    @Override
    public void pauseReceiving(boolean paused) {
        if (!loop.inEventLoop()) {
            try {
                loop.execute(() -> pauseReceiving(paused));
            } catch (RejectedExecutionException e) {
                // closed: nothing is received any more
            }
            return;
        }
        if (receivingPaused == paused) {
            return;
        }
        receivingPaused = paused;
        Channel ch = frames.channel();
        if (ch != null && ch.isActive()) {
            ch.config().setAutoRead(!paused);
            if (!paused) {
                // Frames that arrived while paused wait in the decoder's buffer: delivered by a task of their own,
                // not from inside the caller (which may be handling a frame of another link).
                loop.execute(() -> {
                    if (!receivingPaused && ch.isActive()) {
                        ch.pipeline().fireChannelRead(io.netty.buffer.Unpooled.EMPTY_BUFFER);
                    }
                });
            }
        }
    }

    /** Whether receiving is paused now (event loop). */
    public boolean receivingPaused() {
        return receivingPaused;
    }

    @Override
    public void flush() {
        if (loop.inEventLoop()) {
            frames.run();
        }
    }

    @Override
    public long queuedBytes() {
        return frames.queuedBytes();
    }

    @Override
    public boolean isWritable() {
        return frames.isWritable();
    }

    @Override
    public boolean isConnected() {
        Channel ch = frames.channel();
        return ch != null && ch.isActive();
    }

    @Override
    public LinkStats stats() {
        return stats;
    }

    public String name() {
        return name;
    }

    /** Waits until the link is connected; false if it was not within the timeout. */
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (!isConnected()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || closed) {
                    return isConnected();
                }
                wait(left);
            }
        }
        return true;
    }

    void linkUp(Channel ch, String peer) {
        frames.attach(ch);
        stats.connects.incrementAndGet();
        churn.record("connected", peer, "connected to " + peer);
        try {
            receiver.onLinkUp(peer);
        } catch (RuntimeException e) {
            log.log(Level.WARNING, name + ": the receiver failed on link up", e);
        }
        synchronized (this) {
            notifyAll();
        }
        writabilityChanged();
    }

    void linkDown(Channel ch, String reason) {
        frames.detach(ch);
        released(ch);
        writabilityChanged();
        stats.disconnects.incrementAndGet();
        churn.record("disconnected", LinkTransport.describe(ch.remoteAddress()), "disconnected: " + reason);
        try {
            receiver.onLinkDown(reason);
        } catch (RuntimeException e) {
            log.log(Level.WARNING, name + ": the receiver failed on link down", e);
        }
    }

    /** A connection ended: frees what it held (the server's peer slot), on the event loop, just before the receiver hears of it. */
    protected void released(Channel ch) {
    }

    /**
     * One received frame to the receiver: copied into the link's one reused direct buffer (a memcpy of at
     * most one frame; a view of Netty's buffer would cost an object per frame with some allocators, and a
     * receiver may rewrite the frame in place). Event loop only.
     */
    void deliver(ByteBuf in, int index, int length) {
        LinkStats.addFromLoop(stats.framesReceived, 1);
        LinkStats.addFromLoop(stats.bytesReceived, length);
        ByteBuffer view = received.clear().limit(length);
        in.getBytes(index, view);
        view.flip();
        try {
            receiver.onFrame(view);
        } catch (RuntimeException e) {
            // The receiver's bug is not the peer's fault: the link stays up.
            if (!warnedReceiver) {
                warnedReceiver = true;
                log.log(Level.WARNING, name + ": the receiver failed on a frame (further failures at FINE)", e);
            } else {
                log.log(Level.FINE, name + ": the receiver failed on a frame", e);
            }
        }
    }

    /** On the event loop: closes the link's channels (a connected one "closed locally"). */
    protected abstract void closeChannels();

    private void stopEpisodes() {
        episodeFlush.cancel(false);
        refusals.flushIfDue();
        churn.flushIfDue();
    }

    /** Closes a connected channel with "link to PEER closed locally". */
    protected static void closeLocally(Channel ch) {
        if (ch != null) {
            LinkHandler.closeWith(ch, "link to " + LinkTransport.describe(ch.remoteAddress()) + " closed locally");
        }
    }

    /**
     * Closes the connection (the receiver hears onLinkDown) and stops the link's thread. Frames accepted
     * but not yet written are dropped. From the link's own thread (a receiver callback) it does not wait.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            notifyAll();
        }
        if (loop.inEventLoop()) {
            stopEpisodes();
            closeChannels();
            if (ownsLoop) {
                group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            }
            return;
        }
        try {
            loop.submit(() -> {
                stopEpisodes();
                closeChannels();
            }).awaitUninterruptibly(2, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            // already shut down
        }
        if (!ownsLoop) {
            // The node's loop runs on: it writes nothing more for this link, whose channels are closed.
            frames.discardQueued();
            return;
        }
        // Quiet period 0: the loop runs what is queued (channelInactive, the last drain) and stops.
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        frames.discardQueued();
        log.fine(() -> name + ": closed; " + stats);
    }
}
