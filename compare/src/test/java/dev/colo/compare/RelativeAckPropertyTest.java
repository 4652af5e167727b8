package dev.colo.compare;

import static dev.colo.compare.Side.P;
import static dev.colo.compare.Side.S;
import static dev.colo.compare.packet.TcpFlyweight.ACK;
import static dev.colo.compare.packet.TcpFlyweight.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Two replicas whose clients picked their own ISNs (so every ACK number of one side differs from the
 * other's by a constant, wrapping around 2^32 in some runs), random segmentation, random interleavings
 * and bare-ACK thinning: no primary frame reaches the client before the secondary has acknowledged as
 * many client bytes, and once both are done everything was released by comparison, in order.
 */
class RelativeAckPropertyTest {

    @Test
    void relativeAcksNeverOvertakeTheSecondaryAndEverythingIsReleasedByComparison() {
        int wrapped = 0;
        for (long seed = 1; seed <= 300; seed++) {
            wrapped += runOnce(seed) ? 1 : 0;
        }
        assertTrue(wrapped >= 100, "runs whose ACK numbers crossed 2^32: " + wrapped);
    }

    /** Returns whether one side's ACK numbers wrapped around 2^32 in the run. */
    private static boolean runOnce(long seed) {
        Random r = new Random(seed);
        Harness h = new Harness(new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED)
                .thinAcksAfter(r.nextInt(3) == 0 ? 0 : 1 + r.nextInt(8)).maxQueuedPackets(100_000));
        int clientBytes = 1000 + r.nextInt(200_000);
        int pClient = r.nextInt();
        int sClient = r.nextInt();
        switch ((int) (seed % 3)) { // a third each: the secondary's, the primary's, neither's acks wrap
            case 0 -> sClient = -1 - r.nextInt(clientBytes);
            case 1 -> pClient = -1 - r.nextInt(clientBytes);
            default -> { }
        }
        int pIsn = r.nextInt();
        int sIsn = r.nextInt();
        byte[] body = new byte[500 + r.nextInt(20_000)];
        r.nextBytes(body);

        h.tcp(P, 0, pIsn, pClient + 1, SYN | ACK, "");
        h.tcp(S, 0, sIsn, sClient + 1, SYN | ACK, "");
        int pRel = 1; // client bytes acknowledged, +1 for the client's SYN
        int sRel = 1;
        int pSent = 0;
        int sSent = 0;
        int seen = h.released.size();
        long t = 1;
        while (pSent < body.length || sSent < body.length || pRel <= clientBytes || sRel <= clientBytes) {
            boolean primary = r.nextBoolean();
            int rel = primary ? pRel : sRel;
            int sent = primary ? pSent : sSent;
            if (rel <= clientBytes && (sent == body.length || r.nextInt(3) == 0)) {
                rel = Math.min(clientBytes + 1, rel + (r.nextInt(6) == 0 ? 0 : 1 + r.nextInt(4000)));
            }
            int n = sent < body.length && r.nextBoolean() ? Math.min(body.length - sent, 1 + r.nextInt(3000)) : 0;
            if (primary) {
                h.tcp(P, t++, pIsn + 1 + sent, pClient + rel, ACK, body, sent, n);
                pRel = rel;
                pSent += n;
            } else {
                h.tcp(S, t++, sIsn + 1 + sent, sClient + rel, ACK, body, sent, n);
                sRel = rel;
                sSent += n;
            }
            for (; seen < h.released.size(); seen++) {
                int released = ack(h.released.get(seen)) - pClient;
                assertTrue(released - sRel <= 0, "seed " + seed + ": relative ACK " + released
                        + " released while the secondary had acknowledged " + sRel);
            }
        }
        h.comparator.drain();
        CompareStats s = h.comparator.stats();
        assertEquals(0, s.totalDivergences(), () -> "seed " + seed + ": " + h.divergences);
        assertEquals(0, s.heldPrimary(), "seed " + seed);
        assertEquals(s.get(CompareStats.FRAMES_PRIMARY), s.get(CompareStats.RELEASED_COMPARED) + s.get(CompareStats.SUPERSEDED_ACKS),
                "seed " + seed + ": all released by comparison");
        assertEquals(pClient + clientBytes + 1, ack(h.released.get(h.released.size() - 1)), "seed " + seed + ": the client has the last ACK");
        assertArrayEquals(body, h.releasedPayload(), "seed " + seed);
        return Integer.compareUnsigned(sClient, sClient + clientBytes + 1) > 0
                || Integer.compareUnsigned(pClient, pClient + clientBytes + 1) > 0;
    }

    /** The TCP ack number of a built IPv4 frame (Ethernet 14 + IPv4 20 + 8). */
    private static int ack(byte[] frame) {
        return ((frame[42] & 0xff) << 24) | ((frame[43] & 0xff) << 16) | ((frame[44] & 0xff) << 8) | (frame[45] & 0xff);
    }
}
