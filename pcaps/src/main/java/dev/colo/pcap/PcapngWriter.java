package dev.colo.pcap;

import static dev.colo.pcap.PcapngReader.BLOCK_TRAILER_LENGTH;
import static dev.colo.pcap.PcapngReader.EPB_FIXED_LENGTH;
import static dev.colo.pcap.PcapngReader.OPTION_HEADER_LENGTH;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Writes pcapng, little-endian: one Section Header Block, one Interface Description Block with if_tsresol = 9
 * (nanoseconds, so timestamps are stored exactly), then one Enhanced Packet Block per frame.
 */
final class PcapngWriter extends AbstractPacketWriter {
    private static final int VERSION_MAJOR = 1;
    private static final int VERSION_MINOR = 0;
    /** Section length unknown: we stream, and readers must not rely on it. */
    private static final long SECTION_LENGTH_UNKNOWN = -1;
    private static final int TSRESOL_NANOSECONDS = 9;

    private static final int SHB_LENGTH = PcapngReader.SHB_MIN_LENGTH;
    /** Fixed part, if_tsresol option (header + 1 byte padded to 4), opt_endofopt, trailer. */
    private static final int IDB_LENGTH = PcapngReader.IDB_FIXED_LENGTH + OPTION_HEADER_LENGTH + 4
            + OPTION_HEADER_LENGTH + BLOCK_TRAILER_LENGTH;

    private PcapngWriter(Path path, ChannelOutput out, int snaplen) {
        super(path, out, snaplen);
    }

    static PcapngWriter open(Path path, int linkType, int snaplen, int bufferSize) throws IOException {
        checkLinkType(linkType);
        checkSnaplen(snaplen, 0);
        ChannelOutput out = new ChannelOutput(path, bufferSize);
        try {
            out.reserve(SHB_LENGTH)
                    .putInt(PcapngReader.SECTION_HEADER_BLOCK)
                    .putInt(SHB_LENGTH)
                    .putInt(PcapngReader.BYTE_ORDER_MAGIC)
                    .putShort((short) VERSION_MAJOR)
                    .putShort((short) VERSION_MINOR)
                    .putLong(SECTION_LENGTH_UNKNOWN)
                    .putInt(SHB_LENGTH);
            out.reserve(IDB_LENGTH)
                    .putInt(PcapngReader.INTERFACE_DESCRIPTION_BLOCK)
                    .putInt(IDB_LENGTH)
                    .putShort((short) linkType)
                    .putShort((short) 0) // reserved
                    .putInt(snaplen)
                    .putShort((short) PcapngReader.IF_TSRESOL)
                    .putShort((short) 1)
                    .putInt(TSRESOL_NANOSECONDS) // little-endian: the value byte first, then 3 bytes of padding
                    .putShort((short) PcapngReader.OPT_ENDOFOPT)
                    .putShort((short) 0)
                    .putInt(IDB_LENGTH);
            return new PcapngWriter(path, out, snaplen);
        } catch (IOException | RuntimeException e) {
            closeQuietly(out, e);
            throw e;
        }
    }

    @Override
    protected void writeFrame(long timestampNanos, byte[] frame, int offset, int captured, int originalLength)
            throws IOException {
        int padding = -captured & 3;
        int totalLength = EPB_FIXED_LENGTH + captured + padding + BLOCK_TRAILER_LENGTH;
        ByteBuffer b = out.reserve(EPB_FIXED_LENGTH);
        b.putInt(PcapngReader.ENHANCED_PACKET_BLOCK)
                .putInt(totalLength)
                .putInt(0) // interface id: the only IDB
                .putInt((int) (timestampNanos >>> 32))
                .putInt((int) timestampNanos)
                .putInt(captured)
                .putInt(originalLength);
        out.put(frame, offset, captured);
        out.putZeros(padding);
        out.reserve(BLOCK_TRAILER_LENGTH).putInt(totalLength);
    }
}
