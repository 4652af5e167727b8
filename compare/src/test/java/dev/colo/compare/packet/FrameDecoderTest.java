package dev.colo.compare.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class FrameDecoderTest {
    private final FrameDecoder decoder = new FrameDecoder();
    private final FrameInfo info = new FrameInfo();
    private final FrameBuilder fb = new FrameBuilder();
    private final byte[] buf = new byte[2000];
    private final int a = FrameBuilder.ipv4(192, 168, 1, 2);
    private final int b = FrameBuilder.ipv4(192, 168, 1, 3);

    @Test
    void tcpOverVlanWithOptions() {
        fb.vlan(42).tcpOptions(new byte[] {2, 4, 5, (byte) 0xb4});
        byte[] p = "hello".getBytes();
        int len = fb.tcp4(buf, 0, a, b, 1111, 80, 12345, 678, TcpFlyweight.SYN | TcpFlyweight.ACK, p, 0, p.length);
        decoder.decode(buf, 0, len, info);
        assertEquals(FrameKind.TCP, info.kind);
        assertEquals(42, info.vlanId);
        assertEquals(1111, info.srcPort);
        assertEquals(80, info.dstPort);
        assertEquals(12345, info.tcpSeq);
        assertEquals(678, info.tcpAck);
        assertEquals(4, info.tcpOptionsLength);
        assertEquals(5, info.compareLength);
        assertEquals('h', buf[info.compareOffset]);
    }

    @Test
    void ethernetPaddingIsNotCompared() {
        byte[] p = {1};
        int len = fb.udp4(buf, 0, a, b, 1, 2, p, 0, 1); // 43 bytes: the wire pads it to 60
        decoder.decode(buf, 0, 60, info);
        assertEquals(FrameKind.DATAGRAM, info.kind);
        assertEquals(1, info.compareLength);
        assertEquals(43, len);
    }

    @Test
    void ipv6ExtensionHeadersAreWalked() {
        byte[] src = new byte[16];
        byte[] dst = new byte[16];
        src[15] = 1;
        dst[15] = 2;
        byte[] p = "x".getBytes();
        int len = fb.udp6(buf, 0, src, dst, 53, 5353, p, 0, 1);
        // Insert an 8-byte hop-by-hop header between the IPv6 header and UDP.
        int ip = 14;
        System.arraycopy(buf, ip + 40, buf, ip + 48, len - ip - 40);
        buf[ip + 40] = 17; // next header: UDP
        buf[ip + 41] = 0; // length: 8 bytes
        for (int i = 2; i < 8; i++) {
            buf[ip + 40 + i] = 0;
        }
        buf[ip + 6] = 0; // next header: hop-by-hop
        Bytes.putU16(buf, ip + 4, Bytes.u16(buf, ip + 4) + 8);
        decoder.decode(buf, 0, len + 8, info);
        assertNull(info.malformation);
        assertEquals(17, info.protocol);
        assertEquals(53, info.srcPort);
        assertEquals(1, info.compareLength);
    }

    @Test
    void malformedFramesSayWhy() {
        byte[] p = "payload".getBytes();
        int len = fb.tcp4(buf, 0, a, b, 1, 2, 3, 4, 0, p, 0, p.length);
        decoder.decode(buf, 0, 10, info);
        assertEquals(Malformation.ETHERNET_TRUNCATED, info.malformation);
        decoder.decode(buf, 0, 14 + 10, info);
        assertEquals(Malformation.IPV4_TRUNCATED, info.malformation);
        decoder.decode(buf, 0, 14 + 20 + 10, info);
        assertEquals(Malformation.IPV4_TOTAL_LENGTH, info.malformation);
        buf[14 + 20 + 12] = 0x10; // TCP data offset 4 words < 5
        decoder.decode(buf, 0, len, info);
        assertEquals(Malformation.TCP_DATA_OFFSET, info.malformation);
        assertEquals(FrameKind.MALFORMED, info.kind);
        assertEquals(len, info.compareLength, "malformed frames are compared whole");
        buf[14] = 0x55; // IP version 5
        decoder.decode(buf, 0, len, info);
        assertEquals(Malformation.IPV4_VERSION, info.malformation);
        decoder.decode(7, buf, 0, len, info);
        assertEquals(Malformation.UNSUPPORTED_LINK_TYPE, info.malformation);
    }

    @Test
    void randomGarbageNeverThrows() {
        java.util.Random r = new java.util.Random(9);
        for (int i = 0; i < 200_000; i++) {
            int len = r.nextInt(120);
            r.nextBytes(buf);
            if (r.nextBoolean()) {
                buf[12] = 0x08;
                buf[13] = 0x00;
                buf[14] = 0x45;
            }
            decoder.decode(buf, 0, len, info);
            if (info.kind != FrameKind.MALFORMED) {
                org.junit.jupiter.api.Assertions.assertTrue(info.compareOffset + info.compareLength <= len);
            }
        }
    }
}
