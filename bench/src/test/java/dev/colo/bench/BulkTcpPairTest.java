package dev.colo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.cli.replay.ReplayEngine;
import dev.colo.cli.replay.ReplayResult;
import dev.colo.compare.CheckpointModel;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.CompareStats;
import dev.colo.compare.packet.FrameDecoder;
import dev.colo.compare.packet.FrameInfo;
import dev.colo.compare.packet.TcpFlyweight;
import dev.colo.pcap.PacketFileReader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated pair is what the replay benchmark claims it is: identical output, so nothing diverges. (Runs no benchmark.) */
class BulkTcpPairTest {
    @TempDir
    Path dir;

    @Test
    void generatedPairReplaysWithoutDivergence() throws Exception {
        BulkTcpPair pair = BulkTcpPair.ensure(dir, 3000, 5, 1, null);
        assertEquals(Files.size(pair.primary), Files.size(pair.secondary));

        ReplayResult r = new ReplayEngine(new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED))
                .run(pair.primary, pair.secondary);
        CompareStats s = r.stats();
        assertEquals(3000, s.get(CompareStats.FRAMES_PRIMARY));
        assertEquals(3000, s.get(CompareStats.FRAMES_SECONDARY));
        assertEquals(0, s.totalDivergences());
        assertEquals(0, s.totalCheckpoints());
        assertEquals(3000, s.get(CompareStats.RELEASED_COMPARED));
        assertEquals(5, s.get(CompareStats.CONNECTIONS_PRIMARY));
        assertEquals(0, r.heldAfterDrain());
        // Released when the twin arrives: 3 to 3.9 us after the primary frame (histogram buckets are within 12.5%).
        assertTrue(r.holdTimes().quantile(0.01) >= 2_600 && r.holdTimes().max() < 4_000, "hold times " + r.holdTimes().max());
    }

    @Test
    void sidesDifferOnlyWhereReplicasMay() throws Exception {
        BulkTcpPair pair = BulkTcpPair.ensure(dir, 200, 3, 2, null);
        FrameDecoder decoder = new FrameDecoder();
        FrameInfo pi = new FrameInfo();
        FrameInfo si = new FrameInfo();
        int synAcks = 0;
        int fins = 0;
        try (PacketFileReader p = PacketFileReader.open(pair.primary); PacketFileReader s = PacketFileReader.open(pair.secondary)) {
            long previous = 0;
            while (p.next()) {
                assertTrue(s.next());
                long lag = s.timestampNanos() - p.timestampNanos();
                assertTrue(lag >= 3_000 && lag < 4_000, "secondary lag " + lag);
                assertTrue(s.timestampNanos() > previous, "secondary file in time order");
                previous = s.timestampNanos();
                decoder.decode(p.data(), 0, p.capturedLength(), pi);
                decoder.decode(s.data(), 0, s.capturedLength(), si);
                assertTrue(pi.isTcp() && si.isTcp());
                assertEquals(pi.tcpFlags, si.tcpFlags);
                assertEquals(pi.tcpAck, si.tcpAck);
                assertEquals(pi.dstPort, si.dstPort);
                assertTrue(pi.tcpSeq != si.tcpSeq, "different ISNs");
                assertEquals(pi.compareLength, si.compareLength);
                assertTrue(java.util.Arrays.equals(p.data(), pi.compareOffset, pi.compareOffset + pi.compareLength,
                        s.data(), si.compareOffset, si.compareOffset + si.compareLength));
                synAcks += (pi.tcpFlags & TcpFlyweight.SYN) != 0 ? 1 : 0;
                fins += (pi.tcpFlags & TcpFlyweight.FIN) != 0 ? 1 : 0;
            }
            assertTrue(!s.next());
        }
        assertEquals(3, synAcks);
        assertEquals(3, fins);
    }
}
