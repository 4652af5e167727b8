package dev.colo.compare.packet;

/** TCP header with options. */
public final class TcpFlyweight {
    public static final int SRC_PORT_OFFSET = 0;
    public static final int DST_PORT_OFFSET = 2;
    public static final int SEQ_OFFSET = 4;
    public static final int ACK_OFFSET = 8;
    public static final int DATA_OFFSET_OFFSET = 12;
    public static final int FLAGS_OFFSET = 13;
    public static final int WINDOW_OFFSET = 14;
    public static final int CHECKSUM_OFFSET = 16;
    public static final int MIN_HEADER_LENGTH = 20;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;

    private byte[] buf;
    private int offset;
    private int headerLength;

    public Malformation wrap(byte[] buf, int offset, int available) {
        this.buf = buf;
        this.offset = offset;
        if (available < MIN_HEADER_LENGTH) {
            return Malformation.TCP_TRUNCATED;
        }
        headerLength = (Bytes.u8(buf, offset + DATA_OFFSET_OFFSET) >>> 4) * 4;
        if (headerLength < MIN_HEADER_LENGTH || headerLength > available) {
            return Malformation.TCP_DATA_OFFSET;
        }
        return null;
    }

    public int srcPort() {
        return Bytes.u16(buf, offset + SRC_PORT_OFFSET);
    }

    public int dstPort() {
        return Bytes.u16(buf, offset + DST_PORT_OFFSET);
    }

    public int seq() {
        return Bytes.i32(buf, offset + SEQ_OFFSET);
    }

    public int ack() {
        return Bytes.i32(buf, offset + ACK_OFFSET);
    }

    public int flags() {
        return Bytes.u8(buf, offset + FLAGS_OFFSET);
    }

    public int headerLength() {
        return headerLength;
    }

    public int optionsOffset() {
        return offset + MIN_HEADER_LENGTH;
    }

    public int optionsLength() {
        return headerLength - MIN_HEADER_LENGTH;
    }
}
