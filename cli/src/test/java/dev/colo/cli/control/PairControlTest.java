package dev.colo.cli.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.colo.checkpoint.CoordinatorListener;
import dev.colo.checkpoint.SecondaryState;
import dev.colo.cli.lab.LabPair;
import dev.colo.lab.LabTopology;
import dev.colo.compare.DecisionListener;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control sockets of a live primary and secondary (a {@link LabPair} on namespace replicas, needs root):
 * status with QEMU's modes, a manual checkpoint that commits, checkpoint-interval set live, failover refused on
 * the primary and granted on the secondary (its arbiter here always grants).
 */
@Timeout(120)
class PairControlTest {
    @TempDir
    Path tmp;

    private LabTopology net;
    private LabPair pair;
    private ControlServer primarySocket;
    private ControlServer secondarySocket;

    @AfterEach
    void teardown() throws Exception {
        ControlOptions.close(primarySocket);
        ControlOptions.close(secondarySocket);
        try {
            if (pair != null) {
                pair.close();
            }
        } finally {
            if (net != null) {
                net.close();
            }
        }
    }

    @Test
    void statusCheckpointSetAndFailover() throws Exception {
        assumeTrue(LabTopology.available(), "ip, ethtool, curl or python3 missing: skipped");
        net = new LabTopology();
        pair = new LabPair(net, DecisionListener.NONE, CoordinatorListener.NONE);
        StringWriter log = new StringWriter();
        PrintWriter out = new PrintWriter(log, true);
        Path p = tmp.resolve("primary.sock");
        Path s = tmp.resolve("secondary.sock");
        primarySocket = ControlServer.start(p, NodeControls.primary(pair.primary, out, false));
        secondarySocket = ControlServer.start(s, NodeControls.secondary(pair.secondary));
        String ps = "--socket=" + p;
        String ss = "--socket=" + s;
        long until = System.currentTimeMillis() + 10_000;
        while (pair.secondary.coordinator().state() != SecondaryState.RUNNING) {
            assertTrue(System.currentTimeMillis() < until, "secondary running");
            Thread.sleep(10);
        }

        CompareControlTest.Run st = CompareControlTest.colo("status", ps);
        assertEquals(0, st.exit(), st.err());
        assertTrue(st.out().contains("mode: primary"), st.out());
        assertTrue(st.out().contains("state: PROTECTED"), st.out());
        assertTrue(st.out().contains("compare-timeout: 3000 ms"), st.out());
        CompareControlTest.Run sst = CompareControlTest.colo("status", "--json", ss);
        assertTrue(sst.out().contains("\"mode\":\"secondary\""), sst.out());

        long before = pair.primary.coordinator().status().checkpointsByTrigger().getOrDefault(dev.colo.checkpoint.protocol.Trigger.MANUAL, 0L);
        CompareControlTest.Run ck = CompareControlTest.colo("checkpoint", ps);
        assertEquals(0, ck.exit(), ck.out() + ck.err());
        assertTrue(ck.out().contains("committed") && ck.out().contains("pause"), ck.out());
        assertEquals(before + 1, (long) pair.primary.coordinator().status().checkpointsByTrigger().get(dev.colo.checkpoint.protocol.Trigger.MANUAL));
        assertTrue(CompareControlTest.colo("status", ps).out().contains("MANUAL: " + (before + 1)));

        CompareControlTest.Run set = CompareControlTest.colo("set", "checkpoint-interval", "30s", ps);
        assertEquals(0, set.exit(), set.err());
        assertEquals(30_000, pair.primary.checkpointConfig().periodicInterval().toMillis());
        assertTrue(log.toString().contains("checkpoint-interval 0 ms -> 30000 ms"), log.toString());
        assertTrue(CompareControlTest.colo("status", ps).out().contains("checkpoint-interval: 30000 ms"));
        assertEquals(1, CompareControlTest.colo("set", "checkpoint-interval", "1x", ps).exit(), "not a duration");
        assertEquals(0, CompareControlTest.colo("set", "compare-timeout", "1s", ps).exit());
        assertTrue(log.toString().contains("compare-timeout 3000 ms -> 1000 ms (control socket)"), log.toString());
        assertEquals(1, CompareControlTest.colo("set", "compare-timeout", "1s", ss).exit(), "nothing to set on a secondary");
        assertEquals(1, CompareControlTest.colo("checkpoint", ss).exit(), "checkpoints are asked on the primary");

        CompareControlTest.Run pf = CompareControlTest.colo("failover", ps);
        assertEquals(1, pf.exit());
        assertTrue(pf.err().contains("this is the primary"), pf.err());

        CompareControlTest.Run sf = CompareControlTest.colo("failover", ss);
        assertEquals(0, sf.exit(), sf.out() + sf.err());
        assertTrue(sf.out().contains("promoted"), sf.out());
        CompareControlTest.Run after = CompareControlTest.colo("status", "--json", ss);
        assertTrue(after.out().contains("\"mode\":\"none\",\"last-mode\":\"secondary\",\"reason\":\"request\""), after.out());
        CompareControlTest.Run again = CompareControlTest.colo("failover", ss);
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("already promoted"), again.err());
        // The primary lost its secondary: no checkpoint to be had.
        until = System.currentTimeMillis() + 10_000;
        while (!CompareControlTest.colo("status", ps).out().contains("mode: none")) {
            assertTrue(System.currentTimeMillis() < until, "primary unprotected");
            Thread.sleep(50);
        }
        CompareControlTest.Run none = CompareControlTest.colo("checkpoint", ps);
        assertEquals(1, none.exit());
        assertTrue(none.err().contains("no secondary in sync"), none.err());
        assertTrue(CompareControlTest.colo("status", "--json", ps).out().contains("\"last-mode\":\"primary\",\"reason\":\"error\""));
    }
}
