package dev.colo.cli.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.colo.compare.CompareStats;
import dev.colo.compare.Divergence;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every bundled capture pair (real servers in network namespaces, pcaps/corpus/) replayed with the
 * options its expected.properties names, checked against the outcome it records: frame counts,
 * divergences, checkpoints, rules fired, where the first divergence is, and that every primary frame
 * was released exactly once with nothing left held.
 */
class CorpusRegressionTest {

    static Stream<String> pairs() {
        return BundledPairs.NAMES.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void pairReplaysToItsExpectedOutcome(String name) throws Exception {
        BundledPairs.Pair pair = BundledPairs.extract(name);
        Properties e = pair.expected();
        ReplayCommand cmd = new ReplayCommand();
        String args = e.getProperty("expect.args", "").trim();
        new CommandLine(cmd).parseArgs(args.isEmpty() ? new String[0] : args.split("\\s+"));
        ReplayResult r = new ReplayEngine(cmd.config()).run(pair.primary(), pair.secondary());
        CompareStats s = r.stats();

        assertEquals(Long.parseLong(required(e, "pvm.frames")), s.get(CompareStats.FRAMES_PRIMARY), "primary frames");
        assertEquals(Long.parseLong(required(e, "svm.frames")), s.get(CompareStats.FRAMES_SECONDARY), "secondary frames");
        assertEquals(s.get(CompareStats.FRAMES_PRIMARY), s.released(), "every primary frame released exactly once");
        assertEquals(0, r.heldAfterDrain(), "nothing left held");
        assertEquals(0, s.get(CompareStats.LOST));
        assertEquals(0, s.totalMalformed(), "real captures parse cleanly");
        assertEquals(Long.parseLong(required(e, "expect.divergences")), s.totalDivergences(), "divergences");
        assertEquals(Long.parseLong(required(e, "expect.checkpoints")), s.totalCheckpoints(), "checkpoints");
        assertEquals(Long.parseLong(e.getProperty("expect.rulesFired", "0")), s.get(CompareStats.RULES_FIRED), "rules fired");
        if (e.containsKey("tcp.connections")) {
            assertEquals(Long.parseLong(e.getProperty("tcp.connections")), s.get(CompareStats.CONNECTIONS_PRIMARY), "connections");
        }
        if (e.containsKey("expect.first.streamOffset")) {
            Divergence d = r.divergences().get(0);
            assertEquals(e.getProperty("expect.first.reason"), d.reason().name());
            assertEquals(Long.parseLong(e.getProperty("expect.first.streamOffset")), d.streamOffset());
            assertEquals(Integer.parseInt(e.getProperty("diff.pvmByte"), 16), d.primaryBytes()[d.primaryDiffIndex()] & 0xff);
            assertEquals(Integer.parseInt(e.getProperty("diff.svmByte"), 16), d.secondaryBytes()[d.secondaryDiffIndex()] & 0xff);
        }
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        assertNotNull(v, "expected.properties lacks " + key);
        return v;
    }
}
