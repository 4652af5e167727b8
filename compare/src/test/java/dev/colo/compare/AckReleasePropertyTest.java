package dev.colo.compare;

import static dev.colo.compare.Side.P;
import static dev.colo.compare.Side.S;
import static dev.colo.compare.packet.TcpFlyweight.ACK;
import static dev.colo.compare.packet.TcpFlyweight.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The ACK rule under random interleavings, with bare-ACK thinning at random thresholds: no primary ACK
 * reaches the client before the secondary has acknowledged as much, released ACK numbers never go back,
 * and once the secondary catches up the client has the primary's last ACK and nothing is left held.
 */
class AckReleasePropertyTest {
    private static final byte[] NO_OPTIONS = new byte[0];
    private static final byte[] SACK = {1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2};

    @Test
    void noAckOvertakesTheSecondaryAndTheLastOneArrives() {
        long superseded = 0;
        for (long seed = 1; seed <= 200; seed++) {
            superseded += runOnce(seed);
        }
        assertTrue(superseded > 1000, "the runs exercised thinning: " + superseded + " ACKs superseded");
    }

    /** Returns the ACKs superseded in the run. */
    private static long runOnce(long seed) {
        Random r = new Random(seed);
        Harness h = new Harness(new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED)
                .thinAcksAfter(r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(8)).maxQueuedPackets(100_000));
        int pIsn = r.nextInt();
        int sIsn = r.nextInt();
        int base = r.nextInt();
        h.tcp(P, 0, pIsn, base, SYN | ACK, "");
        h.tcp(S, 0, sIsn, base, SYN | ACK, "");
        int pAck = base;
        int sAck = base;
        int lastReleased = base;
        int seen = h.released.size();
        long t = 1;
        int steps = 200 + r.nextInt(300);
        for (int i = 0; i < steps; i++) {
            if (r.nextInt(3) > 0) {
                pAck += r.nextInt(5) == 0 ? 0 : 1 + r.nextInt(3000); // some duplicates
                h.builder.tcpOptions(r.nextInt(10) == 0 ? SACK : NO_OPTIONS);
                h.tcp(P, t++, pIsn + 1, pAck, ACK, "");
            } else if (sAck != pAck) {
                sAck += r.nextInt(pAck - sAck + 1);
                h.builder.tcpOptions(NO_OPTIONS);
                h.tcp(S, t++, sIsn + 1, sAck, ACK, "");
            }
            for (; seen < h.released.size(); seen++) {
                int ack = ack(h.released.get(seen));
                assertTrue(ack - sAck <= 0, "seed " + seed + ": ACK " + ack + " released ahead of the secondary's " + sAck);
                assertTrue(ack - lastReleased >= 0, "seed " + seed + ": released ACKs went back from " + lastReleased + " to " + ack);
                lastReleased = ack;
            }
        }
        h.builder.tcpOptions(NO_OPTIONS);
        h.tcp(S, t++, sIsn + 1, pAck, ACK, "");
        assertEquals(pAck, ack(h.released.get(h.released.size() - 1)), "seed " + seed + ": the client has the last ACK");
        CompareStats s = h.comparator.stats();
        assertEquals(0, s.heldPrimary(), "seed " + seed);
        assertEquals(s.get(CompareStats.FRAMES_PRIMARY), s.released() + s.get(CompareStats.SUPERSEDED_ACKS), "seed " + seed);
        assertEquals(0, s.totalDivergences(), "seed " + seed + ": " + h.divergences);
        return s.get(CompareStats.SUPERSEDED_ACKS);
    }

    /** The TCP ack number of a built IPv4 frame (Ethernet 14 + IPv4 20 + 8). */
    private static int ack(byte[] frame) {
        return ((frame[42] & 0xff) << 24) | ((frame[43] & 0xff) << 16) | ((frame[44] & 0xff) << 8) | (frame[45] & 0xff);
    }
}
