package dev.colo.pcap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Classic libpcap format: a 24-byte file header, then records of a 16-byte header and the captured bytes.
 * All fields are in the writer's byte order, which the magic number reveals.
 */
final class PcapReader extends AbstractPacketReader {
    /** Magic numbers as read big-endian; the swapped forms mean a little-endian file. */
    static final int MAGIC_MICROS = 0xa1b2c3d4;
    static final int MAGIC_NANOS = 0xa1b23c4d;
    static final int MAGIC_MICROS_SWAPPED = 0xd4c3b2a1;
    static final int MAGIC_NANOS_SWAPPED = 0x4d3cb2a1;

    static final int FILE_HEADER_LENGTH = 24;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_MAJOR_OFFSET = 4;
    static final int VERSION_MINOR_OFFSET = 6;
    /** GMT-to-local correction; always 0 in practice and ignored, as libpcap does. */
    static final int THISZONE_OFFSET = 8;
    static final int SIGFIGS_OFFSET = 12;
    static final int SNAPLEN_OFFSET = 16;
    /** Low 16 bits: LINKTYPE_; upper bits may carry FCS-length flags, which we do not need. */
    static final int LINKTYPE_OFFSET = 20;
    static final int LINKTYPE_MASK = 0xffff;

    static final int RECORD_HEADER_LENGTH = 16;
    static final int TS_SECONDS_OFFSET = 0;
    static final int TS_FRACTION_OFFSET = 4;
    static final int CAPTURED_LENGTH_OFFSET = 8;
    static final int ORIGINAL_LENGTH_OFFSET = 12;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /** Nanoseconds per unit of the fraction field: 1000 for microsecond files, 1 for nanosecond files. */
    private final long fractionNanos;
    private final long snaplen;

    PcapReader(Path path, ChannelInput in, ByteOrder order, boolean nanos) throws IOException {
        super(path, in);
        this.fractionNanos = nanos ? 1 : 1000;
        if (!in.request(FILE_HEADER_LENGTH)) {
            throw fail(0, "truncated pcap file header: the file ends after " + in.remaining() + " of "
                    + FILE_HEADER_LENGTH + " bytes");
        }
        in.order(order);
        ByteBuffer b = in.buffer();
        int p = b.position();
        int major = b.getShort(p + VERSION_MAJOR_OFFSET) & 0xffff;
        if (major != 2) {
            throw fail(0, "unsupported pcap version " + major + "." + (b.getShort(p + VERSION_MINOR_OFFSET) & 0xffff)
                    + " (expected 2.x)");
        }
        this.snaplen = Integer.toUnsignedLong(b.getInt(p + SNAPLEN_OFFSET));
        this.linkType = b.getInt(p + LINKTYPE_OFFSET) & LINKTYPE_MASK;
        in.advance(FILE_HEADER_LENGTH);
    }

    @Override
    protected boolean readFrame() throws IOException {
        ChannelInput in = this.in;
        long offset = in.position();
        if (!in.request(RECORD_HEADER_LENGTH)) {
            if (in.remaining() == 0) {
                return false;
            }
            throw fail(offset, "truncated record header: the file ends after " + in.remaining() + " of "
                    + RECORD_HEADER_LENGTH + " bytes");
        }
        ByteBuffer b = in.buffer();
        int p = b.position();
        long seconds = Integer.toUnsignedLong(b.getInt(p + TS_SECONDS_OFFSET));
        long fraction = Integer.toUnsignedLong(b.getInt(p + TS_FRACTION_OFFSET));
        long captured = Integer.toUnsignedLong(b.getInt(p + CAPTURED_LENGTH_OFFSET));
        long original = Integer.toUnsignedLong(b.getInt(p + ORIGINAL_LENGTH_OFFSET));
        checkLengths(offset, captured, original, snaplen);
        in.advance(RECORD_HEADER_LENGTH);
        readFrameData(offset, (int) captured);
        frameOffset = offset;
        timestampNanos = seconds * NANOS_PER_SECOND + fraction * fractionNanos;
        capturedLength = (int) captured;
        originalLength = (int) original;
        return true;
    }
}
