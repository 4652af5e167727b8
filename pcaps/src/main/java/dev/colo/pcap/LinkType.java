package dev.colo.pcap;

/** The tcpdump.org LINKTYPE_ values this project cares about, as stored in pcap headers and pcapng IDBs. */
public final class LinkType {
    /** BSD loopback: 4-byte host-order address family, then the packet. */
    private static final int NULL = 0;
    /** IEEE 802.3 Ethernet (10/100/1000 and up). */
    public static final int ETHERNET = 1;
    /** Raw IPv4 or IPv6, version taken from the first nibble. */
    public static final int RAW = 101;
    /** OpenBSD loopback: like NULL with a network-order address family. */
    private static final int LOOP = 108;
    /** Linux "cooked" capture v1 (16-byte pseudo header), e.g. tcpdump -i any. */
    public static final int LINUX_SLL = 113;
    private static final int IPV4 = 228;
    private static final int IPV6 = 229;
    /** Linux "cooked" capture v2 (20-byte pseudo header, carries the interface index). */
    public static final int LINUX_SLL2 = 276;

    private LinkType() {
    }

    /** Symbolic name without the LINKTYPE_ prefix, or "LINKTYPE_n" for values not known here. */
    public static String name(int linkType) {
        switch (linkType) {
            case NULL: return "NULL";
            case ETHERNET: return "ETHERNET";
            case RAW: return "RAW";
            case LOOP: return "LOOP";
            case LINUX_SLL: return "LINUX_SLL";
            case IPV4: return "IPV4";
            case IPV6: return "IPV6";
            case LINUX_SLL2: return "LINUX_SLL2";
            default: return "LINKTYPE_" + linkType;
        }
    }
}
