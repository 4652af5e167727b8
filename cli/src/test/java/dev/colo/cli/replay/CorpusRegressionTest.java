package dev.colo.cli.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.colo.compare.CompareStats;
import dev.colo.compare.Divergence;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

/**
 * Every bundled capture pair (real servers in network namespaces, pcaps/corpus/) replayed in each
 * scenario its expected.properties lists ({@code expect.scenarios}), with that scenario's replay
 * options ({@code expect.<s>.args}), and checked against the recorded outcome: frame counts,
 * divergences, checkpoints, rules fired, where the first divergence is, that every primary frame
 * was released exactly once with nothing left held, and (when {@code expect.<s>.releasedFlushed} is
 * given) how many were released by a checkpoint flush rather than by comparison.
 */
class CorpusRegressionTest {

    @TestFactory
    List<DynamicTest> everyPairReplaysToItsExpectedOutcome() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : BundledPairs.NAMES) {
            BundledPairs.Pair pair = BundledPairs.extract(name);
            String scenarios = required(pair.expected(), "expect.scenarios");
            for (String scenario : scenarios.split(",")) {
                tests.add(DynamicTest.dynamicTest(name + " / " + scenario.trim(), () -> check(pair, scenario.trim())));
            }
        }
        assertFalse(tests.isEmpty());
        return tests;
    }

    private static void check(BundledPairs.Pair pair, String scenario) throws Exception {
        Properties e = pair.expected();
        String p = "expect." + scenario + ".";
        ReplayCommand cmd = new ReplayCommand();
        String args = e.getProperty(p + "args", "").trim();
        new CommandLine(cmd).parseArgs(args.isEmpty() ? new String[0] : args.split("\\s+"));
        ReplayResult r = new ReplayEngine(cmd.config()).run(pair.primary(), pair.secondary());
        CompareStats s = r.stats();

        assertEquals(Long.parseLong(required(e, "pvm.frames")), s.get(CompareStats.FRAMES_PRIMARY), "primary frames");
        assertEquals(Long.parseLong(required(e, "svm.frames")), s.get(CompareStats.FRAMES_SECONDARY), "secondary frames");
        assertEquals(s.get(CompareStats.FRAMES_PRIMARY), s.released() + s.get(CompareStats.SUPERSEDED_ACKS),
                "every primary frame released exactly once, or replaced by a newer bare ACK");
        assertEquals(0, r.heldAfterDrain(), "nothing left held");
        assertEquals(0, s.get(CompareStats.LOST));
        assertEquals(0, s.totalMalformed(), "real captures parse cleanly");
        assertEquals(Long.parseLong(required(e, p + "divergences")), s.totalDivergences(), "divergences");
        assertEquals(Long.parseLong(required(e, p + "checkpoints")), s.totalCheckpoints(), "checkpoints");
        assertEquals(Long.parseLong(e.getProperty(p + "rulesFired", "0")), s.get(CompareStats.RULES_FIRED), "rules fired");
        if (e.containsKey(p + "releasedFlushed")) {
            long flushed = Long.parseLong(e.getProperty(p + "releasedFlushed"));
            assertEquals(flushed, s.get(CompareStats.RELEASED_FLUSHED), "released by a checkpoint flush");
            assertEquals(s.get(CompareStats.FRAMES_PRIMARY) - flushed,
                    s.get(CompareStats.RELEASED_COMPARED) + s.get(CompareStats.SUPERSEDED_ACKS), "released by comparison");
        }
        long flows = Long.parseLong(required(e, "expect.connections"));
        assertEquals(flows, s.get(CompareStats.CONNECTIONS_PRIMARY), "flows seen on the primary");
        assertEquals(flows, s.get(CompareStats.CONNECTIONS_SECONDARY), "flows seen on the secondary");
        if (e.containsKey(p + "first.reason")) {
            Divergence d = r.divergences().get(0);
            assertEquals(e.getProperty(p + "first.reason"), d.reason().name());
            assertEquals(Long.parseLong(required(e, p + "first.streamOffset")), d.streamOffset());
            if (e.containsKey("diff.pvmByte")) {
                assertEquals(Integer.parseInt(e.getProperty("diff.pvmByte"), 16), d.primaryBytes()[d.primaryDiffIndex()] & 0xff);
                assertEquals(Integer.parseInt(e.getProperty("diff.svmByte"), 16), d.secondaryBytes()[d.secondaryDiffIndex()] & 0xff);
            }
        }
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        assertNotNull(v, "expected.properties lacks " + key);
        return v;
    }
}
