package dev.colo.compare;

import static dev.colo.compare.Harness.MS;
import static dev.colo.compare.Side.P;
import static dev.colo.compare.Side.S;
import static dev.colo.compare.packet.TcpFlyweight.ACK;
import static dev.colo.compare.packet.TcpFlyweight.FIN;
import static dev.colo.compare.packet.TcpFlyweight.PSH;
import static dev.colo.compare.packet.TcpFlyweight.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ACK numbers compared relative to the peer's ISN each side acknowledged: two replicas whose clients
 * picked different ISNs (every ACK number differs by a constant) still match, the ACK-before-release
 * rule holds in relative numbers, and connections first seen mid-stream keep the absolute rule.
 */
class RelativeAckTest {
    private static final int P_ISN = 1_000_000;
    private static final int S_ISN = 2_000_000;
    private static final String REQUEST = "GET /index.html HTTP/1.0\r\nHost: colo\r\n\r\n";
    private static final byte[] BODY = ("HTTP/1.0 200 OK\r\nContent-Length: 3000\r\n\r\n" + "x".repeat(3000))
            .getBytes(StandardCharsets.ISO_8859_1);

    /** One server side of an HTTP/1.0 exchange: SYN-ACK, ACK of the request, the response, FIN, ACK of the client's FIN. */
    private static long serve(Harness h, int side, long t, int isn, int clientIsn) {
        int ack = clientIsn + 1;
        h.tcp(side, t++, isn, ack, SYN | ACK, "");
        ack += REQUEST.length();
        h.tcp(side, t++, isn + 1, ack, ACK, "");
        for (int off = 0; off < BODY.length; off += 1448) {
            h.tcp(side, t++, isn + 1 + off, ack, ACK | PSH, BODY, off, Math.min(1448, BODY.length - off));
        }
        h.tcp(side, t++, isn + 1 + BODY.length, ack, FIN | ACK, "");
        h.tcp(side, t++, isn + 2 + BODY.length, ack + 1, ACK, "");
        return t;
    }

    @ParameterizedTest(name = "primary client ISN {0}, secondary client ISN {1}, secondary first: {2}")
    @CsvSource({
        "2000000000, 1000, true", // the secondary's ACKs lower (in serial arithmetic) by a constant
        "2000000000, 1000, false",
        "1000, 3000000000, true", // ... lower, the other way round 2^32
        "1000, 2000000000, true", // ... higher
        "100, 4294967290, true", // the secondary's ACKs wrap around 2^32 during the exchange (and are lower)
        "4294967290, 100, false", // the primary's do
        "4294967290, 4294967000, true",
    })
    void clientsWithTheirOwnIsnsAreReleasedByComparison(long pClient, long sClient, boolean secondaryFirst) {
        Harness h = new Harness();
        if (secondaryFirst) {
            serve(h, P, serve(h, S, 0, S_ISN, (int) sClient), P_ISN, (int) pClient);
        } else {
            serve(h, S, serve(h, P, 0, P_ISN, (int) pClient), S_ISN, (int) sClient);
        }
        h.comparator.drain();

        CompareStats s = h.comparator.stats();
        assertEquals(0, s.totalDivergences(), () -> "divergences: " + h.divergences);
        assertEquals(0, s.totalCheckpoints());
        assertEquals(s.get(CompareStats.FRAMES_PRIMARY), s.get(CompareStats.RELEASED_COMPARED), "every primary frame released by comparison");
        assertEquals(0, h.comparator.heldFrames());
        assertArrayEquals(BODY, h.releasedPayload());
    }

    @ParameterizedTest(name = "secondary client ISN {0}")
    @ValueSource(longs = {1000L, 4_000_000_000L, 2_999_999_999L, 3_000_000_500L})
    void aPrimaryAckAheadOfTheSecondarysInRelativeNumbersIsHeld(long sClient) {
        int pc = (int) 3_000_000_000L;
        int sc = (int) sClient;
        Harness h = new Harness();
        h.tcp(P, 1, P_ISN, pc + 1, SYN | ACK, "");
        h.tcp(S, 1, S_ISN, sc + 1, SYN | ACK, "");
        assertEquals(1, h.released.size());
        h.tcp(P, 2, P_ISN + 1, pc + 501, ACK, "");
        h.tcp(S, 3, S_ISN + 1, sc + 201, ACK, "");
        assertEquals(1, h.released.size(), "the primary acknowledged 500 client bytes, the secondary 200");
        h.tcp(P, 4, P_ISN + 1, pc + 501, ACK, "ab");
        h.tcp(S, 5, S_ISN + 1, sc + 201, ACK, "ab");
        assertEquals(1, h.released.size(), "compared equal, but it carries the ACK the secondary has not given");
        h.tcp(S, 6, S_ISN + 3, sc + 500, ACK, "");
        assertEquals(1, h.released.size(), "one byte short is still short");
        h.tcp(S, 7, S_ISN + 3, sc + 501, ACK, "");
        assertEquals(3, h.released.size());
        assertEquals(0, h.divergences.size(), () -> "divergences: " + h.divergences);
    }

    @ParameterizedTest(name = "peer ISN on the primary {0}, on the secondary {1}")
    @CsvSource({"3000000000, 2000000000", "1000, 3000000000", "4294967295, 5"})
    void aConnectionTheVmOpenedLearnsThePeersIsnFromItsFirstAck(long pPeer, long sPeer) {
        Harness h = new Harness();
        for (int side : new int[] {S, P}) {
            int isn = side == P ? P_ISN : S_ISN;
            int peer = (int) (side == P ? pPeer : sPeer);
            h.tcp(side, 1, isn, 0, SYN, "");
            h.tcp(side, 2, isn + 1, peer + 1, ACK, "");
            h.tcp(side, 3, isn + 1, peer + 1, ACK | PSH, REQUEST);
            h.tcp(side, 4, isn + 1 + REQUEST.length(), peer + 1 + 700, ACK, "");
        }
        assertEquals(0, h.divergences.size(), () -> "divergences: " + h.divergences);
        assertEquals(4, h.comparator.stats().get(CompareStats.RELEASED_COMPARED));
        assertEquals(0, h.comparator.heldFrames());
    }

    @ParameterizedTest(name = "secondary ack {0}")
    @ValueSource(ints = {3000, 4999})
    void midStreamConnectionsKeepTheAbsoluteRule(int sAck) {
        CompareConfig cfg = new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED)
                .compareTimeoutNanos(300 * MS).scanIntervalNanos(50 * MS);
        Harness h = new Harness(cfg);
        // No SYN seen: no ack base on either side, so the numbers are compared as they are.
        h.tcp(S, 1, S_ISN, sAck, ACK, "mid-stream");
        h.tcp(P, 2, P_ISN, 5000, ACK, "mid-stream");
        assertEquals(0, h.released.size(), "secondary ack " + sAck + " is below the primary's 5000");
        h.comparator.onTick(1000 * MS);
        assertEquals(1, h.checkpoints.size());
        assertEquals(CheckpointReason.TIMEOUT, h.checkpoints.get(0).reason());
        assertEquals(1, h.comparator.stats().get(CompareStats.RELEASED_FLUSHED));

        Harness same = new Harness(cfg);
        same.tcp(S, 1, S_ISN, 5000, ACK, "mid-stream");
        same.tcp(P, 2, P_ISN, 5000, ACK, "mid-stream");
        assertEquals(1, same.comparator.stats().get(CompareStats.RELEASED_COMPARED), "equal absolute acks release as before");
    }

    @ParameterizedTest(name = "secondary client ISN {0}")
    @ValueSource(ints = {900_000, -900_000})
    void afterARestoringCheckpointTheSecondaryUsesThePrimarysAckBase(int sc) {
        int pc = 1000;
        Harness h = new Harness(new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_RESTORED));
        h.tcp(P, 1, P_ISN, pc + 1, SYN | ACK, "");
        h.tcp(S, 1, S_ISN, sc + 1, SYN | ACK, "");
        h.tcp(P, 2, P_ISN + 1, pc + 11, ACK, "abc");
        h.tcp(S, 3, S_ISN + 1, sc + 11, ACK, "abd");
        assertEquals(1, h.checkpoints.size());
        assertEquals(1, h.flushes, "committed at once and flushed");
        int released = h.released.size();

        // Restored from the primary: the secondary goes on with the primary's sequence and ack numbers.
        h.tcp(P, 4, P_ISN + 4, pc + 111, ACK, "def");
        h.tcp(S, 5, P_ISN + 4, pc + 110, ACK, "def");
        assertEquals(released, h.released.size(), "the secondary acknowledged one byte less");
        h.tcp(S, 6, P_ISN + 7, pc + 111, ACK, "");
        assertEquals(released + 1, h.released.size());
        assertEquals(1, h.checkpoints.size(), () -> "divergences: " + h.divergences);
        assertEquals(0, h.comparator.heldFrames());
    }
}
