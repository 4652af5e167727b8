package dev.colo.cli.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The feeder's frames are what they claim: valid checksums, contiguous TCP seqs, twins, readable stamps. */
class CompareFeederFramesTest {

    private static int sum(ByteBuffer b, int off, int len, long start) {
        long s = start;
        for (int k = 0; k < len; k += 2) {
            int hi = b.get(off + k) & 0xff;
            int lo = k + 1 < len ? b.get(off + k + 1) & 0xff : 0;
            s += (hi << 8) | lo;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    @Test
    void mixedFramesHaveValidChecksumsContiguousSeqsAndDifferOnlyInTheIpId() {
        CompareFeederFrames gen = new CompareFeederFrames(8, 2, 60, 1514, true, 7);
        ByteBuffer p = ByteBuffer.allocate(gen.maxFrameSize());
        ByteBuffer s = ByteBuffer.allocate(gen.maxFrameSize());
        Map<Integer, Long> nextSeq = new HashMap<>();
        Set<Integer> sizes = new HashSet<>();
        int udp = 0;
        for (long i = 0; i < 5000; i++) {
            int len = gen.write(i, true, p, 0);
            assertEquals(len, gen.write(i, false, s, 0));
            assertEquals(len, gen.length(i));
            sizes.add(len);
            assertEquals(len - 14, p.getShort(16) & 0xffff, "IP total length");
            assertEquals(0xffff, sum(p, 14, 20, 0), "IPv4 header checksum of frame " + i);
            assertEquals(0xffff, sum(s, 14, 20, 0), "IPv4 header checksum of the secondary's frame " + i);
            int proto = p.get(23);
            int l4Len = len - 34;
            long pseudo = sum(p, 26, 8, 0) + proto + l4Len;
            assertEquals(0xffff, sum(p, 34, l4Len, pseudo), "L4 checksum of frame " + i);
            for (int k = 0; k < len; k++) {
                if (k != 18 && k != 19 && k != 24 && k != 25) {
                    assertEquals(p.get(k), s.get(k), "byte " + k + " of frame " + i);
                }
            }
            assertTrue(p.getShort(18) != s.getShort(18), "IP IDs differ");
            assertEquals(i, gen.indexOf(p.array(), 0, len));
            int flow = (int) (i % 8);
            if (proto == 6) {
                long seq = p.getInt(38) & 0xffffffffL;
                Long want = nextSeq.get(flow);
                if (want != null) {
                    assertEquals((long) want, seq, "seq of frame " + i);
                }
                nextSeq.put(flow, (seq + len - 54) & 0xffffffffL);
                assertEquals(0x18, p.get(47), "ACK|PSH");
                assertEquals(CompareFeederFrames.TCP_ACK, p.getInt(42));
            } else {
                assertEquals(17, proto);
                assertTrue(flow >= 6, "the last two flows are UDP");
                udp++;
            }
        }
        assertTrue(sizes.size() > 50, "a mix of sizes: " + sizes.size());
        assertEquals(5000 / 8 * 2, udp);
    }

    @Test
    void identicalTwinsWhenIpIdsAreNotDistinct() {
        CompareFeederFrames gen = new CompareFeederFrames(4, 1, 118, 118, false, 1);
        ByteBuffer p = ByteBuffer.allocate(118);
        ByteBuffer s = ByteBuffer.allocate(118);
        for (long i = 0; i < 100; i++) {
            gen.write(i, true, p, 0);
            gen.write(i, false, s, 0);
            assertEquals(p, s.rewind(), "frame " + i);
            p.rewind();
        }
        assertEquals(-1, gen.indexOf(new byte[60], 0, 60));
    }
}
