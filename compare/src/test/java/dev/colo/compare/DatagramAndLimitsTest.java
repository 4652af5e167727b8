package dev.colo.compare;

import static dev.colo.compare.Harness.CLIENT;
import static dev.colo.compare.Harness.MS;
import static dev.colo.compare.Harness.SERVER;
import static dev.colo.compare.Side.P;
import static dev.colo.compare.Side.S;
import static dev.colo.compare.packet.TcpFlyweight.ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.compare.packet.FrameBuilder;
import org.junit.jupiter.api.Test;

class DatagramAndLimitsTest {

    @Test
    void udpComparesPayloadAndIgnoresIpIdAndTtl() {
        Harness h = new Harness();
        h.builder.ipId(1).ttl(64);
        h.udp(P, 1, "ping-1");
        h.builder.ipId(999).ttl(63);
        h.udp(S, 2, "ping-1");
        assertEquals(1, h.released.size());
        h.udp(P, 3, "ping-2");
        h.udp(S, 4, "PING-2");
        assertEquals(1, h.divergences.size());
        assertEquals("payload differs", h.divergences.get(0).detail());
        assertEquals(2, h.released.size(), "released by the flush after the (immediate) commit");
    }

    @Test
    void udpLengthDifferenceIsAMismatch() {
        Harness h = new Harness();
        h.udp(P, 1, "abc");
        h.udp(S, 1, "abcd");
        assertEquals(1, h.divergences.size());
        assertEquals("length differs", h.divergences.get(0).detail());
    }

    @Test
    void icmpEchoComparesTypeCodeAndDataButNotTheChecksumOrTtl() {
        Harness h = new Harness();
        byte[] data = "0123456789abcdef".getBytes();
        h.builder.ttl(64);
        h.frame(P, 1, h.builder.icmp4(h.buf, 0, SERVER, CLIENT, 0, 0, 42, 1, data));
        h.builder.ttl(1);
        h.frame(S, 1, h.builder.icmp4(h.buf, 0, SERVER, CLIENT, 0, 0, 42, 1, data));
        assertEquals(1, h.released.size());
        assertEquals(0, h.divergences.size());
        // Same id, the secondary answers with destination-unreachable instead of an echo reply.
        h.frame(P, 2, h.builder.icmp4(h.buf, 0, SERVER, CLIENT, 0, 0, 42, 2, data));
        h.frame(S, 2, h.builder.icmp4(h.buf, 0, SERVER, CLIENT, 3, 1, 42, 2, data));
        assertEquals(1, h.divergences.size());
    }

    @Test
    void arpRepliesAreCompared() {
        Harness h = new Harness();
        byte[] mac = FrameBuilder.DEFAULT_CLIENT_MAC;
        h.frame(P, 1, h.builder.arp(h.buf, 0, 2, SERVER, CLIENT, mac));
        h.frame(S, 1, h.builder.arp(h.buf, 0, 2, SERVER, CLIENT, mac));
        assertEquals(1, h.released.size());
        assertEquals(0, h.divergences.size());
    }

    @Test
    void ipv6TcpIsComparedLikeIpv4() {
        Harness h = new Harness();
        byte[] a = new byte[16];
        byte[] b = new byte[16];
        a[0] = (byte) 0xfd;
        a[15] = 2;
        b[0] = (byte) 0xfd;
        b[15] = 1;
        byte[] payload = "hello over v6".getBytes();
        h.builder.ipId(0x12345); // the flow label differs between replicas
        h.frame(P, 1, h.builder.tcp6(h.buf, 0, a, b, 80, 5555, 100, 1, ACK, payload, 0, payload.length));
        h.builder.ipId(0x54321);
        h.frame(S, 1, h.builder.tcp6(h.buf, 0, a, b, 80, 5555, 9000, 1, ACK, payload, 0, payload.length));
        assertEquals(1, h.released.size());
        assertEquals(0, h.divergences.size());
    }

    @Test
    void malformedFramesAreCountedAndComparedWhole() {
        Harness h = new Harness();
        byte[] junk = {1, 2, 3, 4, 5};
        System.arraycopy(junk, 0, h.buf, 0, junk.length);
        h.frame(P, 1, junk.length);
        h.frame(S, 1, junk.length);
        assertEquals(1, h.released.size());
        assertEquals(2, h.comparator.stats().totalMalformed());
        h.buf[0] = 9;
        h.frame(P, 2, junk.length);
        h.buf[0] = 8;
        h.frame(S, 2, junk.length);
        assertEquals(1, h.divergences.size());
    }

    @Test
    void queueLimitFiresOneCheckpointAndLosesNothing() {
        CompareConfig cfg = new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED).maxQueuedPackets(10);
        Harness h = new Harness(cfg);
        h.autoCommit = false;
        for (int i = 0; i < 30; i++) {
            h.udp(P, i, "datagram " + i);
        }
        assertEquals(1, h.checkpoints.size());
        assertEquals(CheckpointReason.QUEUE_FULL, h.checkpoints.get(0).reason());
        assertEquals(0, h.released.size());
        h.commit();
        assertEquals(30, h.released.size());
        for (int i = 0; i < 30; i++) {
            assertTrue(new String(h.released.get(i)).endsWith("datagram " + i), "primary order kept");
        }
    }

    @Test
    void fullStoreForcesACheckpointInsteadOfDroppingOutput() {
        CompareConfig cfg = new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED)
                .smallSlots(8).largeSlots(1).maxQueuedPackets(1000);
        Harness h = new Harness(cfg);
        for (int i = 0; i < 50; i++) {
            h.udp(P, i, "d" + i);
        }
        assertTrue(h.comparator.stats().checkpoints(CheckpointReason.STORE_FULL) >= 1);
        assertEquals(0, h.comparator.stats().get(CompareStats.LOST));
        h.comparator.drain();
        assertEquals(50, h.released.size());
    }

    @Test
    void aFrameLargerThanAnySlotIsReleasedOnlyAfterACheckpointCoversIt() {
        CompareConfig cfg = new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED)
                .smallSlotSize(1024).largeSlotSize(1024);
        Harness h = new Harness(cfg);
        String big = "x".repeat(3000);
        h.autoCommit = false;
        h.udp(P, 1, big); // cannot wait in the store; the checkpoint it asks for never commits
        assertEquals(1, h.comparator.stats().checkpoints(CheckpointReason.OVERSIZE_FRAME));
        assertEquals(0, h.released.size(), "never released uncompared without a commit");
        assertEquals(1, h.comparator.stats().get(CompareStats.LOST));
        h.commit();
        h.autoCommit = true;
        h.udp(P, 2, big); // this time the checkpoint commits: released by the flush
        assertEquals(1, h.released.size());
        assertEquals(3000 + 42, h.released.get(0).length);
        assertEquals(2, h.comparator.stats().checkpoints(CheckpointReason.OVERSIZE_FRAME));
        assertEquals(1, h.comparator.stats().get(CompareStats.LOST));
    }

    @Test
    void storeFullWithoutACommitCountsTheLossLoudly() {
        CompareConfig cfg = new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED)
                .smallSlots(4).largeSlots(1).storeFullWaitNanos(1);
        Harness h = new Harness(cfg);
        h.autoCommit = false;
        for (int i = 0; i < 6; i++) {
            h.udp(P, i, "d" + i);
        }
        assertEquals(1, h.comparator.stats().get(CompareStats.LOST));
        assertEquals(0, h.released.size(), "nothing uncompared is released when no checkpoint commits");
    }

    @Test
    void fullConnectionTableEvictsIdleConnectionsAndOtherwiseCheckpoints() {
        CompareConfig cfg = new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED).maxConnections(4);
        Harness h = new Harness(cfg);
        h.autoCommit = false;
        byte[] p = "x".getBytes();
        // Four connections compared and idle: a fifth evicts the least recent one.
        for (int port = 1; port <= 5; port++) {
            int len = h.builder.udp4(h.buf, 0, SERVER, CLIENT, 7, port, p, 0, 1);
            h.frame(P, port, len);
            h.frame(S, port, len);
        }
        assertEquals(1, h.comparator.stats().get(CompareStats.EVICTED_LRU));
        assertEquals(5, h.released.size());
        // Now four connections each holding a frame, and a fifth arrives: no eviction possible.
        for (int port = 11; port <= 15; port++) {
            h.frame(P, 100 + port, h.builder.udp4(h.buf, 0, SERVER, CLIENT, 7, port, p, 0, 1));
        }
        assertEquals(1, h.checkpoints.size());
        assertEquals(CheckpointReason.TABLE_FULL, h.checkpoints.get(0).reason());
        h.commit();
        assertEquals(10, h.released.size(), "the untracked frame was held and released by the flush, not lost");
    }

    @Test
    void idleConnectionsWithNothingHeldAreForgottenAfterTheIdleTimeout() {
        CompareConfig cfg = new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED)
                .idleTimeoutNanos(1000 * MS);
        Harness h = new Harness(cfg);
        h.udp(P, 0, "a");
        h.udp(S, 0, "a");
        h.udp(P, 100 * MS, "held"); // the same flow, now holding a frame: never evicted while it holds
        assertEquals(1, h.comparator.connectionCount());
        h.comparator.onTick(900 * MS);
        assertEquals(1, h.comparator.connectionCount());
        h.udp(S, 950 * MS, "held");
        h.comparator.onTick(2100 * MS);
        assertEquals(0, h.comparator.connectionCount(), "idle for over a second with nothing held");
        assertEquals(1, h.comparator.stats().get(CompareStats.EVICTED_IDLE));
    }

    @Test
    void minimumIntervalCoalescesABurstIntoOneCheckpoint() {
        CompareConfig cfg = new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED)
                .minCheckpointIntervalNanos(100 * MS);
        Harness h = new Harness(cfg);
        h.udp(P, 0, "a");
        h.udp(S, 0, "b"); // first checkpoint, commits at once
        assertEquals(1, h.checkpoints.size());
        for (int i = 1; i <= 5; i++) {
            int len = h.builder.udp4(h.buf, 0, SERVER, CLIENT, 7, 6000 + i, "a".getBytes(), 0, 1);
            h.frame(P, i * MS, len);
            len = h.builder.udp4(h.buf, 0, SERVER, CLIENT, 7, 6000 + i, "b".getBytes(), 0, 1);
            h.frame(S, i * MS, len);
        }
        assertEquals(6, h.divergences.size());
        assertEquals(1, h.checkpoints.size(), "deferred until 100 ms after the last commit");
        assertEquals(1, h.released.size());
        h.comparator.onTick(100 * MS);
        assertEquals(2, h.checkpoints.size());
        assertEquals(6, h.released.size());
        assertEquals(4, h.comparator.stats().get(CompareStats.CHECKPOINTS_COALESCED));
    }

    @Test
    void unprotectedModePassesPrimaryOutputAndDropsSecondary() {
        Harness h = new Harness();
        h.udp(P, 1, "held");
        h.comparator.enterUnprotected();
        assertEquals(1, h.released.size());
        h.udp(P, 2, "direct");
        h.udp(S, 3, "ignored");
        assertEquals(2, h.released.size());
        assertEquals(1, h.comparator.stats().get(CompareStats.RELEASED_UNPROTECTED));
    }
}
