package dev.colo.proxy.io;

/**
 * How to open a frame port; {@link #defaults()} suits COLO, the {@code with} methods change one option.
 *
 * @param socketBufferBytes kernel queue for each direction (SO_RCVBUF/SO_SNDBUF, the pcap buffer): big, so
 *                          that a checkpoint pause does not drop the frames that arrive meanwhile
 * @param promiscuous       receive frames for every MAC address, not only the interface's own (a tap or
 *                          veth carries a VM's traffic, whose MAC is not the host's)
 * @param pcapFilter        a BPF capture filter (tcpdump syntax), pcap backend only; null for none
 * @param snaplen           the longest frame the pcap backend captures (65536 covers GRO/GSO super-frames)
 * @param pcapImmediate     deliver each frame at once (libpcap immediate mode) instead of in batches
 * @param tapMultiQueue     open the tap with IFF_MULTI_QUEUE, so that several processes can attach to it
 * @param rxRing            AF_PACKET backend: receive through a memory-mapped ring of socketBufferBytes (no
 *                          system call per frame while frames wait) instead of one recv per frame
 */
public record PortOptions(int socketBufferBytes, boolean promiscuous, String pcapFilter, int snaplen,
                          boolean pcapImmediate, boolean tapMultiQueue, boolean rxRing) {
    public static final int DEFAULT_SOCKET_BUFFER = 4 << 20;
    public static final int DEFAULT_SNAPLEN = 65536;

    public PortOptions {
        if (socketBufferBytes <= 0) {
            throw new IllegalArgumentException("socket buffer must be positive: " + socketBufferBytes);
        }
        if (snaplen < 64) {
            throw new IllegalArgumentException("snaplen below 64 bytes cuts frames short: " + snaplen);
        }
        if (pcapFilter != null && pcapFilter.isBlank()) {
            pcapFilter = null;
        }
    }

    public static PortOptions defaults() {
        return new PortOptions(DEFAULT_SOCKET_BUFFER, true, null, DEFAULT_SNAPLEN, true, false, true);
    }

    public PortOptions withSocketBufferBytes(int bytes) {
        return new PortOptions(bytes, promiscuous, pcapFilter, snaplen, pcapImmediate, tapMultiQueue, rxRing);
    }

    public PortOptions withPromiscuous(boolean on) {
        return new PortOptions(socketBufferBytes, on, pcapFilter, snaplen, pcapImmediate, tapMultiQueue, rxRing);
    }

    public PortOptions withPcapFilter(String filter) {
        return new PortOptions(socketBufferBytes, promiscuous, filter, snaplen, pcapImmediate, tapMultiQueue, rxRing);
    }

    public PortOptions withSnaplen(int bytes) {
        return new PortOptions(socketBufferBytes, promiscuous, pcapFilter, bytes, pcapImmediate, tapMultiQueue, rxRing);
    }

    public PortOptions withPcapImmediate(boolean on) {
        return new PortOptions(socketBufferBytes, promiscuous, pcapFilter, snaplen, on, tapMultiQueue, rxRing);
    }

    public PortOptions withTapMultiQueue(boolean on) {
        return new PortOptions(socketBufferBytes, promiscuous, pcapFilter, snaplen, pcapImmediate, on, rxRing);
    }

    public PortOptions withRxRing(boolean on) {
        return new PortOptions(socketBufferBytes, promiscuous, pcapFilter, snaplen, pcapImmediate, tapMultiQueue, on);
    }
}
