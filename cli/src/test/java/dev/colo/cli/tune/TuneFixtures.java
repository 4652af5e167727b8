package dev.colo.cli.tune;

import dev.colo.compare.CheckpointReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Sweep reports built by hand (the sweep itself is tested elsewhere), for the outputs' tests. */
final class TuneFixtures {
    static final long MS = 1_000_000L;
    static final long[] TIMEOUTS_MS = {50, 100, 300, 1000, 3000};

    private TuneFixtures() {
    }

    static TuneOutcome outcome(long timeoutMs, int thin, long minIntervalMs, int queued, List<String> rules, long checkpoints, long holdP99Ms) {
        TuneSetting s = new TuneSetting(timeoutMs * MS, thin, minIntervalMs * MS, queued, rules);
        return new TuneOutcome(s, Map.of(CheckpointReason.TIMEOUT, checkpoints / 2, CheckpointReason.MISMATCH, checkpoints - checkpoints / 2),
                checkpoints, holdP99Ms * MS / 3, holdP99Ms * MS, 12, rules.isEmpty() ? checkpoints : 0);
    }

    /**
     * A full grid: 5 timeouts x thin-acks-after {0, 64} x 2 rule sets (none, http-date + header:Server), min interval
     * 20 ms, 1024 queued. Fewer checkpoints with the rules and with longer timeouts; thin-acks-after 0 costs more.
     * Recommended: 300 ms, thin 64, with the rules.
     */
    static TuneReport grid() {
        List<TuneOutcome> all = new ArrayList<>();
        TuneOutcome rec = null;
        for (List<String> rules : List.of(List.<String>of(), List.of("http-date", "header:Server"))) {
            for (int thin : new int[] {0, 64}) {
                for (long t : TIMEOUTS_MS) {
                    long ck = (rules.isEmpty() ? 40 : 4) + 3000 / t + (thin == 0 ? 7 : 0);
                    TuneOutcome o = outcome(t, thin, 20, 1024, rules, ck, Math.min(t, 400) + (rules.isEmpty() ? 25 : 5));
                    all.add(o);
                    if (!rules.isEmpty() && thin == 64 && t == 300) {
                        rec = o;
                    }
                }
            }
        }
        return new TuneReport(all, rec, "the fewest checkpoints with hold p99 under 500 ms",
                List.of("http-date", "header:Server"),
                List.of("real difference: payload byte 12 of connection 10.0.0.2:80 -> 10.0.0.1:40000\n  0000  41 42 43"),
                500 * MS);
    }
}
