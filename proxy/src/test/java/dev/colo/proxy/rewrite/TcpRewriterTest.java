package dev.colo.proxy.rewrite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.compare.packet.FrameBuilder;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every rewritten frame is checked against the same segment built from scratch with the expected numbers
 * (so its checksum is computed independently of the incremental patch).
 */
class TcpRewriterTest {
    private static final int SYN = 0x02;
    private static final int ACK = 0x10;
    private static final int FIN = 0x01;
    private static final int RST = 0x04;
    private static final int PSH = 0x08;
    private static final int CLIENT = FrameBuilder.ipv4(10, 0, 0, 1);
    private static final int VM = FrameBuilder.ipv4(10, 0, 0, 2);
    private static final byte[] CLIENT6 = {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    private static final byte[] VM6 = {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    private static final byte[] DATA = "hello over tcp".getBytes();

    private long now = 1_000_000_000L;

    /** A rewriter as after a failover: the SVM's output goes to clients, so it is rewritten too. */
    private static TcpRewriter forwarding(RewriterConfig config) {
        TcpRewriter r = new TcpRewriter(config);
        r.startForwarding();
        return r;
    }

    @Test
    void whileProtectedTheSvmsOutputIsLeftForTheComparatorButItsIsnIsLearned() {
        TcpRewriter r = new TcpRewriter(new RewriterConfig());
        through(r, false, tcp(false, false, 1, 0, SYN, null, new byte[0]), Verdict.UNCHANGED);
        through(r, true, tcp(true, false, 5000, 2, SYN | ACK, null, new byte[0]), Verdict.UNCHANGED);
        byte[] ack = through(r, false, tcp(false, false, 2, 101, ACK, null, new byte[0]), Verdict.REWRITTEN);
        assertArrayEquals(tcp(false, false, 2, 5001, ACK, null, new byte[0]), ack);
        byte[] data = tcp(true, false, 5001, 2, ACK, null, DATA);
        assertArrayEquals(data, through(r, true, data, Verdict.UNCHANGED));
        r.startForwarding();
        assertArrayEquals(tcp(true, false, 101, 2, ACK, null, DATA), through(r, true, data, Verdict.REWRITTEN));
    }

    private static byte[] tcp(boolean fromVm, boolean v6, int seq, int ack, int flags, byte[] options, byte[] payload) {
        FrameBuilder b = new FrameBuilder().tcpOptions(options == null ? new byte[0] : options);
        byte[] f = new byte[2048];
        int n;
        if (fromVm) {
            b.macs(FrameBuilder.DEFAULT_SERVER_MAC, FrameBuilder.DEFAULT_CLIENT_MAC);
            n = v6 ? b.tcp6(f, 0, VM6, CLIENT6, 80, 40000, seq, ack, flags, payload, 0, payload.length)
                    : b.tcp4(f, 0, VM, CLIENT, 80, 40000, seq, ack, flags, payload, 0, payload.length);
        } else {
            b.macs(FrameBuilder.DEFAULT_CLIENT_MAC, FrameBuilder.DEFAULT_SERVER_MAC);
            n = v6 ? b.tcp6(f, 0, CLIENT6, VM6, 40000, 80, seq, ack, flags, payload, 0, payload.length)
                    : b.tcp4(f, 0, CLIENT, VM, 40000, 80, seq, ack, flags, payload, 0, payload.length);
        }
        return Arrays.copyOf(f, n);
    }

    /** Runs the frame through the rewriter in a direct buffer at a non-zero position, as ports deliver it. */
    private byte[] through(TcpRewriter r, boolean fromVm, byte[] frame, Verdict expected) {
        ByteBuffer buf = ByteBuffer.allocateDirect(frame.length + 7);
        buf.position(7);
        buf.put(frame).position(7);
        Verdict v = fromVm ? r.fromSecondary(buf, now) : r.towardSecondary(buf, now);
        assertEquals(expected, v);
        assertEquals(7, buf.position(), "position unchanged");
        byte[] out = new byte[frame.length];
        buf.get(7, out);
        now += 1_000_000;
        return out;
    }

    private void clientOpenedConnection(boolean v6) {
        int pvmIsn = 0x10000000;
        int svmIsn = 0x7fff0000;
        int clientIsn = 5000;
        int offset = svmIsn - pvmIsn;
        TcpRewriter r = forwarding(new RewriterConfig());
        through(r, false, tcp(false, v6, clientIsn, 0, SYN, null, new byte[0]), Verdict.UNCHANGED);
        through(r, true, tcp(true, v6, svmIsn, clientIsn + 1, SYN | ACK, null, new byte[0]), Verdict.UNCHANGED);
        // The client's handshake ACK acknowledges the PVM's ISN + 1: the offset is learned, and this frame already rewritten.
        byte[] ack = through(r, false, tcp(false, v6, clientIsn + 1, pvmIsn + 1, ACK, null, new byte[0]), Verdict.REWRITTEN);
        assertArrayEquals(tcp(false, v6, clientIsn + 1, svmIsn + 1, ACK, null, new byte[0]), ack);
        byte[] request = through(r, false, tcp(false, v6, clientIsn + 1, pvmIsn + 1, ACK | PSH, null, DATA), Verdict.REWRITTEN);
        assertArrayEquals(tcp(false, v6, clientIsn + 1, svmIsn + 1, ACK | PSH, null, DATA), request);
        byte[] answer = through(r, true, tcp(true, v6, svmIsn + 1, clientIsn + 1 + DATA.length, ACK | PSH, null, DATA), Verdict.REWRITTEN);
        assertArrayEquals(tcp(true, v6, pvmIsn + 1, clientIsn + 1 + DATA.length, ACK | PSH, null, DATA), answer);
        assertEquals(1, r.stats().learnedOffsets());
        assertEquals(1, r.stats().nonZeroOffsets());
        assertTrue(offset != 0);
    }

    @Test
    void aClientOpenedConnectionIsRewrittenBothWaysOverIpv4() {
        clientOpenedConnection(false);
    }

    @Test
    void aClientOpenedConnectionIsRewrittenBothWaysOverIpv6() {
        clientOpenedConnection(true);
    }

    @Test
    void aConnectionTheVmOpensLearnsItsOffsetFromTheServersSynAck() {
        TcpRewriter r = forwarding(new RewriterConfig());
        int svmIsn = 100;
        int pvmIsn = 900_000;
        int serverIsn = 777;
        // The VM is the client here: its SYN comes from the SVM first, the server's SYN-ACK acks the PVM's ISN + 1.
        through(r, true, tcp(true, false, svmIsn, 0, SYN, null, new byte[0]), Verdict.UNCHANGED);
        byte[] synAck = through(r, false, tcp(false, false, serverIsn, pvmIsn + 1, SYN | ACK, null, new byte[0]), Verdict.REWRITTEN);
        assertArrayEquals(tcp(false, false, serverIsn, svmIsn + 1, SYN | ACK, null, new byte[0]), synAck);
        byte[] data = through(r, true, tcp(true, false, svmIsn + 1, serverIsn + 1, ACK, null, DATA), Verdict.REWRITTEN);
        assertArrayEquals(tcp(true, false, pvmIsn + 1, serverIsn + 1, ACK, null, DATA), data);
    }

    private static byte[] ts(int val, int ecr) {
        return ByteBuffer.allocate(12).put((byte) 1).put((byte) 1).put((byte) 8).put((byte) 10).putInt(val).putInt(ecr).array();
    }

    @Test
    void timestampsGetTheirOwnOffsetSoTheSvmAcceptsTheHandshakeAndTheClientTheSvmsSegments() {
        TcpRewriter r = forwarding(new RewriterConfig());
        int pvmIsn = 1000;
        int svmIsn = 2000;
        int pvmTs = 900_000;
        int svmTs = 500_000;
        through(r, false, tcp(false, false, 1, 0, SYN, ts(777, 0), new byte[0]), Verdict.UNCHANGED);
        through(r, true, tcp(true, false, svmIsn, 2, SYN | ACK, ts(svmTs, 777), new byte[0]), Verdict.UNCHANGED);
        // The client echoes the PVM's SYN-ACK TSval: toward the SVM it must echo the SVM's.
        byte[] ack = through(r, false, tcp(false, false, 2, pvmIsn + 1, ACK, ts(780, pvmTs), new byte[0]), Verdict.REWRITTEN);
        assertArrayEquals(tcp(false, false, 2, svmIsn + 1, ACK, ts(780, svmTs), new byte[0]), ack);
        // The SVM's clock runs on: its TSval moves into the PVM's range (what the client has seen).
        byte[] data = through(r, true, tcp(true, false, svmIsn + 1, 2, ACK, ts(svmTs + 40, 780), DATA), Verdict.REWRITTEN);
        assertArrayEquals(tcp(true, false, pvmIsn + 1, 2, ACK, ts(pvmTs + 40, 780), DATA), data);
        r.checkpointCommitted();
        byte[] same = tcp(true, false, pvmIsn + 20, 2, ACK, ts(pvmTs + 90, 790), DATA);
        assertArrayEquals(same, through(r, true, same, Verdict.UNCHANGED));
    }

    @Test
    void sequenceNumbersWrapAround() {
        TcpRewriter r = forwarding(new RewriterConfig());
        int pvmIsn = 0xfffffff0;
        int svmIsn = 0x00000010;
        through(r, false, tcp(false, false, 1, 0, SYN, null, new byte[0]), Verdict.UNCHANGED);
        through(r, true, tcp(true, false, svmIsn, 2, SYN | ACK, null, new byte[0]), Verdict.UNCHANGED);
        through(r, false, tcp(false, false, 2, pvmIsn + 1, ACK, null, new byte[0]), Verdict.REWRITTEN);
        byte[] out = through(r, true, tcp(true, false, svmIsn + 1 + 0x30, 2, ACK, null, DATA), Verdict.REWRITTEN);
        assertArrayEquals(tcp(true, false, pvmIsn + 1 + 0x30, 2, ACK, null, DATA), out);
    }

    @Test
    void sackEdgesMoveTowardTheSecondaryOnlyAndGarbageOptionsAreSurvived() {
        TcpRewriter r = forwarding(new RewriterConfig());
        int pvmIsn = 1000;
        int svmIsn = 50_000;
        int off = svmIsn - pvmIsn;
        through(r, false, tcp(false, false, 1, 0, SYN, null, new byte[0]), Verdict.UNCHANGED);
        through(r, true, tcp(true, false, svmIsn, 2, SYN | ACK, null, new byte[0]), Verdict.UNCHANGED);
        through(r, false, tcp(false, false, 2, pvmIsn + 1, ACK, null, new byte[0]), Verdict.REWRITTEN);
        byte[] sack = sack(pvmIsn + 3000, pvmIsn + 4000, pvmIsn + 6000, pvmIsn + 7000);
        byte[] toward = through(r, false, tcp(false, false, 2, pvmIsn + 1001, ACK, sack, new byte[0]), Verdict.REWRITTEN);
        assertArrayEquals(tcp(false, false, 2, pvmIsn + 1001 + off, ACK,
                sack(pvmIsn + 3000 + off, pvmIsn + 4000 + off, pvmIsn + 6000 + off, pvmIsn + 7000 + off), new byte[0]), toward);
        assertEquals(2, r.stats().sackBlocksRewritten());
        // From the SVM, its SACK blocks are in the client's space: only seq changes.
        byte[] clientSack = sack(500, 600, 0, 0);
        byte[] from = through(r, true, tcp(true, false, svmIsn + 10, 2, ACK, clientSack, new byte[0]), Verdict.REWRITTEN);
        assertArrayEquals(tcp(true, false, pvmIsn + 10, 2, ACK, clientSack, new byte[0]), from);
        // Options with impossible lengths: ack still rewritten, nothing read past the options, no exception.
        for (byte[] garbage : new byte[][] {{5, 0, 1, 1}, {5, 1, 0, 0}, {5, 40, 0, 0}, {8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1}}) {
            byte[] out = through(r, false, tcp(false, false, 2, pvmIsn + 1, ACK, garbage, new byte[0]), Verdict.REWRITTEN);
            assertArrayEquals(tcp(false, false, 2, pvmIsn + 1 + off, ACK, garbage, new byte[0]), out);
        }
    }

    private static byte[] sack(int l1, int r1, int l2, int r2) {
        ByteBuffer b = ByteBuffer.allocate(l2 == 0 && r2 == 0 ? 12 : 20);
        b.put((byte) 1).put((byte) 1).put((byte) 5).put((byte) (l2 == 0 && r2 == 0 ? 10 : 18)).putInt(l1).putInt(r1);
        if (!(l2 == 0 && r2 == 0)) {
            b.putInt(l2).putInt(r2);
        }
        return b.array();
    }

    @Test
    void aCommittedCheckpointZeroesEveryOffsetAndNewConnectionsLearnTheirOwn() {
        TcpRewriter r = forwarding(new RewriterConfig());
        through(r, false, tcp(false, false, 1, 0, SYN, null, new byte[0]), Verdict.UNCHANGED);
        through(r, true, tcp(true, false, 5000, 2, SYN | ACK, null, new byte[0]), Verdict.UNCHANGED);
        through(r, false, tcp(false, false, 2, 101, ACK, null, new byte[0]), Verdict.REWRITTEN);
        r.checkpointCommitted();
        byte[] same = tcp(true, false, 101, 2, ACK, null, DATA);
        assertArrayEquals(same, through(r, true, same, Verdict.UNCHANGED));
        // A new connection (another client port) after the commit learns its own offset.
        FrameBuilder b = new FrameBuilder();
        byte[] f = new byte[256];
        int n = b.macs(FrameBuilder.DEFAULT_CLIENT_MAC, FrameBuilder.DEFAULT_SERVER_MAC).tcp4(f, 0, CLIENT, VM, 40001, 80, 7, 0, SYN, new byte[0], 0, 0);
        through(r, false, Arrays.copyOf(f, n), Verdict.UNCHANGED);
        n = new FrameBuilder().tcp4(f, 0, VM, CLIENT, 80, 40001, 9000, 8, SYN | ACK, new byte[0], 0, 0);
        through(r, true, Arrays.copyOf(f, n), Verdict.UNCHANGED);
        n = b.tcp4(f, 0, CLIENT, VM, 40001, 80, 8, 3001, ACK, new byte[0], 0, 0);
        through(r, false, Arrays.copyOf(f, n), Verdict.REWRITTEN);
        assertEquals(2, r.stats().learnedOffsets());
    }

    @Test
    void closedConnectionsKeepTheirOffsetThroughTheGraceThenGo() {
        TcpRewriter r = forwarding(new RewriterConfig().closedGrace(Duration.ofSeconds(1)));
        through(r, false, tcp(false, false, 1, 0, SYN, null, new byte[0]), Verdict.UNCHANGED);
        through(r, true, tcp(true, false, 5000, 2, SYN | ACK, null, new byte[0]), Verdict.UNCHANGED);
        through(r, false, tcp(false, false, 2, 101, ACK, null, new byte[0]), Verdict.REWRITTEN);
        through(r, true, tcp(true, false, 5001, 2, FIN | ACK, null, new byte[0]), Verdict.REWRITTEN);
        through(r, false, tcp(false, false, 2, 102, FIN | ACK, null, new byte[0]), Verdict.REWRITTEN);
        // A retransmitted FIN within the grace: still rewritten, with the non-zero offset.
        byte[] again = through(r, true, tcp(true, false, 5001, 3, FIN | ACK, null, new byte[0]), Verdict.REWRITTEN);
        assertArrayEquals(tcp(true, false, 101, 3, FIN | ACK, null, new byte[0]), again);
        assertEquals(1, r.connections());
        now += 2_000_000_000L;
        // Past the grace the entry expires; a late segment is no longer tracked.
        through(r, true, tcp(true, false, 5001, 3, ACK, null, new byte[0]), Verdict.UNCHANGED);
        assertEquals(0, r.connections());
        assertEquals(1, r.stats().expired());
    }

    @Test
    void aResetClosesWithANonZeroOffset() {
        TcpRewriter r = forwarding(new RewriterConfig().closedGrace(Duration.ofMillis(1)));
        through(r, false, tcp(false, false, 1, 0, SYN, null, new byte[0]), Verdict.UNCHANGED);
        through(r, true, tcp(true, false, 5000, 2, SYN | ACK, null, new byte[0]), Verdict.UNCHANGED);
        through(r, false, tcp(false, false, 2, 101, ACK | RST, null, new byte[0]), Verdict.REWRITTEN);
        now += 10_000_000;
        through(r, false, tcp(false, false, 2, 101, ACK, null, new byte[0]), Verdict.UNCHANGED);
        assertEquals(0, r.connections());
    }

    @Test
    void badAndForeignFramesPassUntouchedAndAFloodStaysBounded() {
        TcpRewriter r = new TcpRewriter(new RewriterConfig().maxConnections(64));
        Random random = new Random(3);
        for (int i = 0; i < 2000; i++) {
            byte[] junk = new byte[random.nextInt(120)];
            random.nextBytes(junk);
            ByteBuffer b = ByteBuffer.allocateDirect(junk.length).put(junk).flip();
            Verdict v = r.towardSecondary(b, now);
            assertTrue(v == Verdict.MALFORMED || v == Verdict.NOT_TCP || v == Verdict.UNCHANGED, v.toString());
            byte[] after = new byte[junk.length];
            b.get(0, after);
            assertArrayEquals(junk, after);
        }
        byte[] syn = tcp(false, false, 1, 0, SYN, null, new byte[0]);
        for (int i = 0; i < 1000; i++) {
            syn[34] = (byte) (i >> 8); // source port
            syn[35] = (byte) i;
            through(r, false, syn, Verdict.UNCHANGED);
        }
        assertEquals(64, r.connections());
        assertTrue(r.stats().evicted() >= 1000 - 64);
        // A truncated segment of a tracked connection: passed, counted.
        byte[] cut = Arrays.copyOf(tcp(false, false, 2, 3, ACK, null, DATA), 40);
        Verdict v = r.towardSecondary(ByteBuffer.allocateDirect(40).put(cut).flip(), now);
        assertTrue(v == Verdict.MALFORMED || v == Verdict.NOT_TCP, v.toString());
    }
}
