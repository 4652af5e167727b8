package dev.colo.compare;

import static dev.colo.compare.Harness.MS;
import static dev.colo.compare.Side.P;
import static dev.colo.compare.Side.S;
import static dev.colo.compare.packet.TcpFlyweight.ACK;
import static dev.colo.compare.packet.TcpFlyweight.FIN;
import static dev.colo.compare.packet.TcpFlyweight.PSH;
import static dev.colo.compare.packet.TcpFlyweight.RST;
import static dev.colo.compare.packet.TcpFlyweight.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TcpComparisonTest {
    private static final int P_ISN = 1_000_000;
    private static final int S_ISN = -5; // wraps around 2^32 on purpose
    private static final int CLIENT_ACK = 777;

    private static byte[] data(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void identicalStreamsWithDifferentIsnAndSegmentationAreReleasedInPrimaryOrder() {
        Harness h = new Harness();
        byte[] body = data(20000, 1);
        h.tcp(P, 1 * MS, P_ISN, CLIENT_ACK, SYN | ACK, "");
        h.tcp(S, 1 * MS, S_ISN, CLIENT_ACK, SYN | ACK, "");
        long t = 2 * MS;
        // Primary: 1448-byte segments; secondary: 4000-byte GSO-like segments.
        for (int off = 0; off < body.length; off += 1448) {
            h.tcp(P, t++, P_ISN + 1 + off, CLIENT_ACK, ACK, body, off, Math.min(1448, body.length - off));
        }
        for (int off = 0; off < body.length; off += 4000) {
            h.tcp(S, t++, S_ISN + 1 + off, CLIENT_ACK, ACK, body, off, Math.min(4000, body.length - off));
        }
        h.tcp(P, t++, P_ISN + 1 + body.length, CLIENT_ACK, FIN | ACK, "");
        h.tcp(S, t++, S_ISN + 1 + body.length, CLIENT_ACK, FIN | ACK, "");

        assertEquals(0, h.divergences.size(), () -> "divergences: " + h.divergences);
        assertEquals(1 + 14 + 1, h.released.size());
        assertArrayEquals(body, h.releasedPayload());
        assertEquals(0, h.comparator.heldFrames());
        assertEquals(16, h.comparator.stats().get(CompareStats.RELEASED_COMPARED));
    }

    @Test
    void oneByteDifferenceRequestsACheckpointWithTheOffsetAndBothBytes() {
        Harness h = new Harness();
        h.autoCommit = false;
        byte[] pBody = data(3000, 2);
        byte[] sBody = pBody.clone();
        sBody[2100] ^= 0x20;
        h.tcp(P, 1, P_ISN, CLIENT_ACK, SYN | ACK, "");
        h.tcp(S, 1, S_ISN, CLIENT_ACK, SYN | ACK, "");
        h.tcp(P, 2, P_ISN + 1, CLIENT_ACK, ACK, pBody, 0, 1500);
        h.tcp(P, 3, P_ISN + 1501, CLIENT_ACK, ACK | PSH, pBody, 1500, 1500);
        h.tcp(S, 4, S_ISN + 1, CLIENT_ACK, ACK | PSH, sBody, 0, 3000);

        assertEquals(1, h.checkpoints.size());
        Divergence d = h.checkpoints.get(0);
        assertEquals(CheckpointReason.MISMATCH, d.reason());
        assertEquals(2100, d.streamOffset());
        assertEquals(pBody[2100], d.primaryBytes()[d.primaryDiffIndex()]);
        assertEquals(sBody[2100], d.secondaryBytes()[d.secondaryDiffIndex()]);
        // Output commit: only the SYN-ACK and the first segment (bytes 0..1499, all equal) went out.
        assertEquals(2, h.released.size());
        // The secondary keeps diverging but no second checkpoint is requested while one is pending.
        h.tcp(S, 5, S_ISN + 3001, CLIENT_ACK, ACK, "x");
        assertEquals(1, h.checkpoints.size());

        h.commit();
        assertEquals(3, h.released.size());
        assertEquals(1, h.flushes);
        assertArrayEquals(pBody, h.releasedPayload());
    }

    @Test
    void afterAFlushTheStreamsLineUpAgain() {
        Harness h = new Harness();
        byte[] body = data(4000, 3);
        byte[] sBody = body.clone();
        sBody[10] ^= 1;
        h.tcp(P, 1, P_ISN, CLIENT_ACK, SYN | ACK, "");
        h.tcp(S, 1, S_ISN, CLIENT_ACK, SYN | ACK, "");
        h.tcp(P, 2, P_ISN + 1, CLIENT_ACK, ACK, body, 0, 1000);
        h.tcp(S, 3, S_ISN + 1, CLIENT_ACK, ACK, sBody, 0, 1000);
        assertEquals(1, h.checkpoints.size());
        // Same-length divergence: the rest of the two streams still compares equal after the flush.
        h.tcp(P, 4, P_ISN + 1001, CLIENT_ACK, ACK, body, 1000, 3000);
        h.tcp(S, 5, S_ISN + 1001, CLIENT_ACK, ACK, sBody, 1000, 3000);
        assertEquals(1, h.checkpoints.size());
        assertEquals(0, h.comparator.heldFrames());
        assertEquals(2, h.comparator.stats().get(CompareStats.RELEASED_COMPARED));
    }

    @Test
    void aFrameWithoutTwinTimesOutInVirtualTimeAndIsReleasedByTheFlush() {
        CompareConfig cfg = new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED)
                .compareTimeoutNanos(300 * MS).scanIntervalNanos(50 * MS);
        Harness h = new Harness(cfg);
        h.tcp(P, 0, P_ISN, CLIENT_ACK, SYN | ACK, "");
        h.tcp(S, 0, S_ISN, CLIENT_ACK, SYN | ACK, "");
        h.tcp(P, 10 * MS, P_ISN + 1, CLIENT_ACK, ACK, "hello");
        h.comparator.onTick(200 * MS);
        assertEquals(0, h.checkpoints.size());
        h.comparator.onTick(1000 * MS);
        assertEquals(1, h.checkpoints.size());
        Divergence d = h.checkpoints.get(0);
        assertEquals(CheckpointReason.TIMEOUT, d.reason());
        assertEquals(Side.PRIMARY, d.side());
        // Deadline 310 ms, next scan tick at 350 ms: released exactly then, not at the later tick.
        assertEquals(2, h.released.size());
        assertEquals(350 * MS, (long) h.releaseTimes.get(1));
    }

    @Test
    void bareAckIsHeldUntilTheSecondaryAcknowledgedAsMuch() {
        Harness h = new Harness();
        h.tcp(P, 1, P_ISN, CLIENT_ACK, SYN | ACK, "");
        h.tcp(S, 1, S_ISN, CLIENT_ACK, SYN | ACK, "");
        assertEquals(1, h.released.size());
        h.tcp(P, 2, P_ISN + 1, CLIENT_ACK + 500, ACK, "");
        assertEquals(1, h.released.size(), "primary acknowledged data the secondary has not");
        h.tcp(S, 3, S_ISN + 1, CLIENT_ACK + 200, ACK, "");
        assertEquals(1, h.released.size());
        h.tcp(S, 4, S_ISN + 1, CLIENT_ACK + 500, ACK, "");
        assertEquals(2, h.released.size());
        assertEquals(0, h.divergences.size());
    }

    @Test
    void retransmissionIsReleasedButNeverOvertakesHeldData() {
        Harness h = new Harness();
        h.tcp(P, 1, P_ISN, CLIENT_ACK, SYN | ACK, "");
        h.tcp(S, 1, S_ISN, CLIENT_ACK, SYN | ACK, "");
        h.tcp(P, 2, P_ISN + 1, CLIENT_ACK, ACK, "abcd");
        h.tcp(S, 2, S_ISN + 1, CLIENT_ACK, ACK, "abcd");
        h.tcp(P, 3, P_ISN + 5, CLIENT_ACK, ACK, "efgh"); // held: no twin yet
        h.tcp(P, 4, P_ISN + 1, CLIENT_ACK, ACK, "abcd"); // retransmission of compared data
        assertEquals(2, h.released.size(), "the retransmission waits behind the held segment");
        h.tcp(S, 5, S_ISN + 5, CLIENT_ACK, ACK, "efgh");
        assertEquals(4, h.released.size());
        assertEquals("abcdefghabcd", new String(h.releasedPayload(), StandardCharsets.ISO_8859_1));
        // A retransmission on the secondary side of compared data is consumed without comparison.
        h.tcp(S, 6, S_ISN + 1, CLIENT_ACK, ACK, "abcd");
        assertEquals(0, h.comparator.heldFrames());
    }

    @Test
    void outOfOrderSegmentsAreComparedByPositionAndReleasedInArrivalOrder() {
        Harness h = new Harness();
        h.tcp(P, 1, P_ISN, CLIENT_ACK, SYN | ACK, "");
        h.tcp(S, 1, S_ISN, CLIENT_ACK, SYN | ACK, "");
        h.tcp(P, 2, P_ISN + 4, CLIENT_ACK, ACK, "DEF");
        h.tcp(P, 3, P_ISN + 1, CLIENT_ACK, ACK, "ABC");
        h.tcp(S, 4, S_ISN + 1, CLIENT_ACK, ACK, "AB");
        h.tcp(S, 5, S_ISN + 3, CLIENT_ACK, ACK, "CDEF");
        assertEquals(0, h.divergences.size());
        assertEquals("DEFABC", new String(h.releasedPayload(), StandardCharsets.ISO_8859_1));
    }

    @Test
    void finAgainstDataIsAStreamEventMismatch() {
        Harness h = new Harness();
        h.autoCommit = false;
        h.tcp(P, 1, P_ISN, CLIENT_ACK, SYN | ACK, "");
        h.tcp(S, 1, S_ISN, CLIENT_ACK, SYN | ACK, "");
        h.tcp(P, 2, P_ISN + 1, CLIENT_ACK, FIN | ACK, "");
        h.tcp(S, 2, S_ISN + 1, CLIENT_ACK, ACK, "more");
        assertEquals(1, h.checkpoints.size());
        assertTrue(h.checkpoints.get(0).detail().contains("FIN"), h.checkpoints.get(0).detail());
        assertEquals(1, h.released.size(), "the FIN is held until the checkpoint");
    }

    @Test
    void rstIsReleasedOnlyWhenTheSecondaryResetToo() {
        Harness h = new Harness();
        h.tcp(P, 1, P_ISN, CLIENT_ACK, SYN | ACK, "");
        h.tcp(S, 1, S_ISN, CLIENT_ACK, SYN | ACK, "");
        h.tcp(P, 2, P_ISN + 1, 0, RST, "");
        assertEquals(1, h.released.size());
        h.tcp(S, 3, S_ISN + 1, 0, RST, "");
        assertEquals(2, h.released.size());
    }

    @Test
    void tcpOptionsAreIgnoredByDefaultAndComparedWhenAsked() {
        byte[] optA = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};
        byte[] optB = {1, 1, 8, 10, 0, 0, 0, 9, 0, 0, 0, 2};
        Harness lax = new Harness();
        send(lax, optA, optB);
        assertEquals(0, lax.divergences.size());

        Harness strict = new Harness(new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED)
                .rules(new dev.colo.compare.rules.RuleSet(false, java.util.List.of())));
        send(strict, optA, optB);
        assertEquals(1, strict.divergences.size());
        assertEquals("TCP options differ", strict.divergences.get(0).detail());
    }

    private static void send(Harness h, byte[] pOptions, byte[] sOptions) {
        h.builder.tcpOptions(pOptions);
        h.tcp(P, 1, P_ISN, CLIENT_ACK, ACK, "data");
        h.builder.tcpOptions(sOptions);
        h.tcp(S, 1, S_ISN, CLIENT_ACK, ACK, "data");
    }

    @Test
    void httpDateRuleExcusesOnlyTheDateLine() {
        CompareConfig cfg = new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED)
                .rules(new dev.colo.compare.rules.RuleSet(true,
                        java.util.List.of(dev.colo.compare.rules.IgnoreRule.parse("http-date"))));
        Harness h = new Harness(cfg);
        String p = "HTTP/1.0 200 OK\r\nServer: x\r\nDate: Sun, 22 Nov 2026 06:11:49 GMT\r\nContent-Length: 2\r\n\r\nok";
        String s = "HTTP/1.0 200 OK\r\nServer: x\r\nDate: Mon, 23 Nov 2026 06:11:50 GMT\r\nContent-Length: 2\r\n\r\nok";
        h.tcp(P, 1, P_ISN, CLIENT_ACK, SYN | ACK, "");
        h.tcp(S, 1, S_ISN, CLIENT_ACK, SYN | ACK, "");
        h.tcp(P, 2, P_ISN + 1, CLIENT_ACK, ACK, p);
        h.tcp(S, 3, S_ISN + 1, CLIENT_ACK, ACK, s);
        assertEquals(0, h.divergences.size());
        assertEquals(java.util.List.of("http-date"), h.rulesFired);
        assertEquals(2, h.released.size());

        Harness noRule = new Harness();
        noRule.tcp(P, 1, P_ISN, CLIENT_ACK, SYN | ACK, "");
        noRule.tcp(S, 1, S_ISN, CLIENT_ACK, SYN | ACK, "");
        noRule.tcp(P, 2, P_ISN + 1, CLIENT_ACK, ACK, p);
        noRule.tcp(S, 3, S_ISN + 1, CLIENT_ACK, ACK, s);
        assertEquals(1, noRule.divergences.size());
        assertEquals(p.indexOf("Sun"), noRule.divergences.get(0).streamOffset());
    }

    /** Bare ACKs of the primary for a client upload; {@code i}-th acknowledges {@code i * 1000} more bytes. */
    private static byte[] bareAck(Harness h, int ackNumber, byte[] options) {
        h.builder.tcpOptions(options);
        int len = h.builder.tcp4(h.buf, 0, Harness.SERVER, Harness.CLIENT, 80, 40000, P_ISN + 1, ackNumber, ACK, new byte[0], 0, 0);
        h.builder.tcpOptions(new byte[0]);
        return java.util.Arrays.copyOf(h.buf, len);
    }

    private static void send(Harness h, int side, long ts, byte[] frame) {
        System.arraycopy(frame, 0, h.buf, 0, frame.length);
        h.frame(side, ts, frame.length);
    }

    @Test
    void aLaggingSecondaryMakesNewBareAcksReplaceTheHeldTailInsteadOfFillingTheQueue() {
        Harness h = new Harness(new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED)
                .thinAcksAfter(8).maxQueuedPackets(20));
        h.tcp(P, MS, P_ISN, CLIENT_ACK, SYN | ACK, "");
        h.tcp(S, MS, S_ISN, CLIENT_ACK, SYN | ACK, "");
        assertEquals(1, h.released.size(), "the SYN-ACK");
        java.util.List<byte[]> acks = new java.util.ArrayList<>();
        long t = 2 * MS;
        for (int i = 1; i <= 100; i++) {
            acks.add(bareAck(h, CLIENT_ACK + i * 1000, new byte[0]));
            send(h, P, t++, acks.get(i - 1));
        }
        assertEquals(java.util.List.of(), h.checkpoints, "a bounded queue, no QUEUE_FULL checkpoint");
        assertEquals(8, h.comparator.stats().heldPrimary(), "the first seven and one merged tail");
        assertEquals(92, h.comparator.stats().get(CompareStats.SUPERSEDED_ACKS));
        assertEquals(1, h.released.size(), "nothing the secondary has not acknowledged");

        // The secondary catches up in steps: each of its ACKs releases, in order, what it covers.
        h.tcp(S, t++, S_ISN + 1, CLIENT_ACK + 3000, ACK, "");
        assertEquals(4, h.released.size());
        h.tcp(S, t++, S_ISN + 1, CLIENT_ACK + 99_000, ACK, "");
        assertEquals(8, h.released.size(), "the merged tail waits for the newest number it now carries");
        h.tcp(S, t++, S_ISN + 1, CLIENT_ACK + 100_000, ACK, "");
        assertEquals(9, h.released.size());
        for (int i = 0; i < 7; i++) {
            assertArrayEquals(acks.get(i), h.released.get(1 + i), "held ACK " + (i + 1));
        }
        assertArrayEquals(acks.get(99), h.released.get(8), "the tail carries the newest ACK, byte for byte");
        assertEquals(h.comparator.stats().get(CompareStats.FRAMES_PRIMARY),
                h.comparator.stats().released() + h.comparator.stats().get(CompareStats.SUPERSEDED_ACKS));
    }

    @Test
    void duplicateAndSackCarryingAcksAreNeverMergedNorIsAnythingWhenThinningIsOff() {
        byte[] sack = {1, 1, 5, 10, 0, 0, 0x10, 0, 0, 0, 0x20, 0}; // NOP NOP SACK one block
        for (int thin : new int[] {4, 0}) {
            Harness h = new Harness(new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED)
                    .thinAcksAfter(thin).maxQueuedPackets(100));
            h.tcp(P, MS, P_ISN, CLIENT_ACK, SYN | ACK, "");
            h.tcp(S, MS, S_ISN, CLIENT_ACK, SYN | ACK, "");
            long t = 2 * MS;
            for (int i = 1; i <= 4; i++) {
                send(h, P, t++, bareAck(h, CLIENT_ACK + i * 1000, new byte[0]));
            }
            for (int i = 0; i < 3; i++) {
                send(h, P, t++, bareAck(h, CLIENT_ACK + 4000, new byte[0])); // duplicates: fast retransmit needs every one
            }
            for (int i = 5; i <= 7; i++) {
                send(h, P, t++, bareAck(h, CLIENT_ACK + i * 1000, sack));
            }
            assertEquals(10, h.comparator.stats().heldPrimary(), "thin-after " + thin);
            assertEquals(0, h.comparator.stats().get(CompareStats.SUPERSEDED_ACKS), "thin-after " + thin);
            send(h, P, t++, bareAck(h, CLIENT_ACK + 8000, new byte[0]));
            // The tail is a SACK-bearing ACK: the plain one queues behind it.
            assertEquals(11, h.comparator.stats().heldPrimary(), "thin-after " + thin);
            send(h, P, t++, bareAck(h, CLIENT_ACK + 9000, new byte[0]));
            assertEquals(thin > 0 ? 11 : 12, h.comparator.stats().heldPrimary(), "thin-after " + thin);
        }
    }
}
