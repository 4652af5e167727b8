package dev.colo.cli.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.compare.CheckpointModel;
import dev.colo.compare.CheckpointReason;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.CompareStats;
import dev.colo.compare.Divergence;
import dev.colo.compare.rules.IgnoreRule;
import dev.colo.compare.rules.RuleSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The direct mode (decode and compare on the calling thread, colo tune's) and the pipeline (colo replay's) make
 * the same decisions on every bundled pair: every counter, the hold-time quantiles, the divergences in order.
 */
class ReplayDirectModeTest {

    @TestFactory
    List<DynamicTest> directAndPipelineModesGiveIdenticalResultsOnEveryCorpusPair() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : BundledPairs.NAMES) {
            BundledPairs.Pair pair = BundledPairs.extract(name);
            tests.add(DynamicTest.dynamicTest(name, () -> {
                for (CompareConfig c : List.of(defaults(), defaults().rules(new RuleSet(true, List.of(IgnoreRule.parse("http-date")))),
                        defaults().compareTimeoutNanos(100_000_000L).thinAcksAfter(0).minCheckpointIntervalNanos(0).maxQueuedPackets(256))) {
                    ReplayResult pipe = new ReplayEngine(c.copy()).run(pair.primary(), pair.secondary());
                    ReplayResult direct = new ReplayEngine(c.copy()).mode(ReplayEngine.Mode.DIRECT).run(pair.primary(), pair.secondary());
                    assertSame(pipe, direct, name + " " + c);
                }
            }));
        }
        return tests;
    }

    private static CompareConfig defaults() {
        return new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED);
    }

    private static void assertSame(ReplayResult pipe, ReplayResult direct, String what) {
        assertTrue(pipe.stats().get(CompareStats.FRAMES_PRIMARY) > 0, what + ": frames replayed");
        for (int counter = 0; counter <= CompareStats.SUPERSEDED_ACKS; counter++) {
            assertEquals(pipe.stats().get(counter), direct.stats().get(counter), what + ": counter " + counter);
        }
        for (CheckpointReason r : CheckpointReason.values()) {
            assertEquals(pipe.stats().divergences(r), direct.stats().divergences(r), what + ": divergences " + r);
            assertEquals(pipe.stats().checkpoints(r), direct.stats().checkpoints(r), what + ": checkpoints " + r);
        }
        assertEquals(pipe.holdTimes().count(), direct.holdTimes().count(), what + ": hold times recorded");
        assertEquals(pipe.holdTimes().quantile(0.5), direct.holdTimes().quantile(0.5), what + ": hold p50");
        assertEquals(pipe.holdTimes().quantile(0.99), direct.holdTimes().quantile(0.99), what + ": hold p99");
        assertEquals(pipe.holdTimes().max(), direct.holdTimes().max(), what + ": hold max");
        assertEquals(pipe.heldAtEndOfInput(), direct.heldAtEndOfInput(), what + ": held at end of input");
        assertEquals(pipe.heldAfterDrain(), direct.heldAfterDrain(), what + ": held after drain");
        assertEquals(pipe.rulesFired(), direct.rulesFired(), what + ": rules fired");
        assertEquals(describe(pipe.divergences()), describe(direct.divergences()), what + ": divergences");
        assertEquals(describe(pipe.checkpoints()), describe(direct.checkpoints()), what + ": checkpoint causes");
        assertEquals(-1, pipe.peakHeld(), "the pipeline does not track the peak");
        assertTrue(direct.peakHeld() >= direct.heldAtEndOfInput(), what + ": peak held at least what was held at the end");
        assertTrue(direct.peakHeld() > 0, what + ": something was held at some time");
    }

    private static List<String> describe(List<Divergence> ds) {
        List<String> out = new ArrayList<>();
        for (Divergence d : ds) {
            out.add(d + " t=" + d.timeNanos() + " " + java.util.Arrays.toString(d.primaryBytes()) + " " + d.primaryDiffIndex()
                    + " " + java.util.Arrays.toString(d.secondaryBytes()) + " " + d.secondaryDiffIndex());
        }
        return out;
    }
}
