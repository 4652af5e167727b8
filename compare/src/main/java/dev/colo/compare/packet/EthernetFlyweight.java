package dev.colo.compare.packet;

/** Ethernet II header with any number of stacked 802.1Q / 802.1ad tags. */
public final class EthernetFlyweight {
    public static final int DST_OFFSET = 0;
    public static final int SRC_OFFSET = 6;
    public static final int TYPE_OFFSET = 12;
    public static final int HEADER_LENGTH = 14;
    public static final int VLAN_TAG_LENGTH = 4;
    public static final int MAX_VLAN_TAGS = 2;

    public static final int TYPE_IPV4 = 0x0800;
    public static final int TYPE_ARP = 0x0806;
    public static final int TYPE_IPV6 = 0x86dd;
    public static final int TYPE_VLAN = 0x8100;
    public static final int TYPE_QINQ = 0x88a8;

    private byte[] buf;
    private int offset;
    private int length;
    private int etherType;
    private int vlanId;
    private int payloadOffset;

    /** @return false when the frame is too short for its header or tags. */
    public boolean wrap(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.offset = offset;
        this.length = length;
        if (length < HEADER_LENGTH) {
            return false;
        }
        int typeAt = offset + TYPE_OFFSET;
        int type = Bytes.u16(buf, typeAt);
        vlanId = -1;
        int tags = 0;
        while (type == TYPE_VLAN || type == TYPE_QINQ) {
            if (++tags > MAX_VLAN_TAGS || typeAt + VLAN_TAG_LENGTH + 2 > offset + length) {
                return false;
            }
            int tci = Bytes.u16(buf, typeAt + 2);
            if (vlanId < 0) {
                vlanId = tci & 0x0fff;
            }
            typeAt += VLAN_TAG_LENGTH;
            type = Bytes.u16(buf, typeAt);
        }
        etherType = type;
        payloadOffset = typeAt + 2;
        return true;
    }

    public int etherType() {
        return etherType;
    }

    /** Outer VLAN id, or -1 when untagged. */
    public int vlanId() {
        return vlanId;
    }

    public int payloadOffset() {
        return payloadOffset;
    }

    public int payloadLength() {
        return offset + length - payloadOffset;
    }

    public byte[] buffer() {
        return buf;
    }
}
