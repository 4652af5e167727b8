package dev.colo.compare;

import static dev.colo.compare.Side.P;
import static dev.colo.compare.Side.S;
import static dev.colo.compare.packet.TcpFlyweight.ACK;
import static dev.colo.compare.packet.TcpFlyweight.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.compare.packet.FrameInfo;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The output-commit invariant under random segmentation, ISNs, interleavings and divergences: no
 * primary byte that differs from the secondary's leaves before a checkpoint has committed, nothing is
 * lost, and each stream's bytes come out in the primary's order.
 */
class OutputCommitPropertyTest {

    @Test
    void noDivergentByteIsReleasedBeforeACommitAndNothingIsLost() {
        for (long seed = 1; seed <= 200; seed++) {
            runOnce(seed);
        }
    }

    private static void runOnce(long seed) {
        Random r = new Random(seed);
        Harness h = new Harness();
        h.autoCommit = false;
        int length = 2000 + r.nextInt(30000);
        byte[] pBody = new byte[length];
        r.nextBytes(pBody);
        byte[] sBody = pBody.clone();
        boolean[] differs = new boolean[length];
        int diffs = r.nextInt(4);
        for (int i = 0; i < diffs; i++) {
            int at = r.nextInt(length);
            sBody[at] ^= 1 + r.nextInt(255);
            differs[at] = true;
        }
        int pIsn = r.nextInt();
        int sIsn = r.nextInt();
        int[] pCut = cuts(r, length);
        int[] sCut = cuts(r, length);
        h.tcp(P, 0, pIsn, 1, SYN | ACK, "");
        h.tcp(S, 0, sIsn, 1, SYN | ACK, "");
        int pi = 0;
        int si = 0;
        long t = 1;
        int releasedBeforeCommit;
        while (pi < pCut.length - 1 || si < sCut.length - 1) {
            boolean primary = si >= sCut.length - 1 || (pi < pCut.length - 1 && r.nextBoolean());
            if (primary) {
                h.tcp(P, t++, pIsn + 1 + pCut[pi], 1, ACK, pBody, pCut[pi], pCut[pi + 1] - pCut[pi]);
                pi++;
            } else {
                h.tcp(S, t++, sIsn + 1 + sCut[si], 1, ACK, sBody, sCut[si], sCut[si + 1] - sCut[si]);
                si++;
            }
            if (h.requested > h.committed && r.nextInt(4) == 0) {
                assertNoDivergentByteReleased(h, differs, seed);
                h.commit();
            }
        }
        if (h.requested == h.committed) {
            assertNoDivergentByteReleased(h, differs, seed);
        }
        releasedBeforeCommit = h.released.size();
        h.autoCommit = true;
        h.commit();
        h.comparator.drain();
        assertTrue(h.released.size() >= releasedBeforeCommit);
        assertArrayEquals(pBody, h.releasedPayload(), "seed " + seed + ": every primary byte once, in order");
        assertEquals(0, h.comparator.heldFrames(), "seed " + seed);
        assertEquals(diffs > 0, h.checkpoints.size() > 0 || h.divergences.size() > 0, "seed " + seed);
        assertEquals(0, h.comparator.stats().get(CompareStats.LOST));
    }

    /** Everything released so far was released by comparison: it must not contain a differing byte. */
    private static void assertNoDivergentByteReleased(Harness h, boolean[] differs, long seed) {
        if (h.flushes > 0) {
            return; // a commit happened: what it released is covered by the checkpoint
        }
        FrameInfo fi = new FrameInfo();
        int offset = 0;
        for (byte[] f : h.released) {
            h.decoder.decode(f, 0, f.length, fi);
            for (int i = 0; i < fi.compareLength; i++) {
                assertTrue(!differs[offset + i], "seed " + seed + ": divergent byte " + (offset + i) + " released uncompared");
            }
            offset += fi.compareLength;
        }
    }

    private static int[] cuts(Random r, int length) {
        int[] c = new int[length + 1];
        int n = 0;
        int at = 0;
        c[n++] = 0;
        while (at < length) {
            at = Math.min(length, at + 1 + r.nextInt(r.nextBoolean() ? 1448 : 9000));
            c[n++] = at;
        }
        return Arrays.copyOf(c, n);
    }
}
