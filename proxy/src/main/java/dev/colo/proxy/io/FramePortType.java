package dev.colo.proxy.io;

/** The frame I/O backends, as named on the command line. */
public enum FramePortType {
    /** An AF_PACKET socket bound to an existing interface (a tap, veth or NIC): the default. */
    AFPACKET,
    /** A TAP device opened (or created) through /dev/net/tun: the appliance owns the VM's NIC. */
    TAP,
    /** libpcap through pcap4j: slower, but takes a BPF capture filter. */
    PCAP
}
