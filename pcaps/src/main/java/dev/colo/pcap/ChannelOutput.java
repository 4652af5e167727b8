package dev.colo.pcap;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Sequential writes to a new file through one reusable little-endian direct buffer: headers are put straight into
 * the buffer, frame bytes are copied in, and the channel sees one large write per buffer-full.
 */
final class ChannelOutput implements Closeable, Flushable {
    static final int DEFAULT_BUFFER_SIZE = 1 << 20;
    /** The largest fixed header we put in one go must fit. */
    static final int MIN_BUFFER_SIZE = 64;

    private final FileChannel channel;
    private final ByteBuffer buffer;

    ChannelOutput(Path path, int bufferSize) throws IOException {
        if (bufferSize < MIN_BUFFER_SIZE) {
            throw new IllegalArgumentException("buffer size " + bufferSize + " < " + MIN_BUFFER_SIZE);
        }
        this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        this.buffer = ByteBuffer.allocateDirect(bufferSize).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Returns the buffer with room for at least {@code n} (at most the capacity) bytes, for relative puts. */
    ByteBuffer reserve(int n) throws IOException {
        if (buffer.remaining() < n) {
            drain();
        }
        return buffer;
    }

    /** Appends bytes of any length. */
    void put(byte[] src, int offset, int length) throws IOException {
        while (length > 0) {
            if (!buffer.hasRemaining()) {
                drain();
            }
            int chunk = Math.min(length, buffer.remaining());
            buffer.put(src, offset, chunk);
            offset += chunk;
            length -= chunk;
        }
    }

    /** Appends {@code n} (at most 8) zero bytes, e.g. padding to a 4-byte boundary. */
    void putZeros(int n) throws IOException {
        ByteBuffer b = reserve(n);
        for (int i = 0; i < n; i++) {
            b.put((byte) 0);
        }
    }

    private void drain() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }

    @Override
    public void flush() throws IOException {
        drain();
    }

    @Override
    public void close() throws IOException {
        try {
            drain();
        } finally {
            channel.close();
        }
    }
}
