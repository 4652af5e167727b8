package dev.colo.cli.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.compare.CheckpointReason;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.CompareStats;
import dev.colo.compare.Side;
import dev.colo.pcap.PacketFileReader;
import dev.colo.pcap.PacketFileWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A capture with one record stamped a day, a month or 30 years away from its neighbours (a clock step forwards and
 * back) replays with the same verdicts whatever the size, with work that counts events (deadlines fired) and not
 * the span, and the report names both steps. Before, a month's step ran for minutes: a held frame timed out again
 * every minimum checkpoint interval of the jump.
 */
class ClockStepReplayTest {
    private static final long DAY = 86_400_000_000_000L;
    private static final long[] STEPS = {DAY, 30 * DAY, 30 * 365 * DAY};
    /** The 0-based record that is stamped away; the report names it 1-based. */
    private static final int RECORD = 3;

    @TempDir
    Path dir;

    @Test
    void aRecordAheadOnThePrimaryReplaysAlikeForAnyStepSize() throws IOException {
        sameVerdictsForEverySize("http-one-byte", Side.P, +1);
    }

    @Test
    void aRecordBehindOnTheSecondaryReplaysAlikeForAnyStepSize() throws IOException {
        sameVerdictsForEverySize("http-one-byte", Side.S, -1);
    }

    @Test
    void anIpv6FlowTimingOutAcrossAStepReplaysAlike() throws IOException {
        sameVerdictsForEverySize("ipv6-http", Side.P, +1);
    }

    @Test
    void thePipelineModeReplaysAThirtyYearStepAndTheReportNamesIt() throws IOException {
        BundledPairs.Pair pair = BundledPairs.extract("http-one-byte");
        Path[] files = stepped(pair, Side.P, STEPS[2], "pipeline");
        ReplayResult r = assertTimeoutPreemptively(Duration.ofMinutes(2), // a guard against the old hang, not a measure
                () -> new ReplayEngine(new CompareConfig()).run(files[0], files[1]));
        StringWriter text = new StringWriter();
        TextReport.print(r, 10, new PrintWriter(text, true));
        assertTrue(text.toString().contains("clock step +10950.0 d at primary frame " + (RECORD + 1) + ": time jumped"), text.toString());
        assertTrue(text.toString().contains("at primary frame " + (RECORD + 2) + ": clock kept"), text.toString());
        StringWriter json = new StringWriter();
        JsonReport.print(r, new PrintWriter(json, true));
        assertTrue(json.toString().contains("\"stepCount\":2,\"steps\":[{\"side\":\"primary\",\"frame\":" + (RECORD + 1)), json.toString());
    }

    private void sameVerdictsForEverySize(String name, int side, int sign) throws IOException {
        BundledPairs.Pair pair = BundledPairs.extract(name);
        ReplayResult plain = replay(pair.primary(), pair.secondary());
        assertEquals(0, plain.clockStepCount(), "the bundled pair has no step");
        List<ReplayResult> results = new ArrayList<>();
        for (long step : STEPS) {
            Path[] files = stepped(pair, side, sign * step, name + "-" + step);
            ReplayResult r = replay(files[0], files[1]);
            String what = name + " stepped " + ClockSteps.size(sign * step);
            assertEquals(2, r.clockStepCount(), what + ": away and back");
            ClockSteps.Step away = r.clockSteps().get(0);
            ClockSteps.Step back = r.clockSteps().get(1);
            assertEquals(side, away.side(), what);
            assertEquals(RECORD + 1, away.frame(), what + ": the record stamped away");
            assertEquals(RECORD + 2, back.frame(), what + ": the record after it");
            assertTrue(Math.abs(away.nanos() - sign * step) < 1_000_000_000L, what + ": size " + away.nanos());
            assertTrue(Long.signum(back.nanos()) == -sign, what + ": back " + back.nanos());
            // Event-bounded work: the jump adds at most a few firings to the unstepped replay's, whatever its size.
            assertTrue(r.clockFirings() <= plain.clockFirings() + 4,
                    what + ": " + r.clockFirings() + " deadlines fired, unstepped " + plain.clockFirings());
            results.add(r);
        }
        ReplayResult day = results.get(0);
        for (ReplayResult r : results.subList(1, results.size())) {
            String what = name + " " + r.clockSteps().get(0).nanos() + " ns against a day";
            for (CheckpointReason reason : CheckpointReason.values()) {
                assertEquals(day.stats().divergences(reason), r.stats().divergences(reason), what + ": divergences " + reason);
                assertEquals(day.stats().checkpoints(reason), r.stats().checkpoints(reason), what + ": checkpoints " + reason);
            }
            for (int counter : new int[] {CompareStats.RELEASED_COMPARED, CompareStats.RELEASED_FLUSHED,
                    CompareStats.SECONDARY_CONSUMED, CompareStats.SECONDARY_FLUSHED, CompareStats.LOST}) {
                assertEquals(day.stats().get(counter), r.stats().get(counter), what + ": counter " + counter);
            }
            assertEquals(day.clockFirings(), r.clockFirings(), what + ": deadlines fired");
            assertEquals(day.repeatsCollapsed(), r.repeatsCollapsed(), what + ": repeats collapsed");
        }
        assertEquals(plain.stats().get(CompareStats.FRAMES_PRIMARY), day.stats().get(CompareStats.FRAMES_PRIMARY), "every frame replayed");
        assertTrue(day.stats().get(CompareStats.LOST) == 0, "nothing lost");
    }

    private static ReplayResult replay(Path p, Path s) throws IOException {
        return new ReplayEngine(new CompareConfig()).mode(ReplayEngine.Mode.DIRECT).run(p, s);
    }

    /** The pair again, with record {@link #RECORD} of {@code side} stamped {@code stepNanos} away. */
    private Path[] stepped(BundledPairs.Pair pair, int side, long stepNanos, String tag) throws IOException {
        Path out = Files.createDirectories(dir.resolve(tag));
        Path p = copy(pair.primary(), out.resolve("pvm.pcap"), side == Side.P ? stepNanos : 0);
        Path s = copy(pair.secondary(), out.resolve("svm.pcap"), side == Side.S ? stepNanos : 0);
        return new Path[] {p, s};
    }

    private static Path copy(Path in, Path out, long stepNanos) throws IOException {
        try (PacketFileReader r = PacketFileReader.open(in);
             PacketFileWriter w = PacketFileWriter.pcap(out, r.linkType(), ReplaySink.SNAPLEN, true)) {
            for (int i = 0; r.next(); i++) {
                long ts = r.timestampNanos() + (i == RECORD ? stepNanos : 0);
                assertTrue(ts >= 0, "a step behind stays after 1970");
                w.write(ts, r.data(), 0, r.capturedLength(), r.originalLength());
            }
        }
        return out;
    }
}
