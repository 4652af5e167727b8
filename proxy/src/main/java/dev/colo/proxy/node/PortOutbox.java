package dev.colo.proxy.node;

import dev.colo.proxy.io.FramePort;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * Sends to a frame port without losing what the node accepted: a frame the port refuses (its kernel queue
 * is full) waits here, in order, and so do the frames after it, until the port takes them again. While
 * frames wait the outbox is {@link #blocked}, and the node stops reading the sources that feed it. The
 * backlog grows on demand (one release burst can be a whole comparator store) up to a hard limit that only
 * a feeder ignoring {@link #blocked} reaches; frames beyond it are counted as dropped. Loop only.
 */
public final class PortOutbox {
    private static final Logger LOG = Logger.getLogger(PortOutbox.class.getName());
    private static final int INITIAL_BACKLOG = 1 << 20;
    public static final int MAX_BACKLOG = 128 << 20;

    private final FramePort port;
    private final ByteBuffer sending;
    /** Frames waiting, each [u24 length][u8 counter index][bytes], between {@code head} and {@code tail}. */
    private byte[] backlog = new byte[0];
    private int head;
    private int tail;
    private long waiting;
    public final AtomicLong backlogged = new AtomicLong();
    public final AtomicLong dropped = new AtomicLong();
    private boolean warnedFull;
    /** Fenced: nothing is sent, everything waits (the sources feeding it pause on {@link #blocked}). */
    private boolean held;
    /**
     * Asked before every send: may output leave at this instant? (A node under a witness lease: see the checkpoint
     * module's ReleasePermit.) Checked per frame, not only through {@link #hold}: a node resuming from a freeze must
     * send nothing before the permit says so, whatever its loop runs first.
     */
    private BooleanSupplier mayRelease = ALWAYS;
    private static final BooleanSupplier ALWAYS = () -> true;

    /**
     * Counted when a frame has really left through the port (not when it was handed over: a frame that waits, say
     * while the node is fenced, is not output yet). Indexed by the byte each waiting frame carries.
     */
    private final AtomicLong[] counters;
    private static final int NOT_COUNTED = 0xff;

    /** @param countWhenSent the counters {@link #send(ByteBuffer, int)} may name by index (at most 255) */
    public PortOutbox(FramePort port, int maxFrame, AtomicLong... countWhenSent) {
        this.port = port;
        this.sending = ByteBuffer.allocateDirect(maxFrame);
        this.counters = countWhenSent.clone();
    }

    /** Sends the frame (position..limit, unchanged), or keeps it for later. False only when it had to be dropped. */
    public boolean send(ByteBuffer frame) {
        return send(frame, NOT_COUNTED);
    }

    /**
     * Like {@link #send(ByteBuffer)}; once the frame has left (now or later, from the backlog) the constructor's
     * counter number {@code counter} is incremented.
     */
    public boolean send(ByteBuffer frame, int counter) {
        if (waiting == 0 && !held && mayRelease.getAsBoolean() && trySend(frame)) {
            count(counter);
            return true;
        }
        return keep(frame, counter);
    }

    /** Like {@link #send(ByteBuffer, int)} for bytes in an array. */
    public boolean send(byte[] frame, int offset, int length, int counter) {
        if (length > sending.capacity()) {
            dropped.incrementAndGet();
            return false;
        }
        sending.clear();
        sending.put(frame, offset, length).flip();
        return send(sending, counter);
    }

    /** Like {@link #send(ByteBuffer)} for bytes in an array. */
    public boolean send(byte[] frame, int offset, int length) {
        return send(frame, offset, length, NOT_COUNTED);
    }

    private void count(int counter) {
        if (counter != NOT_COUNTED) {
            counters[counter].incrementAndGet();
        }
    }

    /** Sends only while {@code permit} says output may leave (see {@link #mayRelease}); what it refuses waits. */
    public void guard(BooleanSupplier permit) {
        mayRelease = permit;
    }

    /** Frames wait: the sources feeding this port should not be read. */
    public boolean blocked() {
        return waiting > 0 || held;
    }

    /** Holds everything (true) or lets it flow again (false; the caller retries). A fenced primary sends nothing. */
    public void hold(boolean hold) {
        held = hold;
    }

    public long waiting() {
        return waiting;
    }

    /** Sends what waits, as far as the port takes it; true when nothing waits any more. */
    public boolean retry() {
        if (held) {
            return false;
        }
        while (waiting > 0) {
            if (!mayRelease.getAsBoolean()) {
                return false; // asked per frame: a long backlog may outlast the permit, or the process be frozen mid-way
            }
            int len = ((backlog[head] & 0xff) << 16) | ((backlog[head + 1] & 0xff) << 8) | (backlog[head + 2] & 0xff);
            sending.clear();
            sending.put(backlog, head + HEADER, len).flip();
            if (!trySend(sending)) {
                return false;
            }
            count(backlog[head + 3] & 0xff);
            head += HEADER + len;
            waiting--;
        }
        head = 0;
        tail = 0;
        return true;
    }

    private boolean trySend(ByteBuffer frame) {
        try {
            return port.send(frame);
        } catch (IOException e) {
            // A persistent error (interface gone): the frame waits like any other; the port's error is counted there.
            return false;
        }
    }

    private static final int HEADER = 4;

    private boolean keep(ByteBuffer frame, int counter) {
        int len = frame.remaining();
        if (!room(HEADER + len)) {
            dropped.incrementAndGet();
            if (!warnedFull) {
                warnedFull = true;
                LOG.warning(port.describe() + ": " + MAX_BACKLOG + " bytes wait for the port; its feeder ignores back-pressure:"
                        + " frames dropped (counted)");
            }
            return false;
        }
        backlog[tail] = (byte) (len >> 16);
        backlog[tail + 1] = (byte) (len >> 8);
        backlog[tail + 2] = (byte) len;
        backlog[tail + 3] = (byte) counter;
        frame.get(frame.position(), backlog, tail + HEADER, len);
        tail += HEADER + len;
        waiting++;
        backlogged.incrementAndGet();
        return true;
    }

    /** Room for {@code n} more bytes at the tail: compacts, then grows by doubling up to the limit. */
    private boolean room(int n) {
        if (tail + n <= backlog.length) {
            return true;
        }
        int used = tail - head;
        if (used + n > MAX_BACKLOG) {
            return false;
        }
        byte[] target = backlog;
        if (used + n > backlog.length) {
            int size = Math.max(INITIAL_BACKLOG, backlog.length);
            while (size < used + n) {
                size = Math.min(MAX_BACKLOG, size * 2);
            }
            target = new byte[size];
        }
        System.arraycopy(backlog, head, target, 0, used);
        backlog = target;
        head = 0;
        tail = used;
        return true;
    }
}
