package dev.colo.compare.packet;

/** How the comparator treats a frame. */
public enum FrameKind {
    /** A TCP segment: compared as a byte stream relative to each side's initial sequence number. */
    TCP,
    /** UDP, ICMP, ARP, other IP protocols, IP fragments, non-IP: compared datagram by datagram. */
    DATAGRAM,
    /** A frame that failed to parse: compared whole, in order, on one opaque flow. */
    MALFORMED
}
