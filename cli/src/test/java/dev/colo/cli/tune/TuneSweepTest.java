package dev.colo.cli.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.cli.replay.BundledPairs;
import dev.colo.compare.CheckpointReason;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep on real corpus captures (and one generated upload): the rules it finds, the recommendation, the report. */
class TuneSweepTest {
    @TempDir
    Path tmp;

    static TuneSweep.Pair bundled(String name) {
        BundledPairs.Pair p = BundledPairs.extract(name);
        return new TuneSweep.Pair(name, p.primary(), p.secondary());
    }

    static String text(TuneReport r) {
        StringWriter w = new StringWriter();
        TuneOutput.text(r, new PrintWriter(w));
        return w.toString();
    }

    @Test
    void httpDateGetsTheDateRuleRecommended() throws Exception {
        TuneReport r = new TuneSweep(List.of(bundled("http-date")), TuneSweep.DEFAULT_MAX_HOLD_P99).run();
        assertEquals(List.of("http-date"), r.candidateRules());
        assertNotNull(r.recommended(), r.why());
        assertEquals(List.of("http-date"), r.recommended().setting().rules());
        assertEquals(0, r.recommended().checkpoints(), "the rule excuses every Date: difference");
        assertEquals(0, r.recommended().unexcusedDivergences());
        assertTrue(r.realDifferences().isEmpty(), r.realDifferences().toString());
        // the defaults with no rule: one MISMATCH checkpoint per response
        TuneOutcome defaults = r.outcomes().stream().filter(o -> o.setting().equals(TuneSweep.defaults())).findFirst().orElseThrow();
        assertEquals(5, defaults.checkpointsByReason().get(CheckpointReason.MISMATCH));
        assertTrue(r.why().contains("http-date removes 5 MISMATCH checkpoints on http-date"), r.why());
        assertTrue(r.why().contains("<= 10 ms"), r.why());
        // ties go to the defaults: only the rule differs from them
        TuneSetting rec = r.recommended().setting();
        assertEquals(TuneSweep.defaults().compareTimeoutNanos(), rec.compareTimeoutNanos());
        assertEquals(TuneSweep.defaults().thinAcksAfter(), rec.thinAcksAfter());
        assertEquals("colo primary ... --ignore http-date", TuneSweep.commandLine(rec));
        // the grid: 4 timeouts x 3 thin-acks x 3 intervals x 3 queue limits x 2 rule sets (none, http-date)
        assertEquals(4 * 3 * 3 * 3 * 2, r.outcomes().size());
        String text = text(r);
        assertTrue(text.contains("Apply: colo primary ... --ignore http-date"), text);
        assertEquals(1, text.lines().filter(l -> l.startsWith("*")).count(), "one row marked recommended");
    }

    @Test
    void httpOneByteGetsNoRuleAndTheDifferenceIsReal() throws Exception {
        TuneReport r = new TuneSweep(List.of(bundled("http-one-byte")), TuneSweep.DEFAULT_MAX_HOLD_P99).run();
        assertTrue(r.candidateRules().isEmpty(), r.candidateRules().toString());
        assertEquals(1, r.realDifferences().size(), r.realDifferences().toString());
        String real = r.realDifferences().get(0);
        // the corpus' outcome: one byte of lorem.txt differs at stream offset 12534
        assertTrue(real.startsWith("real difference: payload byte 12534 of connection TCP 10.77.0.1:40004 <-> 10.77.0.2:8000"), real);
        assertTrue(real.contains("(MISMATCH"), real);
        assertTrue(real.contains("[63]") && real.contains("[62]"), "the differing bytes bracketed in the hexdumps: " + real);
        assertNotNull(r.recommended());
        assertTrue(r.recommended().setting().rules().isEmpty());
        assertEquals(1, r.recommended().checkpoints(), "a real difference keeps its checkpoint");
        assertEquals(4 * 3 * 3 * 3, r.outcomes().size(), "no rule set but none");
        assertEquals("colo primary ... (the defaults: no option to add)", TuneSweep.commandLine(r.recommended().setting()));
    }

    @Test
    void thinAcksRemoveTheQueueFullCheckpointsOfAnUploadWithALaggingSecondary() throws Exception {
        Path dir = UploadPair.write(tmp);
        TuneReport r = new TuneSweep(List.of(new TuneSweep.Pair("upload", dir.resolve("pvm.pcap"), dir.resolve("svm.pcap"))),
                TuneSweep.DEFAULT_MAX_HOLD_P99).run();
        long worstWithThin = 0;
        long fewestWithout = Long.MAX_VALUE;
        for (TuneOutcome o : r.outcomes()) {
            long queueFull = o.checkpointsByReason().get(CheckpointReason.QUEUE_FULL);
            if (o.setting().thinAcksAfter() == 0) {
                assertTrue(queueFull > 0, "without thin ACKs 5000 held ACKs overflow every queue limit: " + o);
                fewestWithout = Math.min(fewestWithout, o.checkpoints());
            } else {
                worstWithThin = Math.max(worstWithThin, queueFull);
            }
        }
        assertEquals(0, worstWithThin, "thin ACKs: no queue-full checkpoint whatever the other settings");
        assertNotNull(r.recommended(), r.why());
        assertTrue(r.recommended().setting().thinAcksAfter() > 0);
        assertEquals(0, r.recommended().checkpointsByReason().get(CheckpointReason.QUEUE_FULL));
        assertTrue(r.recommended().checkpoints() < fewestWithout);
        assertTrue(r.recommended().holdP99Nanos() >= UploadPair.LAG / 2, "the ACKs wait for the lagging secondary's");
        assertTrue(r.recommended().holdP99Nanos() <= TuneSweep.DEFAULT_MAX_HOLD_P99);
        assertTrue(r.realDifferences().isEmpty() && r.candidateRules().isEmpty());
        // peak held: with thin ACKs a held bare ACK is replaced, so far fewer than the 5000 of the lag wait at once
        assertTrue(r.recommended().peakHeld() < 1000, "peak held " + r.recommended().peakHeld());
    }

    @Test
    void aTightHoldBoundRulesOutEverySettingAndSaysSo() throws Exception {
        Path dir = UploadPair.write(tmp);
        TuneReport r = new TuneSweep(List.of(new TuneSweep.Pair("upload", dir.resolve("pvm.pcap"), dir.resolve("svm.pcap"))),
                100_000L).run();
        assertEquals(null, r.recommended());
        assertTrue(r.why().startsWith("no setting of the grid keeps hold p99 within 100 us"), r.why());
        assertTrue(text(r).contains("No recommendation:"));
    }

    @Test
    void theReportIsTheSameOnEveryRunWhateverTheThreads() throws Exception {
        List<TuneSweep.Pair> pairs = List.of(bundled("http-date"), bundled("http-one-byte"), bundled("redis-two-clients"));
        String one = text(new TuneSweep(pairs, TuneSweep.DEFAULT_MAX_HOLD_P99).threads(1).run());
        String four = text(new TuneSweep(pairs, TuneSweep.DEFAULT_MAX_HOLD_P99).threads(4).run());
        assertEquals(one, four);
        assertTrue(one.contains("Recommended:"), one);
    }

    static final String HEAD = "HTTP/1.1 200 OK\r\nServer: guest\r\n";

    @Test
    void aDifferingHeaderLineOffersItsHeaderRuleAndReplayKeepsIt() throws Exception {
        TuneSweep.Pair p = HttpPair.write(tmp, "request-id", HEAD + "X-Request-Id: 1111\r\nContent-Length: 2\r\n\r\nok",
                HEAD + "X-Request-Id: 2222\r\nContent-Length: 2\r\n\r\nok");
        TuneReport r = new TuneSweep(List.of(p), TuneSweep.DEFAULT_MAX_HOLD_P99).run();
        assertEquals(List.of("header:X-Request-Id"), r.candidateRules());
        assertEquals(List.of("header:X-Request-Id"), r.recommended().setting().rules());
        assertEquals(0, r.recommended().checkpoints());
        assertTrue(r.realDifferences().isEmpty(), r.realDifferences().toString());
        assertTrue(r.why().startsWith("header:X-Request-Id removes 1 MISMATCH checkpoint on request-id"), r.why());
    }

    @Test
    void noRuleWhenTheBytesOutsideTheLineDifferToo() throws Exception {
        TuneSweep.Pair p = HttpPair.write(tmp, "body-too", HEAD + "X-Request-Id: 1111\r\nContent-Length: 2\r\n\r\nok",
                HEAD + "X-Request-Id: 2222\r\nContent-Length: 2\r\n\r\nno");
        TuneReport r = new TuneSweep(List.of(p), TuneSweep.DEFAULT_MAX_HOLD_P99).run();
        assertTrue(r.candidateRules().isEmpty(), r.candidateRules().toString());
        assertTrue(r.recommended().setting().rules().isEmpty());
        assertEquals(1, r.realDifferences().size());
        int at = HEAD.length() + "X-Request-Id: ".length();
        assertTrue(r.realDifferences().get(0).startsWith("real difference: payload byte " + at + " of connection TCP"),
                r.realDifferences().get(0));
    }

    @Test
    void noRuleForADifferenceInTheHeaderNameOrOutsideAHeaderLine() throws Exception {
        TuneSweep.Pair name = HttpPair.write(tmp, "name", HEAD + "X-A: 1\r\n\r\n", HEAD + "X-B: 1\r\n\r\n");
        TuneSweep.Pair status = HttpPair.write(tmp, "status", "HTTP/1.1 200 OK\r\nX: 1\r\n\r\n", "HTTP/1.1 201 OK\r\nX: 1\r\n\r\n");
        TuneSweep.Pair noCrlf = HttpPair.write(tmp, "unterminated", HEAD + "X-Request-Id: 1111", HEAD + "X-Request-Id: 2222");
        TuneReport r = new TuneSweep(List.of(name, status, noCrlf), TuneSweep.DEFAULT_MAX_HOLD_P99).run();
        assertTrue(r.candidateRules().isEmpty(), r.candidateRules().toString());
        assertEquals(3, r.realDifferences().size(), r.realDifferences().toString());
        assertTrue(r.realDifferences().get(0).contains("in pair name"));
        assertTrue(r.realDifferences().get(1).startsWith("real difference: payload byte 11 of connection"), r.realDifferences().get(1));
    }

    @Test
    void aCandidateThatWouldAlsoExcuseADivergenceItWasNotFoundForIsDropped() throws Exception {
        // pair a: only the header differs (a candidate); pair b: the same header and the body differ (real). With the
        // rule, b's first divergence (in the header line) goes too: the rule excuses more than it was found for.
        TuneSweep.Pair a = HttpPair.write(tmp, "a", HEAD + "X-Request-Id: 1111\r\n\r\nok", HEAD + "X-Request-Id: 2222\r\n\r\nok");
        TuneSweep.Pair b = HttpPair.write(tmp, "b", HEAD + "X-Request-Id: 1111\r\n\r\nok", HEAD + "X-Request-Id: 2222\r\n\r\nno");
        TuneReport r = new TuneSweep(List.of(a, b), TuneSweep.DEFAULT_MAX_HOLD_P99).run();
        assertTrue(r.candidateRules().isEmpty(), r.candidateRules().toString());
        assertTrue(r.recommended().setting().rules().isEmpty());
        assertEquals(2, r.realDifferences().size(), r.realDifferences().toString());
        assertTrue(r.realDifferences().get(0).contains("in pair b"), r.realDifferences().get(0));
        assertTrue(r.realDifferences().get(1).contains("in pair a")
                && r.realDifferences().get(1).contains("header:X-Request-Id would excuse the line, but replaying with it also removed"),
                r.realDifferences().get(1));
        assertEquals(4 * 3 * 3 * 3, r.outcomes().size(), "no rule set but none");
    }
}
