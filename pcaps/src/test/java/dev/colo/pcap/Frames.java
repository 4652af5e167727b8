package dev.colo.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;

/** Deterministic frame contents and frame assertions shared by the tests. */
final class Frames {
    private Frames() {
    }

    /** A frame whose every byte depends on its index and position, so shifts and mix-ups are caught. */
    static byte[] content(int index, int length) {
        byte[] b = new byte[length];
        fill(b, index, length);
        return b;
    }

    static void fill(byte[] b, int index, int length) {
        int x = index * 0x9e3779b1;
        for (int i = 0; i < length; i++) {
            x = x * 1103515245 + 12345;
            b[i] = (byte) (x >>> 16);
        }
    }

    /** Checks the reader's current frame is exactly {@code expected} (no allocation on the hot compare path). */
    static void assertFrame(PacketFileReader reader, byte[] expected) {
        assertEquals(expected.length, reader.capturedLength(), "captured length of frame " + reader.framesRead());
        if (!Arrays.equals(reader.data(), 0, expected.length, expected, 0, expected.length)) {
            assertArrayEquals(expected, Arrays.copyOf(reader.data(), expected.length),
                    "content of frame " + reader.framesRead());
        }
    }

    /** Checks the frame bytes without materialising the expected array (for the 50k-frame test). */
    static void assertContent(PacketFileReader reader, int index, int length) {
        assertEquals(length, reader.capturedLength(), "captured length of frame index " + index);
        byte[] data = reader.data();
        int x = index * 0x9e3779b1;
        for (int i = 0; i < length; i++) {
            x = x * 1103515245 + 12345;
            if (data[i] != (byte) (x >>> 16)) {
                fail("frame index " + index + " differs at byte " + i + " of " + length);
            }
        }
    }

    /** A syntactically valid Ethernet/IPv4/UDP frame (so the real tools dissect it) padded with content. */
    static byte[] udpFrame(int index, int length) {
        assertTrue(length >= 42, "an Ethernet/IPv4/UDP frame needs 42 bytes");
        byte[] f = content(index, length);
        // Ethernet: locally administered MACs, IPv4 ethertype.
        byte[] eth = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
        System.arraycopy(eth, 0, f, 0, eth.length);
        int ipLength = length - 14;
        byte[] ip = {0x45, 0, (byte) (ipLength >>> 8), (byte) ipLength, 0, 0, 0x40, 0, 64, 17, 0, 0,
            10, 0, 0, 1, 10, 0, 0, 2};
        System.arraycopy(ip, 0, f, 14, ip.length);
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += ((f[14 + i] & 0xff) << 8) | (f[15 + i] & 0xff);
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = ~((sum & 0xffff) + (sum >>> 16));
        f[24] = (byte) (sum >>> 8);
        f[25] = (byte) sum;
        int udpLength = ipLength - 20;
        byte[] udp = {0x30, 0x39, 0x17, 0x70, (byte) (udpLength >>> 8), (byte) udpLength, 0, 0};
        System.arraycopy(udp, 0, f, 34, udp.length);
        return f;
    }
}
