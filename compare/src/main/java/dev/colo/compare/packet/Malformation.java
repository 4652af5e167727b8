package dev.colo.compare.packet;

/** Why a frame could not be parsed. Malformed frames are counted and compared as opaque bytes. */
public enum Malformation {
    ETHERNET_TRUNCATED,
    VLAN_TAGS,
    IPV4_TRUNCATED,
    IPV4_VERSION,
    IPV4_HEADER_LENGTH,
    IPV4_TOTAL_LENGTH,
    IPV6_TRUNCATED,
    IPV6_VERSION,
    IPV6_PAYLOAD_LENGTH,
    IPV6_EXTENSION_HEADER,
    TCP_TRUNCATED,
    TCP_DATA_OFFSET,
    UDP_TRUNCATED,
    UDP_LENGTH,
    ICMP_TRUNCATED,
    ARP_TRUNCATED,
    UNSUPPORTED_LINK_TYPE;

    private static final Malformation[] VALUES = values();

    public static Malformation of(int ordinal) {
        return VALUES[ordinal];
    }
}
