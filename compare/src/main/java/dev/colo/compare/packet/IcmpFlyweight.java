package dev.colo.compare.packet;

/** ICMP and ICMPv6 share this layout: type, code, checksum, then a 4-byte rest-of-header. */
public final class IcmpFlyweight {
    public static final int TYPE_OFFSET = 0;
    public static final int CODE_OFFSET = 1;
    public static final int CHECKSUM_OFFSET = 2;
    public static final int IDENTIFIER_OFFSET = 4;
    public static final int HEADER_LENGTH = 8;

    public static final int V4_ECHO_REPLY = 0;
    public static final int V4_ECHO_REQUEST = 8;
    public static final int V6_ECHO_REQUEST = 128;
    public static final int V6_ECHO_REPLY = 129;

    private byte[] buf;
    private int offset;

    public Malformation wrap(byte[] buf, int offset, int available) {
        this.buf = buf;
        this.offset = offset;
        return available < HEADER_LENGTH ? Malformation.ICMP_TRUNCATED : null;
    }

    public int type() {
        return Bytes.u8(buf, offset + TYPE_OFFSET);
    }

    public int identifier() {
        return Bytes.u16(buf, offset + IDENTIFIER_OFFSET);
    }

    public static boolean isEcho(int type) {
        return type == V4_ECHO_REPLY || type == V4_ECHO_REQUEST || type == V6_ECHO_REQUEST || type == V6_ECHO_REPLY;
    }
}
