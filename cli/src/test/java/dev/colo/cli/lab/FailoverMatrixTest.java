package dev.colo.cli.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.colo.lab.Shell;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failover matrix of issue 17, with the witness, one run per row, on real processes in their own host
 * namespaces ({@link FailoverScenario}): at most one node ever releases output (the captures on the LAN side of both
 * nodes' ports, and both nodes' released counters), the client's one TCP session survives wherever a takeover is
 * allowed or not needed, and its data is intact. No timings are asserted: the failover bench reports them.
 */
@Timeout(120)
class FailoverMatrixTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void lab() {
        String missing = FailoverScenario.missing();
        assumeTrue(missing == null, () -> "skipped: " + missing);
    }

    private FailoverRun run(Fault fault) throws Exception {
        FailoverRun r = new FailoverScenario(fault, FailoverScenario.ARBITER_WITNESS, tmp.resolve(fault.name().toLowerCase()), null).run();
        System.out.println("failover matrix: " + r.summary());
        assertEquals(fault.takeover, r.promoted(), () -> "takeover: " + r.summary());
        assertTrue(r.captureSingleReleaser(), () -> "two releasers on the LAN: " + r.summary());
        assertTrue(r.countersSingleReleaser(), () -> "two releasers by the counters: " + r.summary());
        assertEquals(0, r.oldPrimaryLate(), () -> "the old primary released after the takeover: " + r.summary());
        assertTrue(r.sessionSurvived(), () -> "the session broke: " + r.summary());
        assertTrue(r.dataIntact(), () -> "the session's data: " + r.summary());
        assertTrue(r.received() > 100, () -> "the session hardly ran: " + r.summary());
        assertTrue(r.held(), r::summary);
        return r;
    }

    @Test
    void primaryKilled() throws Exception {
        FailoverRun r = run(Fault.KILLED);
        assertTrue(r.secondaryWire().any(), () -> "the new primary sent nothing to the LAN: " + r.summary());
    }

    @Test
    void primaryFrozenThenResumed() throws Exception {
        FailoverRun r = run(Fault.FROZEN);
        assertTrue(r.secondaryWire().any(), () -> "the new primary sent nothing to the LAN: " + r.summary());
    }

    @Test
    void primaryHostCut() throws Exception {
        FailoverRun r = run(Fault.CUT);
        assertTrue(r.secondaryWire().any(), () -> "the new primary sent nothing to the LAN: " + r.summary());
    }

    @Test
    void partitionWitnessSeenByBoth() throws Exception {
        FailoverRun r = run(Fault.PARTITION);
        assertFalse(r.secondaryWire().any(), () -> "the secondary sent to the LAN without a takeover: " + r.summary());
    }

    @Test
    void partitionWitnessSeenBySecondaryOnly() throws Exception {
        FailoverRun r = run(Fault.PARTITION_WITNESS_SECONDARY_ONLY);
        assertEquals(Boolean.TRUE, r.oldPrimaryFenced(), () -> "the cut-off primary is not FENCED: " + r.summary());
    }

    @Test
    void partitionWitnessSeenByPrimaryOnly() throws Exception {
        FailoverRun r = run(Fault.PARTITION_WITNESS_PRIMARY_ONLY);
        assertFalse(r.secondaryWire().any(), () -> "the secondary sent to the LAN without a takeover: " + r.summary());
    }

    @Test
    void witnessKilled() throws Exception {
        FailoverRun r = run(Fault.WITNESS_KILLED);
        assertFalse(r.secondaryWire().any(), () -> "the secondary sent to the LAN without a takeover: " + r.summary());
    }

    /** Nothing of a run stays behind: its namespaces carry this JVM's pid in base 36. */
    @org.junit.jupiter.api.AfterAll
    static void nothingLeft() throws Exception {
        String pid = Long.toString(ProcessHandle.current().pid(), 36);
        String namespaces = Shell.run(false, "ip", "netns", "list").output();
        for (String prefix : new String[] {"fc", "fp", "fs", "hp", "hs", "hw"}) {
            assertFalse(namespaces.contains(prefix + pid), () -> "left behind: " + namespaces);
        }
    }
}
