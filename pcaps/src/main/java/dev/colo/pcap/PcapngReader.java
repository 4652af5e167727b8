package dev.colo.pcap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * pcapng: a sequence of blocks {@code type(4) totalLength(4) body totalLength(4)}. Each Section Header Block sets the
 * byte order of the section after it and starts a fresh list of interfaces; Interface Description Blocks define
 * interface ids 0, 1, ... in order; frames come as Enhanced, Simple or (obsolete) Packet Blocks. Any other block
 * (name resolution, statistics, secrets, custom, ...) is skipped by its length, still validating its framing.
 */
final class PcapngReader extends AbstractPacketReader {
    /** Palindromic on purpose: it reads the same in both byte orders, so the order can be learned after it. */
    static final int SECTION_HEADER_BLOCK = 0x0a0d0d0a;
    static final int INTERFACE_DESCRIPTION_BLOCK = 1;
    static final int OBSOLETE_PACKET_BLOCK = 2;
    static final int SIMPLE_PACKET_BLOCK = 3;
    static final int ENHANCED_PACKET_BLOCK = 6;
    /** As read big-endian; the swapped value means a little-endian section. */
    static final int BYTE_ORDER_MAGIC = 0x1a2b3c4d;

    // Every block.
    static final int BLOCK_TYPE_OFFSET = 0;
    static final int BLOCK_TOTAL_LENGTH_OFFSET = 4;
    static final int BLOCK_HEADER_LENGTH = 8;
    static final int BLOCK_TRAILER_LENGTH = 4;
    static final int MIN_BLOCK_LENGTH = BLOCK_HEADER_LENGTH + BLOCK_TRAILER_LENGTH;

    // Section Header Block.
    static final int SHB_BYTE_ORDER_MAGIC_OFFSET = 8;
    static final int SHB_MAJOR_VERSION_OFFSET = 12;
    static final int SHB_MINOR_VERSION_OFFSET = 14;
    /** 64-bit, -1 when unknown; we never need it because we only stream forward. */
    static final int SHB_SECTION_LENGTH_OFFSET = 16;
    static final int SHB_FIXED_LENGTH = 24;
    static final int SHB_MIN_LENGTH = SHB_FIXED_LENGTH + BLOCK_TRAILER_LENGTH;

    // Interface Description Block.
    static final int IDB_LINK_TYPE_OFFSET = 8;
    static final int IDB_SNAPLEN_OFFSET = 12;
    static final int IDB_FIXED_LENGTH = 16;
    static final int IDB_MIN_LENGTH = IDB_FIXED_LENGTH + BLOCK_TRAILER_LENGTH;

    // Enhanced Packet Block.
    static final int EPB_INTERFACE_ID_OFFSET = 8;
    static final int EPB_TIMESTAMP_HIGH_OFFSET = 12;
    static final int EPB_TIMESTAMP_LOW_OFFSET = 16;
    static final int EPB_CAPTURED_LENGTH_OFFSET = 20;
    static final int EPB_ORIGINAL_LENGTH_OFFSET = 24;
    static final int EPB_FIXED_LENGTH = 28;
    static final int EPB_MIN_LENGTH = EPB_FIXED_LENGTH + BLOCK_TRAILER_LENGTH;

    // Obsolete Packet Block: like the EPB but a 16-bit interface id followed by a 16-bit drops count.
    static final int PB_INTERFACE_ID_OFFSET = 8;
    static final int PB_DROPS_COUNT_OFFSET = 10;
    static final int PB_TIMESTAMP_HIGH_OFFSET = 12;
    static final int PB_TIMESTAMP_LOW_OFFSET = 16;
    static final int PB_CAPTURED_LENGTH_OFFSET = 20;
    static final int PB_ORIGINAL_LENGTH_OFFSET = 24;
    static final int PB_FIXED_LENGTH = 28;
    static final int PB_MIN_LENGTH = PB_FIXED_LENGTH + BLOCK_TRAILER_LENGTH;

    // Simple Packet Block: no interface id (always 0), no timestamp, no captured length.
    static final int SPB_ORIGINAL_LENGTH_OFFSET = 8;
    static final int SPB_FIXED_LENGTH = 12;
    static final int SPB_MIN_LENGTH = SPB_FIXED_LENGTH + BLOCK_TRAILER_LENGTH;

    // Options: code(2) length(2) value, padded to 4.
    static final int OPTION_CODE_OFFSET = 0;
    static final int OPTION_LENGTH_OFFSET = 2;
    static final int OPTION_HEADER_LENGTH = 4;
    static final int OPT_ENDOFOPT = 0;
    static final int IF_TSRESOL = 9;
    static final int IF_TSOFFSET = 14;

    /** Interfaces of the current section, indexed by interface id. */
    private InterfaceDescription[] interfaces = new InterfaceDescription[4];
    private int interfaceCount;

    PcapngReader(Path path, ChannelInput in) throws IOException {
        super(path, in);
        // Validate the first section header now, so that open() rejects a broken file.
        readSectionHeader(0);
    }

    @Override
    protected boolean readFrame() throws IOException {
        ChannelInput in = this.in;
        while (true) {
            long offset = in.position();
            if (!in.request(BLOCK_HEADER_LENGTH)) {
                if (in.remaining() == 0) {
                    return false;
                }
                throw fail(offset, "truncated block header: the file ends after " + in.remaining() + " of "
                        + BLOCK_HEADER_LENGTH + " bytes");
            }
            ByteBuffer b = in.buffer();
            int p = b.position();
            int type = b.getInt(p + BLOCK_TYPE_OFFSET);
            if (type == SECTION_HEADER_BLOCK) {
                readSectionHeader(offset);
                continue;
            }
            long totalLength = Integer.toUnsignedLong(b.getInt(p + BLOCK_TOTAL_LENGTH_OFFSET));
            checkBlockLength(offset, type, totalLength, MIN_BLOCK_LENGTH);
            switch (type) {
                case ENHANCED_PACKET_BLOCK:
                    readEnhancedPacket(offset, totalLength);
                    return true;
                case SIMPLE_PACKET_BLOCK:
                    readSimplePacket(offset, totalLength);
                    return true;
                case OBSOLETE_PACKET_BLOCK:
                    readObsoletePacket(offset, totalLength);
                    return true;
                case INTERFACE_DESCRIPTION_BLOCK:
                    readInterfaceDescription(offset, totalLength);
                    break;
                default:
                    // Nothing a replay needs; the trailer check still catches a corrupt length.
                    finishBlock(offset, type, totalLength);
                    break;
            }
        }
    }

    private void readSectionHeader(long offset) throws IOException {
        ChannelInput in = this.in;
        if (!in.request(SHB_BYTE_ORDER_MAGIC_OFFSET + 4)) {
            throw truncated(offset, SECTION_HEADER_BLOCK, -1);
        }
        in.order(ByteOrder.BIG_ENDIAN);
        ByteBuffer b = in.buffer();
        int p = b.position();
        int magic = b.getInt(p + SHB_BYTE_ORDER_MAGIC_OFFSET);
        if (magic == Integer.reverseBytes(BYTE_ORDER_MAGIC)) {
            in.order(ByteOrder.LITTLE_ENDIAN);
        } else if (magic != BYTE_ORDER_MAGIC) {
            throw fail(offset, String.format("bad byte-order magic 0x%08x in Section Header Block "
                    + "(expected 1a2b3c4d in either byte order)", magic));
        }
        long totalLength = Integer.toUnsignedLong(b.getInt(p + BLOCK_TOTAL_LENGTH_OFFSET));
        checkBlockLength(offset, SECTION_HEADER_BLOCK, totalLength, SHB_MIN_LENGTH);
        if (!in.request(SHB_FIXED_LENGTH)) {
            throw truncated(offset, SECTION_HEADER_BLOCK, totalLength);
        }
        b = in.buffer(); // a request may have mapped the next window: never read through the old one
        p = b.position();
        int major = b.getShort(p + SHB_MAJOR_VERSION_OFFSET) & 0xffff;
        if (major != 1) {
            throw fail(offset, "unsupported pcapng version " + major + "."
                    + (b.getShort(p + SHB_MINOR_VERSION_OFFSET) & 0xffff) + " (expected 1.x)");
        }
        // Interface ids are per section.
        Arrays.fill(interfaces, 0, interfaceCount, null);
        interfaceCount = 0;
        finishBlock(offset, SECTION_HEADER_BLOCK, totalLength);
    }

    private void readInterfaceDescription(long offset, long totalLength) throws IOException {
        ChannelInput in = this.in;
        checkBlockLength(offset, INTERFACE_DESCRIPTION_BLOCK, totalLength, IDB_MIN_LENGTH);
        if (!in.request(IDB_FIXED_LENGTH)) {
            throw truncated(offset, INTERFACE_DESCRIPTION_BLOCK, totalLength);
        }
        ByteBuffer b = in.buffer();
        int p = b.position();
        int blockLinkType = b.getShort(p + IDB_LINK_TYPE_OFFSET) & 0xffff;
        long snaplen = Integer.toUnsignedLong(b.getInt(p + IDB_SNAPLEN_OFFSET));
        in.advance(IDB_FIXED_LENGTH);

        int tsresol = InterfaceDescription.DEFAULT_TSRESOL;
        long tsoffset = 0;
        long optionsEnd = offset + totalLength - BLOCK_TRAILER_LENGTH;
        // Options are walked in the stream rather than buffered whole: an IDB may carry long descriptions.
        while (in.position() + OPTION_HEADER_LENGTH <= optionsEnd) {
            long optionOffset = in.position();
            if (!in.request(OPTION_HEADER_LENGTH)) {
                throw truncated(offset, INTERFACE_DESCRIPTION_BLOCK, totalLength);
            }
            b = in.buffer(); // a request may have mapped the next window: never read through the old one
            p = b.position();
            int code = b.getShort(p + OPTION_CODE_OFFSET) & 0xffff;
            int length = b.getShort(p + OPTION_LENGTH_OFFSET) & 0xffff;
            if (code == OPT_ENDOFOPT) {
                break;
            }
            int padded = (length + 3) & ~3;
            if (optionOffset + OPTION_HEADER_LENGTH + padded > optionsEnd) {
                throw fail(offset, "option " + code + " at byte " + optionOffset + " with length " + length
                        + " overruns the Interface Description Block of total length " + totalLength);
            }
            in.advance(OPTION_HEADER_LENGTH);
            if ((code == IF_TSRESOL && length >= 1) || (code == IF_TSOFFSET && length >= 8)) {
                if (!in.request(code == IF_TSRESOL ? 1 : 8)) {
                    throw truncated(offset, INTERFACE_DESCRIPTION_BLOCK, totalLength);
                }
                b = in.buffer();
                p = b.position();
                if (code == IF_TSRESOL) {
                    tsresol = b.get(p) & 0xff;
                } else {
                    tsoffset = b.getLong(p);
                }
            }
            if (in.skip(padded) < padded) {
                throw truncated(offset, INTERFACE_DESCRIPTION_BLOCK, totalLength);
            }
        }
        finishBlock(offset, INTERFACE_DESCRIPTION_BLOCK, totalLength);
        if (interfaceCount == interfaces.length) {
            interfaces = Arrays.copyOf(interfaces, interfaceCount * 2);
        }
        interfaces[interfaceCount++] = new InterfaceDescription(blockLinkType, snaplen, tsresol, tsoffset);
    }

    private void readEnhancedPacket(long offset, long totalLength) throws IOException {
        checkBlockLength(offset, ENHANCED_PACKET_BLOCK, totalLength, EPB_MIN_LENGTH);
        if (!in.request(EPB_FIXED_LENGTH)) {
            throw truncated(offset, ENHANCED_PACKET_BLOCK, totalLength);
        }
        ByteBuffer b = in.buffer();
        int p = b.position();
        readPacket(offset, ENHANCED_PACKET_BLOCK, totalLength, EPB_FIXED_LENGTH,
                Integer.toUnsignedLong(b.getInt(p + EPB_INTERFACE_ID_OFFSET)),
                ((long) b.getInt(p + EPB_TIMESTAMP_HIGH_OFFSET) << 32)
                        | Integer.toUnsignedLong(b.getInt(p + EPB_TIMESTAMP_LOW_OFFSET)),
                Integer.toUnsignedLong(b.getInt(p + EPB_CAPTURED_LENGTH_OFFSET)),
                Integer.toUnsignedLong(b.getInt(p + EPB_ORIGINAL_LENGTH_OFFSET)));
    }

    private void readObsoletePacket(long offset, long totalLength) throws IOException {
        checkBlockLength(offset, OBSOLETE_PACKET_BLOCK, totalLength, PB_MIN_LENGTH);
        if (!in.request(PB_FIXED_LENGTH)) {
            throw truncated(offset, OBSOLETE_PACKET_BLOCK, totalLength);
        }
        ByteBuffer b = in.buffer();
        int p = b.position();
        readPacket(offset, OBSOLETE_PACKET_BLOCK, totalLength, PB_FIXED_LENGTH,
                b.getShort(p + PB_INTERFACE_ID_OFFSET) & 0xffff,
                ((long) b.getInt(p + PB_TIMESTAMP_HIGH_OFFSET) << 32)
                        | Integer.toUnsignedLong(b.getInt(p + PB_TIMESTAMP_LOW_OFFSET)),
                Integer.toUnsignedLong(b.getInt(p + PB_CAPTURED_LENGTH_OFFSET)),
                Integer.toUnsignedLong(b.getInt(p + PB_ORIGINAL_LENGTH_OFFSET)));
    }

    private void readSimplePacket(long offset, long totalLength) throws IOException {
        checkBlockLength(offset, SIMPLE_PACKET_BLOCK, totalLength, SPB_MIN_LENGTH);
        if (interfaceCount == 0) {
            throw fail(offset, "Simple Packet Block but no Interface Description Block in this section");
        }
        if (!in.request(SPB_FIXED_LENGTH)) {
            throw truncated(offset, SIMPLE_PACKET_BLOCK, totalLength);
        }
        InterfaceDescription idb = interfaces[0];
        ByteBuffer b = in.buffer();
        long original = Integer.toUnsignedLong(b.getInt(b.position() + SPB_ORIGINAL_LENGTH_OFFSET));
        // The SPB has no captured length: it is the original length cut to interface 0's snaplen (0 = no limit).
        long captured = idb.snaplen != 0 ? Math.min(original, idb.snaplen) : original;
        if (captured > totalLength - SPB_MIN_LENGTH) {
            throw fail(offset, "Simple Packet Block: captured length " + captured + " (original length "
                    + original + ", snaplen " + idb.snaplen + ") does not fit the block total length " + totalLength);
        }
        checkLengths(offset, captured, original, idb.snaplen);
        in.advance(SPB_FIXED_LENGTH);
        readFrameData(offset, (int) captured);
        finishBlock(offset, SIMPLE_PACKET_BLOCK, totalLength);
        frameOffset = offset;
        timestampNanos = 0;
        capturedLength = (int) captured;
        originalLength = (int) original;
        interfaceId = 0;
        linkType = idb.linkType;
    }

    private void readPacket(long offset, int type, long totalLength, int fixedLength, long id, long units,
            long captured, long original) throws IOException {
        if (id >= interfaceCount) {
            throw fail(offset, blockName(type) + " refers to interface " + id + " but this section defines "
                    + (interfaceCount == 0 ? "none" : "only 0.." + (interfaceCount - 1)));
        }
        InterfaceDescription idb = interfaces[(int) id];
        if (captured > totalLength - fixedLength - BLOCK_TRAILER_LENGTH) {
            throw fail(offset, blockName(type) + ": captured length " + captured
                    + " does not fit the block total length " + totalLength);
        }
        checkLengths(offset, captured, original, idb.snaplen);
        in.advance(fixedLength);
        readFrameData(offset, (int) captured);
        finishBlock(offset, type, totalLength);
        frameOffset = offset;
        timestampNanos = idb.toNanos(units);
        capturedLength = (int) captured;
        originalLength = (int) original;
        interfaceId = (int) id;
        linkType = idb.linkType;
    }

    /** Skips to the block's trailing length and checks that it repeats the leading one. */
    private void finishBlock(long offset, int type, long totalLength) throws IOException {
        ChannelInput in = this.in;
        long toSkip = offset + totalLength - BLOCK_TRAILER_LENGTH - in.position();
        if (in.skip(toSkip) < toSkip || !in.request(BLOCK_TRAILER_LENGTH)) {
            throw truncated(offset, type, totalLength);
        }
        long trailer = Integer.toUnsignedLong(in.buffer().getInt(in.buffer().position()));
        if (trailer != totalLength) {
            throw fail(offset, blockName(type) + ": block total length " + totalLength
                    + " does not match its trailing copy " + trailer);
        }
        in.advance(BLOCK_TRAILER_LENGTH);
    }

    private void checkBlockLength(long offset, int type, long totalLength, int minimum)
            throws PcapFormatException {
        if ((totalLength & 3) != 0) {
            throw fail(offset, blockName(type) + ": block total length " + totalLength + " is not a multiple of 4");
        }
        if (totalLength < minimum) {
            throw fail(offset, blockName(type) + ": block total length " + totalLength + " is below the minimum of "
                    + minimum);
        }
    }

    private PcapFormatException truncated(long offset, int type, long totalLength) throws IOException {
        return fail(offset, "truncated " + blockName(type)
                + (totalLength >= 0 ? " of total length " + totalLength : "")
                + ": the file ends at byte " + in.size());
    }

    static String blockName(int type) {
        switch (type) {
            case SECTION_HEADER_BLOCK: return "Section Header Block";
            case INTERFACE_DESCRIPTION_BLOCK: return "Interface Description Block";
            case OBSOLETE_PACKET_BLOCK: return "Packet Block";
            case SIMPLE_PACKET_BLOCK: return "Simple Packet Block";
            case ENHANCED_PACKET_BLOCK: return "Enhanced Packet Block";
            default: return String.format("block of type 0x%08x", type);
        }
    }
}
