package dev.colo.compare.packet;

/**
 * IPv6 header and its extension-header chain. Flow label and hop limit differ legitimately between
 * replicas (Linux hashes a random per-socket value into the flow label) and are never compared.
 */
public final class Ipv6Flyweight {
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    public static final int NEXT_HEADER_OFFSET = 6;
    public static final int SRC_OFFSET = 8;
    public static final int DST_OFFSET = 24;
    public static final int HEADER_LENGTH = 40;

    public static final int EXT_HOP_BY_HOP = 0;
    public static final int EXT_ROUTING = 43;
    public static final int EXT_FRAGMENT = 44;
    public static final int EXT_AUTH = 51;
    public static final int EXT_DEST_OPTIONS = 60;
    public static final int EXT_MOBILITY = 135;
    public static final int NO_NEXT_HEADER = 59;
    private static final int MAX_EXTENSION_HEADERS = 8;

    private byte[] buf;
    private int offset;
    private int upperProtocol;
    private int upperOffset;
    private int end;
    private boolean fragment;

    public Malformation wrap(byte[] buf, int offset, int available) {
        this.buf = buf;
        this.offset = offset;
        if (available < HEADER_LENGTH) {
            return Malformation.IPV6_TRUNCATED;
        }
        if (Bytes.u8(buf, offset) >>> 4 != 6) {
            return Malformation.IPV6_VERSION;
        }
        int payloadLength = Bytes.u16(buf, offset + PAYLOAD_LENGTH_OFFSET);
        if (payloadLength == 0) {
            payloadLength = available - HEADER_LENGTH; // jumbogram or GSO super-frame
        }
        if (HEADER_LENGTH + payloadLength > available) {
            return Malformation.IPV6_PAYLOAD_LENGTH;
        }
        end = offset + HEADER_LENGTH + payloadLength;
        fragment = false;
        int next = Bytes.u8(buf, offset + NEXT_HEADER_OFFSET);
        int at = offset + HEADER_LENGTH;
        for (int n = 0; isExtension(next); n++) {
            if (n == MAX_EXTENSION_HEADERS || at + 8 > end) {
                return Malformation.IPV6_EXTENSION_HEADER;
            }
            int len;
            if (next == EXT_FRAGMENT) {
                len = 8;
                fragment = true;
            } else if (next == EXT_AUTH) {
                len = (Bytes.u8(buf, at + 1) + 2) * 4;
            } else {
                len = (Bytes.u8(buf, at + 1) + 1) * 8;
            }
            if (at + len > end) {
                return Malformation.IPV6_EXTENSION_HEADER;
            }
            next = Bytes.u8(buf, at);
            at += len;
        }
        upperProtocol = next;
        upperOffset = at;
        return null;
    }

    private static boolean isExtension(int nh) {
        return nh == EXT_HOP_BY_HOP || nh == EXT_ROUTING || nh == EXT_FRAGMENT || nh == EXT_AUTH
                || nh == EXT_DEST_OPTIONS || nh == EXT_MOBILITY;
    }

    public int upperProtocol() {
        return upperProtocol;
    }

    public int upperOffset() {
        return upperOffset;
    }

    /** Index one past the last byte of this packet (excludes Ethernet padding). */
    public int end() {
        return end;
    }

    public boolean isFragment() {
        return fragment;
    }

    public long srcHi() {
        return Bytes.i64(buf, offset + SRC_OFFSET);
    }

    public long srcLo() {
        return Bytes.i64(buf, offset + SRC_OFFSET + 8);
    }

    public long dstHi() {
        return Bytes.i64(buf, offset + DST_OFFSET);
    }

    public long dstLo() {
        return Bytes.i64(buf, offset + DST_OFFSET + 8);
    }
}
