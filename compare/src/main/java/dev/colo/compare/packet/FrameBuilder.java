package dev.colo.compare.packet;

/**
 * Writes well-formed Ethernet frames (IPv4/IPv6 with TCP, UDP, ICMP; ARP) with correct checksums into
 * a caller's buffer. For tests, benchmarks and synthetic traffic; the hot path never builds frames.
 */
public final class FrameBuilder {
    public static final byte[] DEFAULT_SERVER_MAC = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    public static final byte[] DEFAULT_CLIENT_MAC = {0x52, 0x54, 0x00, 0x65, 0x43, 0x21};

    private byte[] srcMac = DEFAULT_SERVER_MAC;
    private byte[] dstMac = DEFAULT_CLIENT_MAC;
    private int vlan = -1;
    private int ttl = 64;
    private int ipId;
    private byte[] tcpOptions = new byte[0];
    private int window = 65535;

    public FrameBuilder macs(byte[] src, byte[] dst) {
        srcMac = src.clone();
        dstMac = dst.clone();
        return this;
    }

    public FrameBuilder vlan(int id) {
        vlan = id;
        return this;
    }

    public FrameBuilder ttl(int v) {
        ttl = v;
        return this;
    }

    public FrameBuilder ipId(int v) {
        ipId = v;
        return this;
    }

    public FrameBuilder window(int v) {
        window = v;
        return this;
    }

    /** TCP options, padded by the caller to a multiple of 4 bytes. */
    public FrameBuilder tcpOptions(byte[] options) {
        if (options.length % 4 != 0 || options.length > 40) {
            throw new IllegalArgumentException("TCP options must be a multiple of 4 bytes, at most 40");
        }
        tcpOptions = options.clone();
        return this;
    }

    private int ethernet(byte[] b, int off, int type) {
        System.arraycopy(dstMac, 0, b, off, 6);
        System.arraycopy(srcMac, 0, b, off + 6, 6);
        int at = off + 12;
        if (vlan >= 0) {
            Bytes.putU16(b, at, EthernetFlyweight.TYPE_VLAN);
            Bytes.putU16(b, at + 2, vlan);
            at += 4;
        }
        Bytes.putU16(b, at, type);
        return at + 2;
    }

    private int ipv4(byte[] b, int at, int protocol, int src, int dst, int l4Length) {
        b[at] = 0x45;
        b[at + 1] = 0;
        Bytes.putU16(b, at + 2, 20 + l4Length);
        Bytes.putU16(b, at + 4, ipId);
        Bytes.putU16(b, at + 6, 0x4000);
        b[at + 8] = (byte) ttl;
        b[at + 9] = (byte) protocol;
        Bytes.putU16(b, at + 10, 0);
        Bytes.putI32(b, at + 12, src);
        Bytes.putI32(b, at + 16, dst);
        Bytes.putU16(b, at + 10, Checksums.fold(Checksums.sum(b, at, 20, 0)));
        return at + 20;
    }

    private int ipv6(byte[] b, int at, int protocol, byte[] src, byte[] dst, int l4Length) {
        Bytes.putI32(b, at, 0x6000_0000 | (ipId & 0xfffff));
        Bytes.putU16(b, at + 4, l4Length);
        b[at + 6] = (byte) protocol;
        b[at + 7] = (byte) ttl;
        System.arraycopy(src, 0, b, at + 8, 16);
        System.arraycopy(dst, 0, b, at + 24, 16);
        return at + 40;
    }

    private static long pseudo4(int src, int dst, int protocol, int length) {
        return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
    }

    private static long pseudo6(byte[] b, int ipAt, int protocol, int length) {
        return Checksums.sum(b, ipAt + 8, 32, 0) + protocol + length;
    }

    /** IPv4 TCP segment; returns the frame length. */
    public int tcp4(byte[] b, int off, int src, int dst, int sport, int dport, int seq, int ack, int flags,
                    byte[] payload, int pOff, int pLen) {
        int hl = 20 + tcpOptions.length;
        int ip = ethernet(b, off, EthernetFlyweight.TYPE_IPV4);
        int l4 = ipv4(b, ip, 6, src, dst, hl + pLen);
        tcpHeader(b, l4, sport, dport, seq, ack, flags, payload, pOff, pLen);
        Bytes.putU16(b, l4 + 16, Checksums.fold(Checksums.sum(b, l4, hl + pLen, pseudo4(src, dst, 6, hl + pLen))));
        return l4 + hl + pLen - off;
    }

    /** IPv6 TCP segment; returns the frame length. */
    public int tcp6(byte[] b, int off, byte[] src, byte[] dst, int sport, int dport, int seq, int ack, int flags,
                    byte[] payload, int pOff, int pLen) {
        int hl = 20 + tcpOptions.length;
        int ip = ethernet(b, off, EthernetFlyweight.TYPE_IPV6);
        int l4 = ipv6(b, ip, 6, src, dst, hl + pLen);
        tcpHeader(b, l4, sport, dport, seq, ack, flags, payload, pOff, pLen);
        Bytes.putU16(b, l4 + 16, Checksums.fold(Checksums.sum(b, l4, hl + pLen, pseudo6(b, ip, 6, hl + pLen))));
        return l4 + hl + pLen - off;
    }

    private void tcpHeader(byte[] b, int l4, int sport, int dport, int seq, int ack, int flags,
                           byte[] payload, int pOff, int pLen) {
        int hl = 20 + tcpOptions.length;
        Bytes.putU16(b, l4, sport);
        Bytes.putU16(b, l4 + 2, dport);
        Bytes.putI32(b, l4 + 4, seq);
        Bytes.putI32(b, l4 + 8, ack);
        b[l4 + 12] = (byte) ((hl / 4) << 4);
        b[l4 + 13] = (byte) flags;
        Bytes.putU16(b, l4 + 14, window);
        Bytes.putU16(b, l4 + 16, 0);
        Bytes.putU16(b, l4 + 18, 0);
        System.arraycopy(tcpOptions, 0, b, l4 + 20, tcpOptions.length);
        System.arraycopy(payload, pOff, b, l4 + hl, pLen);
    }

    /** IPv4 UDP datagram; returns the frame length. */
    public int udp4(byte[] b, int off, int src, int dst, int sport, int dport, byte[] payload, int pOff, int pLen) {
        int ip = ethernet(b, off, EthernetFlyweight.TYPE_IPV4);
        int l4 = ipv4(b, ip, 17, src, dst, 8 + pLen);
        udpHeader(b, l4, sport, dport, payload, pOff, pLen);
        int c = Checksums.fold(Checksums.sum(b, l4, 8 + pLen, pseudo4(src, dst, 17, 8 + pLen)));
        Bytes.putU16(b, l4 + 6, c == 0 ? 0xffff : c);
        return l4 + 8 + pLen - off;
    }

    /** IPv6 UDP datagram; returns the frame length. */
    public int udp6(byte[] b, int off, byte[] src, byte[] dst, int sport, int dport, byte[] payload, int pOff, int pLen) {
        int ip = ethernet(b, off, EthernetFlyweight.TYPE_IPV6);
        int l4 = ipv6(b, ip, 17, src, dst, 8 + pLen);
        udpHeader(b, l4, sport, dport, payload, pOff, pLen);
        int c = Checksums.fold(Checksums.sum(b, l4, 8 + pLen, pseudo6(b, ip, 17, 8 + pLen)));
        Bytes.putU16(b, l4 + 6, c == 0 ? 0xffff : c);
        return l4 + 8 + pLen - off;
    }

    private static void udpHeader(byte[] b, int l4, int sport, int dport, byte[] payload, int pOff, int pLen) {
        Bytes.putU16(b, l4, sport);
        Bytes.putU16(b, l4 + 2, dport);
        Bytes.putU16(b, l4 + 4, 8 + pLen);
        Bytes.putU16(b, l4 + 6, 0);
        System.arraycopy(payload, pOff, b, l4 + 8, pLen);
    }

    /** IPv4 ICMP message (type, code, identifier, sequence, data); returns the frame length. */
    public int icmp4(byte[] b, int off, int src, int dst, int type, int code, int id, int seq, byte[] data) {
        int ip = ethernet(b, off, EthernetFlyweight.TYPE_IPV4);
        int l4 = ipv4(b, ip, 1, src, dst, 8 + data.length);
        b[l4] = (byte) type;
        b[l4 + 1] = (byte) code;
        Bytes.putU16(b, l4 + 2, 0);
        Bytes.putU16(b, l4 + 4, id);
        Bytes.putU16(b, l4 + 6, seq);
        System.arraycopy(data, 0, b, l4 + 8, data.length);
        Bytes.putU16(b, l4 + 2, Checksums.fold(Checksums.sum(b, l4, 8 + data.length, 0)));
        return l4 + 8 + data.length - off;
    }

    /** ff02::1, all nodes on the link. */
    private static final byte[] ALL_NODES = {(byte) 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    /** Its Ethernet multicast address (33:33 + the low 32 bits). */
    public static final byte[] ALL_NODES_MAC = {0x33, 0x33, 0, 0, 0, 1};

    /**
     * Unsolicited neighbour advertisement (RFC 4861 7.2.6) for {@code target}, from the source MAC to all nodes:
     * override flag set, the source MAC as the target link-layer address, hop limit 255 as the RFC requires (the
     * builder's ttl is not used). Returns the frame length.
     */
    public int neighbourAdvertisement(byte[] b, int off, byte[] target) {
        int hopLimit = ttl;
        ttl = 255;
        int ip = ethernet(b, off, EthernetFlyweight.TYPE_IPV6);
        int l4 = ipv6(b, ip, 58, target, ALL_NODES, 32);
        ttl = hopLimit;
        b[l4] = (byte) 136; // neighbour advertisement
        b[l4 + 1] = 0;
        Bytes.putU16(b, l4 + 2, 0);
        Bytes.putI32(b, l4 + 4, 0x2000_0000); // O (override): replace the cached link-layer address
        System.arraycopy(target, 0, b, l4 + 8, 16);
        b[l4 + 24] = 2; // option: target link-layer address
        b[l4 + 25] = 1; // length in units of 8 bytes
        System.arraycopy(srcMac, 0, b, l4 + 26, 6);
        Bytes.putU16(b, l4 + 2, Checksums.fold(Checksums.sum(b, l4, 32, pseudo6(b, ip, 58, 32))));
        return l4 + 32 - off;
    }

    /** ARP request (op 1) or reply (op 2) for IPv4 over Ethernet, padded to the 60-byte minimum. */
    public int arp(byte[] b, int off, int op, int senderIp, int targetIp, byte[] targetMac) {
        int at = ethernet(b, off, EthernetFlyweight.TYPE_ARP);
        Bytes.putU16(b, at, 1);
        Bytes.putU16(b, at + 2, 0x0800);
        b[at + 4] = 6;
        b[at + 5] = 4;
        Bytes.putU16(b, at + 6, op);
        System.arraycopy(srcMac, 0, b, at + 8, 6);
        Bytes.putI32(b, at + 14, senderIp);
        System.arraycopy(targetMac, 0, b, at + 18, 6);
        Bytes.putI32(b, at + 24, targetIp);
        int end = at + 28;
        while (end - off < 60) {
            b[end++] = 0;
        }
        return end - off;
    }

    public static int ipv4(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }
}
