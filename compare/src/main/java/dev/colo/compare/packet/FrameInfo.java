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

    public boolean isTcp() {
        return kind == FrameKind.TCP;
    }

    public void copyFrom(FrameInfo o) {
        kind = o.kind;
        malformation = o.malformation;
        ipVersion = o.ipVersion;
        protocol = o.protocol;
        vlanId = o.vlanId;
        srcHi = o.srcHi;
        srcLo = o.srcLo;
        dstHi = o.dstHi;
        dstLo = o.dstLo;
        srcPort = o.srcPort;
        dstPort = o.dstPort;
        compareOffset = o.compareOffset;
        compareLength = o.compareLength;
        compareTag = o.compareTag;
        tcpSeq = o.tcpSeq;
        tcpAck = o.tcpAck;
        tcpFlags = o.tcpFlags;
        tcpOptionsOffset = o.tcpOptionsOffset;
        tcpOptionsLength = o.tcpOptionsLength;
    }
}
