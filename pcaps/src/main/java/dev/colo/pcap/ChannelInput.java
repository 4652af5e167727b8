package dev.colo.pcap;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Sequential reads from a file through memory-mapped windows: the page cache is read in place, with
 * no read() copy into a buffer of our own, so each frame byte is copied exactly once (from the mapping
 * into the frame array). A window is remapped at the next unread byte when a request runs past it, so
 * a record never straddles two windows. Files of any size: offsets are long, windows are not.
 *
 * <p>The unread bytes are {@code buffer[position, limit)}; readers decode headers in place with the
 * buffer's absolute getters (after {@link #request} made them available) and then {@link #advance}.
 */
final class ChannelInput implements Closeable {
    /** Remaps are rare (one per 64 MiB) and each window is only address space until touched. */
    static final int DEFAULT_BUFFER_SIZE = 64 << 20;
    /** Every fixed header we decode in place (at most 28 bytes) must fit. */
    static final int MIN_BUFFER_SIZE = 64;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final FileChannel channel;
    private final int windowSize;
    private ByteBuffer buffer = EMPTY;
    private ByteOrder order = ByteOrder.BIG_ENDIAN;
    /** File offset of buffer index 0. */
    private long bufferFileOffset;

    ChannelInput(FileChannel channel, int windowSize) {
        if (windowSize < MIN_BUFFER_SIZE) {
            throw new IllegalArgumentException("window size " + windowSize + " < " + MIN_BUFFER_SIZE);
        }
        this.channel = channel;
        this.windowSize = windowSize;
    }

    /** The buffer holding unread bytes from its position; decode with absolute getters, then {@link #advance}. */
    ByteBuffer buffer() {
        return buffer;
    }

    void order(ByteOrder byteOrder) {
        this.order = byteOrder;
        buffer.order(byteOrder);
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
     * Makes at least {@code n} (at most the window size) unread bytes available. Returns false if the
     * file ends first; whatever it had is then available, so {@link #remaining()} tells how much.
     */
    boolean request(int n) throws IOException {
        return buffer.remaining() >= n || remap(position()) >= n;
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
            if (copied == length || remap(position()) == 0) {
                return copied;
            }
        }
    }

    /** Skips up to {@code n} bytes; fewer only at end of file. Returns the count skipped. */
    long skip(long n) throws IOException {
        if (n <= buffer.remaining()) {
            advance((int) n);
            return n;
        }
        // Beyond the window: map at the target rather than touch bytes nobody wants (a block may be GiBs).
        long start = position();
        long target = Math.max(start, Math.min(start + n, channel.size()));
        bufferFileOffset = target;
        buffer = EMPTY;
        return target - start;
    }

    /** Maps a window starting at {@code fileOffset}; returns the bytes it holds. */
    private int remap(long fileOffset) throws IOException {
        long size = channel.size();
        long length = Math.max(0, Math.min(windowSize, size - fileOffset));
        bufferFileOffset = fileOffset;
        buffer = length == 0 ? EMPTY : channel.map(FileChannel.MapMode.READ_ONLY, fileOffset, length);
        buffer.order(order);
        return buffer.remaining();
    }

    @Override
    public void close() throws IOException {
        buffer = EMPTY;
        channel.close();
    }
}
