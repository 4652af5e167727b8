package dev.colo.pcap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Hand-writes capture files byte by byte in a chosen byte order, independently of the writers under test. */
final class ByteSink {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private ByteOrder order;

    ByteSink(ByteOrder order) {
        this.order = order;
    }

    ByteSink order(ByteOrder newOrder) {
        this.order = newOrder;
        return this;
    }

    ByteOrder order() {
        return order;
    }

    int size() {
        return out.size();
    }

    ByteSink u8(int v) {
        out.write(v);
        return this;
    }

    ByteSink u16(int v) {
        if (order == ByteOrder.BIG_ENDIAN) {
            return u8(v >>> 8).u8(v);
        }
        return u8(v).u8(v >>> 8);
    }

    ByteSink u32(long v) {
        if (order == ByteOrder.BIG_ENDIAN) {
            return u16((int) (v >>> 16)).u16((int) v);
        }
        return u16((int) v).u16((int) (v >>> 16));
    }

    ByteSink u64(long v) {
        if (order == ByteOrder.BIG_ENDIAN) {
            return u32(v >>> 32).u32(v);
        }
        return u32(v).u32(v >>> 32);
    }

    /** Raw bytes in file order, e.g. a magic number spelled out. */
    ByteSink raw(int... bytes) {
        for (int b : bytes) {
            u8(b);
        }
        return this;
    }

    ByteSink bytes(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    ByteSink zeros(int n) {
        for (int i = 0; i < n; i++) {
            u8(0);
        }
        return this;
    }

    ByteSink pad4() {
        return zeros(-size() & 3);
    }

    ByteSink append(ByteSink other) {
        return bytes(other.toByteArray());
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    Path writeTo(Path file) throws IOException {
        Files.write(file, toByteArray());
        return file;
    }
}
