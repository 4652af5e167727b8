package dev.colo.pcap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** Writes classic pcap 2.4, little-endian, with microsecond or nanosecond timestamps. */
final class PcapWriter extends AbstractPacketWriter {
    private static final int VERSION_MAJOR = 2;
    private static final int VERSION_MINOR = 4;
    /** pcap stores unsigned 32-bit seconds: the year 2106 is the end of the format. */
    private static final long MAX_SECONDS = 0xffff_ffffL;

    /** Divisor from nanoseconds to the fraction field: 1000 (microseconds) or 1. */
    private final long nanosPerFractionUnit;

    private PcapWriter(Path path, ChannelOutput out, int snaplen, boolean nanos) {
        super(path, out, snaplen);
        this.nanosPerFractionUnit = nanos ? 1 : 1000;
    }

    static PcapWriter open(Path path, int linkType, int snaplen, boolean nanos, int bufferSize) throws IOException {
        checkLinkType(linkType);
        checkSnaplen(snaplen, 1);
        ChannelOutput out = new ChannelOutput(path, bufferSize);
        try {
            // Written little-endian, so the magic lands as the "swapped" byte sequence d4 c3 b2 a1 (or 4d 3c b2 a1).
            ByteBuffer b = out.reserve(PcapReader.FILE_HEADER_LENGTH);
            b.putInt(nanos ? PcapReader.MAGIC_NANOS : PcapReader.MAGIC_MICROS)
                    .putShort((short) VERSION_MAJOR)
                    .putShort((short) VERSION_MINOR)
                    .putInt(0) // thiszone: timestamps are UTC
                    .putInt(0) // sigfigs: unused by everyone
                    .putInt(snaplen)
                    .putInt(linkType);
            return new PcapWriter(path, out, snaplen, nanos);
        } catch (IOException | RuntimeException e) {
            closeQuietly(out, e);
            throw e;
        }
    }

    @Override
    protected void writeFrame(long timestampNanos, byte[] frame, int offset, int captured, int originalLength)
            throws IOException {
        long seconds = timestampNanos / NANOS_PER_SECOND;
        if (seconds > MAX_SECONDS) {
            throw new IllegalArgumentException("timestamp " + timestampNanos + " ns is beyond what pcap can store");
        }
        long fraction = (timestampNanos % NANOS_PER_SECOND) / nanosPerFractionUnit;
        out.reserve(PcapReader.RECORD_HEADER_LENGTH)
                .putInt((int) seconds)
                .putInt((int) fraction)
                .putInt(captured)
                .putInt(originalLength);
        out.put(frame, offset, captured);
    }
}
