package dev.colo.compare;

import static dev.colo.compare.Side.P;
import static dev.colo.compare.Side.S;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Back-pressure at the store: a caller that admits a side's frame only while {@link OutputComparator#canAccept}
 * says so never loses one, whichever side runs ahead, and a full store is reported once, not per frame.
 */
class AdmissionTest {
    private static final int SEGMENT = 100;

    private static CompareConfig small() {
        return new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED)
                .smallSlots(64).largeSlots(4).maxQueuedPackets(100_000).maxQueuedBytes(1L << 40);
    }

    private static void segment(Harness h, int side, long ts, int i) {
        byte[] p = new byte[SEGMENT];
        java.util.Arrays.fill(p, (byte) i);
        p[0] = (byte) (i >> 8);
        h.tcp(side, ts, 1000 + i * SEGMENT, 77, 0x18, p, 0, SEGMENT);
    }

    @Test
    void eachSideMayFillHalfTheStoreThenMustWait() {
        Harness h = new Harness(small());
        h.autoCommit = false;
        int admitted = 0;
        while (h.comparator.canAccept(P)) {
            segment(h, P, admitted, admitted);
            admitted++;
        }
        assertEquals(32, admitted, "half of the 64 small slots");
        assertTrue(h.comparator.canAccept(S), "the other half stays free for the twins");
        assertEquals(0, h.comparator.stats().totalDivergences(), "one side ahead is back-pressure, not a divergence");
        segment(h, S, 100, 0);
        assertTrue(h.comparator.canAccept(P), "a twin freed a slot");
        assertEquals(1, h.released.size());
    }

    @Test
    void aFeedThatRespectsTheGateLosesNothingWhicheverSideRunsAhead() {
        Random random = new Random(10);
        for (int round = 0; round < 20; round++) {
            Harness h = new Harness(small());
            h.autoCommit = false;
            int total = 2000;
            int nextP = 0;
            int nextS = 0;
            long ts = 0;
            int bias = random.nextInt(5); // sometimes one side bursts far ahead of the other
            while (nextP < total || nextS < total) {
                boolean pickP = random.nextInt(6) < 1 + bias;
                boolean pCan = nextP < total && h.comparator.canAccept(P);
                boolean sCan = nextS < total && h.comparator.canAccept(S);
                assertTrue(pCan || sCan || (nextP == total && nextS == total) || nextP == total || nextS == total,
                        "both sides refused with twins outstanding: deadlock");
                if (pCan && (pickP || !sCan)) {
                    segment(h, P, ts++, nextP++);
                } else if (sCan) {
                    segment(h, S, ts++, nextS++);
                } else {
                    break;
                }
            }
            assertEquals(total, nextP);
            assertEquals(total, nextS);
            assertEquals(total, h.released.size(), "every primary frame released once");
            assertEquals(0, h.comparator.stats().get(CompareStats.LOST));
            assertEquals(0, h.comparator.stats().totalDivergences());
            assertEquals(0, h.comparator.heldFrames());
        }
    }

    @Test
    void aStoreFullOfFramesThatNeverPairIsOneDivergenceNotOnePerFrame() {
        CompareConfig cfg = small();
        Harness h = new Harness(cfg);
        h.autoCommit = false;
        // Different datagram flows on each side: nothing pairs, both sides reach their share.
        for (int i = 0; h.comparator.canAccept(P); i++) {
            h.frame(P, i, h.builder.udp4(h.buf, 0, Harness.SERVER, Harness.CLIENT, 7, 5000, new byte[] {1}, 0, 1));
        }
        for (int i = 0; h.comparator.canAccept(S); i++) {
            h.frame(S, i, h.builder.udp4(h.buf, 0, Harness.SERVER, Harness.CLIENT, 8, 5001, new byte[] {2}, 0, 1));
        }
        assertFalse(h.comparator.canAccept(P));
        assertEquals(1, h.comparator.stats().divergences(CheckpointReason.STORE_FULL));
        // A caller that ignores the gate gets one report for the episode; what found no slot (4 large slots
        // took 4 of the 10) is counted lost, never released uncompared.
        for (int i = 0; i < 10; i++) {
            h.frame(P, 1000 + i, h.builder.udp4(h.buf, 0, Harness.SERVER, Harness.CLIENT, 7, 5000, new byte[] {1}, 0, 1));
        }
        assertEquals(1, h.comparator.stats().divergences(CheckpointReason.STORE_FULL));
        assertEquals(6, h.comparator.stats().get(CompareStats.LOST));
        assertEquals(0, h.released.size());
        h.commit();
        assertTrue(h.comparator.canAccept(P), "the flush released the primary's frames");
        assertEquals(32 + 4, h.released.size(), "what was held is released by the commit");
    }
}
