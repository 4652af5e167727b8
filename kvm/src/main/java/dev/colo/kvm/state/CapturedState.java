package dev.colo.kvm.state;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * A captured state, read once as a byte stream straight out of its NativeBuffer. The END record's
 * CRC-32C is computed as the bytes are read, so capture (done while the VM is paused) never pays for it.
 * Valid until the next capture into the same buffer.
 */
public final class CapturedState {
    private static final int END_SIZE = StateFormat.RECORD_HEADER_SIZE + StateFormat.END_PAYLOAD_SIZE;

    private final NativeBuffer buffer;
    private final long body;
    private final int records;
    private final int pages;
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer end = ByteBuffer.allocate(END_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private long position;

    CapturedState(NativeBuffer buffer, int records, int pages) {
        this.buffer = buffer;
        this.body = buffer.size();
        this.records = records;
        this.pages = pages;
    }

    /** Bytes in the whole stream, END record included. */
    public long size() {
        return body + END_SIZE;
    }

    /** Guest pages the stream carries. */
    public int pages() {
        return pages;
    }

    /** Copies up to {@code dst.remaining()} bytes into {@code dst}; -1 at the end of the stream. */
    public int read(ByteBuffer dst) {
        if (position < body) {
            int n = (int) Math.min(dst.remaining(), body - position);
            ByteBuffer src = buffer.view(position, n);
            crc.update(src);
            src.flip();
            dst.put(src);
            position += n;
            return n;
        }
        if (position == body) {
            end.clear();
            end.putShort((short) StateFormat.END).putShort((short) 0).putInt(0).putLong(StateFormat.END_PAYLOAD_SIZE);
            end.putInt(records).putInt((int) crc.getValue());
            end.flip();
        }
        if (!end.hasRemaining()) {
            return -1;
        }
        int n = Math.min(dst.remaining(), end.remaining());
        ByteBuffer slice = end.slice().limit(n);
        dst.put(slice);
        end.position(end.position() + n);
        position += n;
        return n;
    }

    public int read(byte[] dst, int off, int len) {
        return read(ByteBuffer.wrap(dst, off, len));
    }
}
