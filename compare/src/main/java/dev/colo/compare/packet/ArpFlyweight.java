package dev.colo.compare.packet;

/** ARP for IPv4 over Ethernet. */
public final class ArpFlyweight {
    public static final int OPERATION_OFFSET = 6;
    public static final int SENDER_IP_OFFSET = 14;
    public static final int TARGET_IP_OFFSET = 24;
    public static final int LENGTH = 28;

    private byte[] buf;
    private int offset;

    public Malformation wrap(byte[] buf, int offset, int available) {
        this.buf = buf;
        this.offset = offset;
        return available < LENGTH ? Malformation.ARP_TRUNCATED : null;
    }

    public int operation() {
        return Bytes.u16(buf, offset + OPERATION_OFFSET);
    }

    public int senderIp() {
        return Bytes.i32(buf, offset + SENDER_IP_OFFSET);
    }

    public int targetIp() {
        return Bytes.i32(buf, offset + TARGET_IP_OFFSET);
    }
}
