package dev.colo.compare.packet;

/**
 * Decodes one frame into a {@link FrameInfo} with flyweights: no allocation. Fields that differ
 * legitimately between two replicas (IP ID, TTL, hop limit, flow label, checksums, TCP window and
 * options) are left out of the comparable region.
 */
public final class FrameDecoder {
    public static final int LINKTYPE_ETHERNET = 1;
    public static final int LINKTYPE_RAW = 101;

    private static final long IPV4_MAPPED_HI = 0L;
    private static final long IPV4_MAPPED_LO_PREFIX = 0x0000_ffff_0000_0000L;

    private final EthernetFlyweight ethernet = new EthernetFlyweight();
    private final Ipv4Flyweight ipv4 = new Ipv4Flyweight();
    private final Ipv6Flyweight ipv6 = new Ipv6Flyweight();
    private final TcpFlyweight tcp = new TcpFlyweight();
    private final UdpFlyweight udp = new UdpFlyweight();
    private final IcmpFlyweight icmp = new IcmpFlyweight();
    private final ArpFlyweight arp = new ArpFlyweight();

    /** Decodes an Ethernet frame. */
    public void decode(byte[] buf, int offset, int length, FrameInfo info) {
        decode(LINKTYPE_ETHERNET, buf, offset, length, info);
    }

    public void decode(int linkType, byte[] buf, int offset, int length, FrameInfo info) {
        info.clear();
        info.compareOffset = offset;
        info.compareLength = length;
        Malformation m;
        if (linkType == LINKTYPE_ETHERNET) {
            m = decodeEthernet(buf, offset, length, info);
        } else if (linkType == LINKTYPE_RAW && length > 0) {
            int version = Bytes.u8(buf, offset) >>> 4;
            m = version == 4 ? decodeIpv4(buf, offset, length, info)
                    : version == 6 ? decodeIpv6(buf, offset, length, info) : Malformation.IPV4_VERSION;
        } else {
            m = Malformation.UNSUPPORTED_LINK_TYPE;
        }
        if (m != null) {
            markMalformed(info, m, offset, length);
        }
        info.computeKey();
    }

    private static void markMalformed(FrameInfo info, Malformation m, int offset, int length) {
        info.clear();
        info.kind = FrameKind.MALFORMED;
        info.malformation = m;
        info.protocol = FrameInfo.PROTO_MALFORMED;
        info.compareOffset = offset;
        info.compareLength = length;
    }

    private Malformation decodeEthernet(byte[] buf, int offset, int length, FrameInfo info) {
        if (!ethernet.wrap(buf, offset, length)) {
            return length < EthernetFlyweight.HEADER_LENGTH ? Malformation.ETHERNET_TRUNCATED : Malformation.VLAN_TAGS;
        }
        info.vlanId = ethernet.vlanId();
        int l3 = ethernet.payloadOffset();
        int available = ethernet.payloadLength();
        switch (ethernet.etherType()) {
            case EthernetFlyweight.TYPE_IPV4:
                return decodeIpv4(buf, l3, available, info);
            case EthernetFlyweight.TYPE_IPV6:
                return decodeIpv6(buf, l3, available, info);
            case EthernetFlyweight.TYPE_ARP:
                return decodeArp(buf, l3, available, info);
            default:
                // Non-IP: compared whole (both replicas carry the same MAC).
                info.kind = FrameKind.DATAGRAM;
                info.protocol = FrameInfo.PROTO_NON_IP;
                info.srcPort = ethernet.etherType();
                return null;
        }
    }

    private Malformation decodeArp(byte[] buf, int l3, int available, FrameInfo info) {
        Malformation m = arp.wrap(buf, l3, available);
        if (m != null) {
            return m;
        }
        info.kind = FrameKind.DATAGRAM;
        info.protocol = FrameInfo.PROTO_ARP;
        info.ipVersion = 4;
        info.srcHi = IPV4_MAPPED_HI;
        info.srcLo = IPV4_MAPPED_LO_PREFIX | (arp.senderIp() & 0xffffffffL);
        info.dstHi = IPV4_MAPPED_HI;
        info.dstLo = IPV4_MAPPED_LO_PREFIX | (arp.targetIp() & 0xffffffffL);
        info.srcPort = arp.operation();
        info.compareOffset = l3;
        info.compareLength = ArpFlyweight.LENGTH; // trailing Ethernet padding is not compared
        return null;
    }

    private Malformation decodeIpv4(byte[] buf, int l3, int available, FrameInfo info) {
        Malformation m = ipv4.wrap(buf, l3, available);
        if (m != null) {
            return m;
        }
        info.ipVersion = 4;
        info.srcHi = IPV4_MAPPED_HI;
        info.srcLo = IPV4_MAPPED_LO_PREFIX | (ipv4.src() & 0xffffffffL);
        info.dstHi = IPV4_MAPPED_HI;
        info.dstLo = IPV4_MAPPED_LO_PREFIX | (ipv4.dst() & 0xffffffffL);
        int l4 = l3 + ipv4.headerLength();
        int end = l3 + ipv4.totalLength();
        return decodeUpper(buf, ipv4.protocol(), ipv4.isFragment(), l4, end, info);
    }

    private Malformation decodeIpv6(byte[] buf, int l3, int available, FrameInfo info) {
        Malformation m = ipv6.wrap(buf, l3, available);
        if (m != null) {
            return m;
        }
        info.ipVersion = 6;
        info.srcHi = ipv6.srcHi();
        info.srcLo = ipv6.srcLo();
        info.dstHi = ipv6.dstHi();
        info.dstLo = ipv6.dstLo();
        return decodeUpper(buf, ipv6.upperProtocol(), ipv6.isFragment(), ipv6.upperOffset(), ipv6.end(), info);
    }

    private Malformation decodeUpper(byte[] buf, int protocol, boolean fragment, int l4, int end, FrameInfo info) {
        info.protocol = protocol;
        info.kind = FrameKind.DATAGRAM;
        info.compareOffset = l4;
        info.compareLength = end - l4;
        if (fragment) {
            return null; // fragments carry no reliable L4 header: compare the IP payload as a datagram
        }
        Malformation m;
        switch (protocol) {
            case 6:
                m = tcp.wrap(buf, l4, end - l4);
                if (m == null) {
                    info.kind = FrameKind.TCP;
                    info.srcPort = tcp.srcPort();
                    info.dstPort = tcp.dstPort();
                    info.tcpSeq = tcp.seq();
                    info.tcpAck = tcp.ack();
                    info.tcpFlags = tcp.flags();
                    info.tcpOptionsOffset = tcp.optionsOffset();
                    info.tcpOptionsLength = tcp.optionsLength();
                    info.compareOffset = l4 + tcp.headerLength();
                    info.compareLength = end - info.compareOffset;
                }
                return m;
            case 17:
                m = udp.wrap(buf, l4, end - l4);
                if (m == null) {
                    info.srcPort = udp.srcPort();
                    info.dstPort = udp.dstPort();
                    info.compareOffset = l4 + UdpFlyweight.HEADER_LENGTH;
                    info.compareLength = udp.length() - UdpFlyweight.HEADER_LENGTH;
                }
                return m;
            case 1:
            case 58:
                m = icmp.wrap(buf, l4, end - l4);
                if (m == null) {
                    // Keyed by addresses only: a replica answering with another type must meet its twin.
                    int type = icmp.type();
                    // Type and code are compared through the tag so that the checksum between them is skipped.
                    info.compareTag = type << 8 | Bytes.u8(buf, l4 + IcmpFlyweight.CODE_OFFSET);
                    info.compareOffset = l4 + 4;
                    info.compareLength = end - l4 - 4;
                }
                return m;
            default:
                return null;
        }
    }
}
