package dev.colo.checkpoint.vm;

import java.io.Closeable;
import java.io.IOException;

/** A captured state, read as a byte stream in chunks of the caller's size. */
public interface StateSource extends Closeable {
    /** Reads up to {@code len} bytes; -1 at the end. */
    int read(byte[] dst, int off, int len) throws IOException;

    /** Reads into {@code dst} from its position up to its limit; -1 at the end. Override to avoid a copy. */
    default int read(java.nio.ByteBuffer dst) throws IOException {
        byte[] tmp = new byte[dst.remaining()];
        int n = read(tmp, 0, tmp.length);
        if (n > 0) {
            dst.put(tmp, 0, n);
        }
        return n;
    }

    /** Bytes in the whole stream, when known in advance; -1 otherwise. */
    long size();

    @Override
    default void close() {
    }
}
