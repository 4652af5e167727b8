package dev.colo.compare.packet;

/**
 * What {@link FrameDecoder} learned about one frame: its flow, and where its comparable bytes are.
 * One instance is reused for every frame (no allocation on the hot path), so it is a plain mutable
 * record with public fields. Addresses are 128-bit; IPv4 and ARP addresses are IPv4-mapped.
 */
public final class FrameInfo {
    /** IP protocol number used in flow keys for ARP (not an IP protocol: an unassigned value). */
    public static final int PROTO_ARP = 0x1_0806;
    /** Protocol value used for non-IP frames. */
    public static final int PROTO_NON_IP = 0x1_0000;
    /** Protocol value used for malformed frames. */
    public static final int PROTO_MALFORMED = 0x1_ffff;

    public FrameKind kind;
    /** Non-null when kind == MALFORMED. */
    public Malformation malformation;
    public int ipVersion;
    /** IP protocol number, or one of the PROTO_* values above. */
    public int protocol;
    public int vlanId;
    public long srcHi;
    public long srcLo;
    public long dstHi;
    public long dstLo;
    /** Ports for TCP and UDP; the echo identifier for ICMP echo; 0 otherwise. */
    public int srcPort;
    public int dstPort;

    /** Bytes compared for datagrams (and TCP payload): [compareOffset, compareOffset + compareLength). */
    public int compareOffset;
    public int compareLength;
    /** Header values compared besides the region (ICMP type and code, whose checksum sits between). */
    public int compareTag;

    public int tcpSeq;
    public int tcpAck;
    public int tcpFlags;
    public int tcpOptionsOffset;
    public int tcpOptionsLength;

    /**
     * The flow key, normalized so both directions of a connection share it (lower endpoint first),
     * and its hash: computed by the decoder (the parse stage) so the comparator only probes its table.
     */
    public long key0;
    public long key1;
    public long key2;
    public long key3;
    public long key4;
    public long key5;
    public int keyHash;
    /** 0 when the source is the key's lower endpoint, 1 otherwise. */
    public int keyDirection;

    public void clear() {
        kind = FrameKind.MALFORMED;
        malformation = null;
        ipVersion = 0;
        protocol = 0;
        vlanId = -1;
        srcHi = srcLo = dstHi = dstLo = 0;
        srcPort = dstPort = 0;
        compareOffset = compareLength = compareTag = 0;
        tcpSeq = tcpAck = tcpFlags = tcpOptionsOffset = tcpOptionsLength = 0;
    }

    /** Fills the key fields from the addresses, ports, protocol and VLAN. */
    public void computeKey() {
        int c = Long.compareUnsigned(srcHi, dstHi);
        if (c == 0) {
            c = Long.compareUnsigned(srcLo, dstLo);
        }
        if (c == 0) {
            c = Integer.compare(srcPort, dstPort);
        }
        boolean lowerFirst = c <= 0;
        keyDirection = lowerFirst ? 0 : 1;
        key0 = lowerFirst ? srcHi : dstHi;
        key1 = lowerFirst ? srcLo : dstLo;
        key2 = lowerFirst ? dstHi : srcHi;
        key3 = lowerFirst ? dstLo : srcLo;
        key4 = lowerFirst ? (long) srcPort << 16 | dstPort : (long) dstPort << 16 | srcPort;
        key5 = (long) protocol << 32 | (vlanId & 0xffffL) << 16 | ipVersion;
        keyHash = hash(key0, key1, key2, key3, key4, key5);
    }

    public static int hash(long a, long b, long c, long d, long e, long f) {
        long h = a * 0x9E3779B97F4A7C15L;
        h = (h ^ b) * 0xC2B2AE3D27D4EB4FL;
        h = (h ^ c) * 0x9E3779B97F4A7C15L;
        h = (h ^ d) * 0xC2B2AE3D27D4EB4FL;
        h = (h ^ e) * 0x9E3779B97F4A7C15L;
        h = (h ^ f) * 0xC2B2AE3D27D4EB4FL;
        return (int) (h ^ (h >>> 29) ^ (h >>> 47));
    }

    public boolean isTcp() {
        return kind == FrameKind.TCP;
    }

}
