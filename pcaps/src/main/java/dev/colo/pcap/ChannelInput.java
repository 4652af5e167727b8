package dev.colo.pcap;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Sequential reads from a file channel through one reusable direct buffer.
 *
 * <p>The unread bytes are {@code buffer[position, limit)}; readers decode headers in place with the buffer's absolute
 * getters (after {@link #request} made them available) and then {@link #advance} past them. A direct buffer lets the
 * channel read straight into it, so each frame byte is copied exactly once: from here into the frame array.
 */
final class ChannelInput implements Closeable {
    /** Large enough that refills (and the compaction of a straddling frame) are rare: ~1 per 1000 frames. */
    static final int DEFAULT_BUFFER_SIZE = 1 << 20;
    /** Every fixed header we decode in place (at most 28 bytes) must fit. */
    static final int MIN_BUFFER_SIZE = 64;

    private final FileChannel channel;
    private final ByteBuffer buffer;
    /** File offset of buffer index 0; long, files beyond 2 GiB are normal. */
    private long bufferFileOffset;

    ChannelInput(FileChannel channel, int bufferSize) {
        if (bufferSize < MIN_BUFFER_SIZE) {
            throw new IllegalArgumentException("buffer size " + bufferSize + " < " + MIN_BUFFER_SIZE);
        }
        this.channel = channel;
        this.buffer = ByteBuffer.allocateDirect(bufferSize);
        this.buffer.limit(0);
    }

    /** The buffer holding unread bytes from its position; decode with absolute getters, then {@link #advance}. */
    ByteBuffer buffer() {
        return buffer;
    }

    void order(ByteOrder order) {
        buffer.order(order);
    }

    /** File offset of the next unread byte. */
    long position() {
        return bufferFileOffset + buffer.position();
    }

    /** Bytes buffered and unread. */
    int remaining() {
        return buffer.remaining();
    }

    long size() throws IOException {
        return channel.size();
    }

    /**
     * Makes at least {@code n} (at most the buffer capacity) unread bytes available. Returns false if the file ends
     * first; whatever it had is then buffered, so {@link #remaining()} tells how much.
     */
    boolean request(int n) throws IOException {
        return buffer.remaining() >= n || fill(n);
    }

    void advance(int n) {
        buffer.position(buffer.position() + n);
    }

    /** Copies up to {@code length} bytes into {@code dst}; fewer only at end of file. Returns the count copied. */
    int read(byte[] dst, int offset, int length) throws IOException {
        int copied = 0;
        while (true) {
            int chunk = Math.min(length - copied, buffer.remaining());
            buffer.get(dst, offset + copied, chunk);
            copied += chunk;
            if (copied == length || !fill(1)) {
                return copied;
            }
        }
    }

    /** Skips up to {@code n} bytes; fewer only at end of file. Returns the count skipped. */
    long skip(long n) throws IOException {
        int buffered = buffer.remaining();
        if (n <= buffered) {
            advance((int) n);
            return n;
        }
        // Beyond the buffer: reposition the channel rather than read bytes nobody wants (a block may be GiBs).
        long start = position();
        long target = Math.max(start, Math.min(start + n, channel.size()));
        channel.position(target);
        bufferFileOffset = target;
        buffer.position(0).limit(0);
        return target - start;
    }

    private boolean fill(int n) throws IOException {
        // Keep the unread tail (a record straddling the refill point) and move it to the front.
        bufferFileOffset += buffer.position();
        buffer.compact();
        try {
            // hasRemaining: a full buffer cannot take more; request() sizes never exceed the capacity anyway.
            while (buffer.position() < n && buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    break;
                }
            }
        } finally {
            buffer.flip();
        }
        return buffer.remaining() >= n;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
