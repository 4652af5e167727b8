package dev.colo.compare.packet;

/** UDP header. */
public final class UdpFlyweight {
    public static final int SRC_PORT_OFFSET = 0;
    public static final int DST_PORT_OFFSET = 2;
    public static final int LENGTH_OFFSET = 4;
    public static final int HEADER_LENGTH = 8;

    private byte[] buf;
    private int offset;
    private int length;

    public Malformation wrap(byte[] buf, int offset, int available) {
        this.buf = buf;
        this.offset = offset;
        if (available < HEADER_LENGTH) {
            return Malformation.UDP_TRUNCATED;
        }
        int declared = Bytes.u16(buf, offset + LENGTH_OFFSET);
        // 0 is legal for UDP-GSO super-frames and IPv6 jumbograms: the IP length rules then.
        length = declared == 0 ? available : declared;
        if (length < HEADER_LENGTH || length > available) {
            return Malformation.UDP_LENGTH;
        }
        return null;
    }

    public int srcPort() {
        return Bytes.u16(buf, offset + SRC_PORT_OFFSET);
    }

    public int dstPort() {
        return Bytes.u16(buf, offset + DST_PORT_OFFSET);
    }

    public int length() {
        return length;
    }
}
