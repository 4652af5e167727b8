package dev.colo.compare.packet;

/** IPv4 header. TTL, ID and checksum legitimately differ between replicas and are never compared. */
public final class Ipv4Flyweight {
    public static final int VERSION_IHL_OFFSET = 0;
    public static final int TOTAL_LENGTH_OFFSET = 2;
    public static final int FLAGS_FRAGMENT_OFFSET = 6;
    public static final int PROTOCOL_OFFSET = 9;
    public static final int SRC_OFFSET = 12;
    public static final int DST_OFFSET = 16;
    public static final int MIN_HEADER_LENGTH = 20;

    private static final int MORE_FRAGMENTS = 0x2000;
    private static final int FRAGMENT_OFFSET_MASK = 0x1fff;

    private byte[] buf;
    private int offset;
    private int headerLength;
    private int totalLength;

    /** @return null when well formed, else what is wrong. */
    public Malformation wrap(byte[] buf, int offset, int available) {
        this.buf = buf;
        this.offset = offset;
        if (available < MIN_HEADER_LENGTH) {
            return Malformation.IPV4_TRUNCATED;
        }
        int vihl = Bytes.u8(buf, offset + VERSION_IHL_OFFSET);
        if (vihl >>> 4 != 4) {
            return Malformation.IPV4_VERSION;
        }
        headerLength = (vihl & 0x0f) * 4;
        if (headerLength < MIN_HEADER_LENGTH || headerLength > available) {
            return Malformation.IPV4_HEADER_LENGTH;
        }
        int declared = Bytes.u16(buf, offset + TOTAL_LENGTH_OFFSET);
        // A TSO super-frame seen on the sender may carry 0 here: trust the captured length then.
        totalLength = declared == 0 ? available : declared;
        if (totalLength < headerLength || totalLength > available) {
            return Malformation.IPV4_TOTAL_LENGTH;
        }
        return null;
    }

    public int headerLength() {
        return headerLength;
    }

    public int totalLength() {
        return totalLength;
    }

    public int protocol() {
        return Bytes.u8(buf, offset + PROTOCOL_OFFSET);
    }

    public int src() {
        return Bytes.i32(buf, offset + SRC_OFFSET);
    }

    public int dst() {
        return Bytes.i32(buf, offset + DST_OFFSET);
    }

    public boolean isFragment() {
        int ff = Bytes.u16(buf, offset + FLAGS_FRAGMENT_OFFSET);
        return (ff & (MORE_FRAGMENTS | FRAGMENT_OFFSET_MASK)) != 0;
    }
}
