package dev.colo.proxy.link;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.internal.PlatformDependent;
import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The sending half of a link, callable from any thread. The caller encodes its frame into a pooled
 * buffer and puts it on a lock-free queue; one drain task on the event loop writes everything queued and
 * flushes once. Under load, many frames cost one task and one syscall, where a writeAndFlush per frame
 * would cost a task and a syscall each.
 *
 * <p>Back-pressure, not loss: while connected a frame is always accepted. Above the high-water mark the link
 * says it is not writable ({@link #isWritable}, and the link's writability listener hears it), and the
 * caller stops reading the source that feeds it; what one burst adds past the mark is still sent. Only a
 * caller that ignores this meets the hard limit ({@link LinkConfig#queueLimit}), where frames are refused
 * and counted. With {@code holdWhileDown} frames accepted while no connection is up wait for the next one.
 */
final class OutboundFrames implements Runnable {
    private static final Logger LOG = Logger.getLogger(OutboundFrames.class.getName());

    private final String linkName;
    private final LinkFrameEncoder encoder;
    private final LinkStats stats;
    private final EventLoop loop;
    /** Multi-producer, single-consumer, array based: no allocation per frame. */
    private final Queue<ByteBuf> queue = PlatformDependent.newMpscQueue();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private volatile Channel channel;
    private volatile boolean warnedTooLong;
    /** Wire bytes handed to the channel so far (event loop only): the stall check measures progress with it. */
    private long bytesToChannel;
    private final long queueLimit;
    private final long highWater;
    private final boolean holdWhileDown;
    private volatile boolean warnedOverLimit;

    OutboundFrames(String linkName, LinkConfig config, LinkStats stats, EventLoop loop) {
        this.linkName = linkName;
        this.encoder = new LinkFrameEncoder(config);
        this.stats = stats;
        this.loop = loop;
        this.queueLimit = config.queueLimit();
        this.highWater = config.writeHighWater();
        this.holdWhileDown = config.holdWhileDown();
    }

    /** The connection frames go to from now on (null: none, frames are refused or, holding, kept). */
    void attach(Channel ch) {
        channel = ch;
        if (holdWhileDown && !queue.isEmpty()) {
            scheduleDrain();
        }
    }

    void detach(Channel ch) {
        if (channel == ch) {
            channel = null;
        }
    }

    Channel channel() {
        return channel;
    }

    long queuedBytes() {
        Channel ch = channel;
        io.netty.channel.ChannelOutboundBuffer out = ch != null ? ch.unsafe().outboundBuffer() : null;
        return queuedBytes.get() + (out != null ? out.totalPendingWriteBytes() : 0);
    }

    /** Connected, and the channel's buffer and this queue are below the high-water mark: callers may go on feeding it. */
    boolean isWritable() {
        Channel ch = channel;
        return ch != null && ch.isActive() && queuedBytes() < highWater;
    }

    boolean send(ByteBuffer frame) {
        Channel ch = channel;
        if (!admit(ch, frame.remaining())) {
            return false;
        }
        queue(encoder.encode(alloc(ch), frame));
        return true;
    }

    boolean send(byte[] frame, int offset, int length) {
        Channel ch = channel;
        if (!admit(ch, length)) {
            return false;
        }
        queue(encoder.encode(alloc(ch), frame, offset, length));
        return true;
    }

    /** Whether a frame of this length may be queued now; counts and reports a refusal. */
    private boolean admit(Channel ch, int length) {
        if (ch == null && !holdWhileDown) {
            stats.sendDropped.incrementAndGet();
            return false;
        }
        if (!encoder.fits(length)) {
            refuseTooLong(length);
            return false;
        }
        if (queuedBytes() >= queueLimit) {
            refuseOverLimit();
            return false;
        }
        return true;
    }

    private static io.netty.buffer.ByteBufAllocator alloc(Channel ch) {
        return ch != null ? ch.alloc() : io.netty.buffer.PooledByteBufAllocator.DEFAULT;
    }

    private void queue(ByteBuf buf) {
        queuedBytes.addAndGet(buf.readableBytes());
        queue.offer(buf);
        scheduleDrain();
    }

    private void scheduleDrain() {
        // A plain read first: under load the drain is already scheduled, and a failed CAS still costs a locked instruction.
        if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(this);
            } catch (RejectedExecutionException e) {
                discardQueued(); // the link is closed and its loop gone
            }
        }
    }

    /**
     * The drain task: everything queued goes to the channel, then one flush. Synchronized (once per batch,
     * uncontended) only so that it never polls at the same time as {@link #discardQueued}, which a late send
     * may call while a shutting-down loop still runs its last tasks.
     */
    @Override
    public synchronized void run() {
        // Cleared first: a frame queued from now on schedules another drain, one queued before is seen below.
        drainScheduled.set(false);
        Channel ch = channel;
        boolean open = ch != null && ch.isActive();
        if (!open && holdWhileDown) {
            return; // kept for the next connection (attach drains them)
        }
        boolean wrote = false;
        for (ByteBuf buf; (buf = queue.poll()) != null; ) {
            int wire = buf.readableBytes();
            queuedBytes.addAndGet(-wire);
            if (open) {
                ch.write(buf, ch.voidPromise());
                bytesToChannel += wire;
                LinkStats.addFromLoop(stats.framesSent, 1);
                LinkStats.addFromLoop(stats.bytesSent, encoder.frameLength(wire));
                wrote = true;
            } else {
                buf.release(); // the connection went away after the frame was accepted
                stats.sendDropped.incrementAndGet();
            }
        }
        if (wrote) {
            ch.flush();
        }
    }

    /** Event loop only. */
    long bytesToChannel() {
        return bytesToChannel;
    }

    /** Releases what is queued, once the event loop no longer drains it (closed link). */
    synchronized void discardQueued() {
        for (ByteBuf buf; (buf = queue.poll()) != null; ) {
            queuedBytes.addAndGet(-buf.readableBytes());
            buf.release();
            stats.sendDropped.incrementAndGet();
        }
        drainScheduled.set(false);
    }

    private void refuseOverLimit() {
        stats.sendDropped.incrementAndGet();
        if (!warnedOverLimit) {
            warnedOverLimit = true;
            LOG.warning(linkName + ": refused a frame: " + queueLimit + " bytes already queued; its sender ignores the"
                    + " link's back-pressure (further refusals are only counted)");
        }
    }

    private void refuseTooLong(int length) {
        stats.sendDropped.incrementAndGet();
        String what = linkName + ": dropped a frame of " + length + " bytes: this link carries frames of 1.."
                + encoder.maxPayload() + " bytes";
        if (!warnedTooLong) {
            warnedTooLong = true;
            LOG.warning(what + " (further drops of this kind are logged at FINE)");
        } else {
            LOG.fine(what);
        }
    }
}
