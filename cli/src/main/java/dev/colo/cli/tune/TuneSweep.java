package dev.colo.cli.tune;

import dev.colo.cli.replay.Progress;
import dev.colo.cli.replay.ReplayEngine;
import dev.colo.cli.replay.ReplayResult;
import dev.colo.compare.CheckpointModel;
import dev.colo.compare.CheckpointReason;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.CompareStats;
import dev.colo.compare.Divergence;
import dev.colo.compare.HoldTimeHistogram;
import dev.colo.compare.rules.IgnoreRule;
import dev.colo.compare.rules.RuleSet;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The engine of {@code colo tune}: replays every pair in virtual time (deterministic) over a grid of comparator
 * settings times candidate rule sets, and recommends the setting with the fewest checkpoints whose hold p99 stays
 * within the bound and that hides no divergence except through a named candidate rule.
 *
 * <ol>
 *   <li>Baseline: every pair at the defaults, no rules. Each MISMATCH divergence is either inside one header line
 *       ({@link RuleFinder}: a candidate rule) or a real difference.</li>
 *   <li>Each candidate is verified by replaying every pair with it: kept only if it removes divergences, only
 *       divergences it was found for, and brings none new.</li>
 *   <li>The sweep: compare timeout x thin-acks-after x min checkpoint interval x max queued packets x rule sets
 *       (none, each candidate, all of them), each (setting, pair) an independent single-threaded replay
 *       ({@link ReplayEngine.Mode#DIRECT}) on a fixed pool of one thread per core, results collected in grid order:
 *       the same report whatever the interleaving.</li>
 * </ol>
 */
public final class TuneSweep {
    public static final List<Long> COMPARE_TIMEOUTS = List.of(ms(100), ms(300), ms(1000), ms(3000));
    public static final List<Integer> THIN_ACKS_AFTER = List.of(0, 16, 64);
    public static final List<Long> MIN_CHECKPOINT_INTERVALS = List.of(0L, ms(20), ms(100));
    public static final List<Integer> MAX_QUEUED_PACKETS = List.of(256, 1024, 4096);
    public static final long DEFAULT_MAX_HOLD_P99 = ms(10);
    /** Divergences of the baseline looked at for rules (more are counted, not analysed). */
    static final int KEEP_DIVERGENCES = 100_000;

    /** One capture pair: a name for the report and the two output captures. */
    public record Pair(String name, Path primary, Path secondary) {
    }

    /** A pair that could not be replayed whole: exit 3. */
    public static final class InputException extends IOException {
        public InputException(String message) {
            super(message);
        }
    }

    private final List<Pair> pairs;
    private final long maxHoldP99Nanos;
    private int threads = Runtime.getRuntime().availableProcessors();
    private PrintStream progressTo;

    public TuneSweep(List<Pair> pairs, long maxHoldP99Nanos) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no capture pair to tune on");
        }
        if (maxHoldP99Nanos <= 0) {
            throw new IllegalArgumentException("--max-hold-p99 must be positive");
        }
        this.pairs = List.copyOf(pairs);
        this.maxHoldP99Nanos = maxHoldP99Nanos;
    }

    /** Replays run on this many threads (default: one per core). The report does not depend on it. */
    public TuneSweep threads(int n) {
        threads = Math.max(1, n);
        return this;
    }

    /** Draws a progress bar on this stream (null: none). */
    public TuneSweep progressTo(PrintStream err) {
        progressTo = err;
        return this;
    }

    /** The default setting: what colo primary runs with when given no option. */
    public static TuneSetting defaults() {
        return new TuneSetting(CompareConfig.DEFAULT_COMPARE_TIMEOUT_NANOS, CompareConfig.DEFAULT_THIN_ACKS_AFTER,
                CompareConfig.DEFAULT_MIN_CHECKPOINT_INTERVAL_NANOS, CompareConfig.DEFAULT_MAX_QUEUED_PACKETS, List.of());
    }

    /** The comparator configuration of a setting (replay's checkpoint model: the secondary's recording goes on). */
    public static CompareConfig config(TuneSetting s) {
        List<IgnoreRule> rules = new ArrayList<>();
        for (String r : s.rules()) {
            rules.add(IgnoreRule.parse(r));
        }
        CompareConfig c = new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED)
                .compareTimeoutNanos(s.compareTimeoutNanos()).thinAcksAfter(s.thinAcksAfter())
                .minCheckpointIntervalNanos(s.minCheckpointIntervalNanos()).maxQueuedPackets(s.maxQueuedPackets())
                .rules(new RuleSet(true, rules));
        if (s.compareTimeoutNanos() < c.scanIntervalNanos()) {
            c.scanIntervalNanos(s.compareTimeoutNanos()); // as the command line does
        }
        return c.validate();
    }

    /** The options that differ from the defaults, as colo primary takes them: "--compare-timeout 300ms --ignore http-date". */
    public static String options(TuneSetting s) {
        TuneSetting d = defaults();
        StringBuilder sb = new StringBuilder();
        if (s.compareTimeoutNanos() != d.compareTimeoutNanos()) {
            sb.append(" --compare-timeout ").append(option(s.compareTimeoutNanos()));
        }
        if (s.thinAcksAfter() != d.thinAcksAfter()) {
            sb.append(" --thin-acks-after ").append(s.thinAcksAfter());
        }
        if (s.minCheckpointIntervalNanos() != d.minCheckpointIntervalNanos()) {
            sb.append(" --min-checkpoint-interval ").append(option(s.minCheckpointIntervalNanos()));
        }
        if (s.maxQueuedPackets() != d.maxQueuedPackets()) {
            sb.append(" --max-queued-packets ").append(s.maxQueuedPackets());
        }
        for (String r : s.rules()) {
            sb.append(" --ignore ").append(r);
        }
        return sb.toString().trim();
    }

    /** The command line that applies a setting to a primary. */
    public static String commandLine(TuneSetting s) {
        String o = options(s);
        return "colo primary ..." + (o.isEmpty() ? " (the defaults: no option to add)" : " " + o);
    }

    /** The whole sweep. */
    public TuneReport run() throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "colo-tune");
            t.setDaemon(true);
            return t;
        });
        try {
            return run(pool);
        } finally {
            pool.shutdownNow();
        }
    }

    private TuneReport run(ExecutorService pool) throws IOException {
        // 1. baseline and candidates
        List<ReplayResult> baseline = replayAll(pool, List.of(defaults()), KEEP_DIVERGENCES, null).get(0);
        for (int i = 0; i < pairs.size(); i++) {
            List<String> errors = baseline.get(i).inputErrors();
            if (!errors.isEmpty()) {
                throw new InputException("pair " + pairs.get(i).name() + ": " + String.join("; ", errors));
            }
        }
        Map<String, Set<String>> foundFor = new LinkedHashMap<>(); // candidate -> keys of the divergences it may excuse
        Map<String, List<String>> unexplained = new LinkedHashMap<>(); // candidate -> its divergences as real differences
        List<String> real = new ArrayList<>();
        long baselineMismatches = 0;
        for (int i = 0; i < pairs.size(); i++) {
            ReplayResult r = baseline.get(i);
            baselineMismatches += r.stats().divergences(CheckpointReason.MISMATCH);
            for (Divergence d : r.divergences()) {
                if (d.reason() != CheckpointReason.MISMATCH) {
                    continue;
                }
                String rule = RuleFinder.candidate(d);
                if (rule == null) {
                    real.add(RuleFinder.realDifference(pairs.get(i).name(), d));
                } else {
                    foundFor.computeIfAbsent(rule, k -> new LinkedHashSet<>()).add(key(i, d));
                    unexplained.computeIfAbsent(rule, k -> new ArrayList<>()).add(RuleFinder.realDifference(pairs.get(i).name(), d));
                }
            }
        }
        // 2. verify each candidate at the defaults
        List<String> candidates = new ArrayList<>(foundFor.keySet());
        List<TuneSetting> verifySettings = new ArrayList<>();
        for (String c : candidates) {
            verifySettings.add(withRules(defaults(), List.of(c)));
        }
        List<List<ReplayResult>> verified = replayAll(pool, verifySettings, KEEP_DIVERGENCES, null);
        Map<String, Long> removes = new HashMap<>();
        List<String> kept = new ArrayList<>();
        Map<String, Integer> baseKeys = keys(baseline);
        for (int c = 0; c < candidates.size(); c++) {
            String rule = candidates.get(c);
            Map<String, Integer> after = keys(verified.get(c));
            String problem = verify(rule, baseKeys, after, foundFor.get(rule), verified.get(c));
            if (problem == null) {
                kept.add(rule);
                long m = 0;
                for (ReplayResult r : verified.get(c)) {
                    m += r.stats().divergences(CheckpointReason.MISMATCH);
                }
                removes.put(rule, baselineMismatches - m);
            } else {
                for (String u : unexplained.get(rule)) {
                    real.add(u + "\n  (" + rule + " would excuse the line, but replaying with it " + problem + ")");
                }
            }
        }
        // 3. the grid
        List<List<String>> ruleSets = new ArrayList<>();
        ruleSets.add(List.of());
        for (String c : kept) {
            ruleSets.add(List.of(c));
        }
        if (kept.size() > 1) {
            ruleSets.add(List.copyOf(kept));
        }
        List<TuneSetting> grid = new ArrayList<>();
        for (List<String> rules : ruleSets) {
            for (long timeout : COMPARE_TIMEOUTS) {
                for (int thin : THIN_ACKS_AFTER) {
                    for (long minCp : MIN_CHECKPOINT_INTERVALS) {
                        for (int queue : MAX_QUEUED_PACKETS) {
                            grid.add(new TuneSetting(timeout, thin, minCp, queue, rules));
                        }
                    }
                }
            }
        }
        Progress progress = new Progress(progressTo, (long) grid.size() * pairs.size(), progressTo != null);
        List<List<ReplayResult>> results = replayAll(pool, grid, 0, progress);
        progress.done();
        List<Aggregate> aggregates = new ArrayList<>();
        for (int g = 0; g < grid.size(); g++) {
            aggregates.add(new Aggregate(grid.get(g), results.get(g)));
        }
        // 4. the objective
        Aggregate best = null;
        for (Aggregate a : aggregates) {
            long excusable = 0;
            for (String r : a.setting.rules()) {
                excusable += removes.getOrDefault(r, 0L);
            }
            a.hidesMismatch = a.mismatches + excusable < baselineMismatches;
            a.eligible = a.outcome.holdP99Nanos() <= maxHoldP99Nanos && !a.hidesMismatch;
            if (a.eligible && (best == null || better(a, best))) {
                best = a;
            }
        }
        Aggregate base = find(aggregates, defaults());
        String why = best == null
                ? "no setting of the grid keeps hold p99 within " + duration(maxHoldP99Nanos) + " without hiding a divergence"
                        + " (the defaults: hold p99 " + duration(base.outcome.holdP99Nanos()) + ")"
                : why(best, base, aggregates);
        List<TuneOutcome> outcomes = new ArrayList<>();
        for (Aggregate a : aggregates) {
            outcomes.add(a.outcome);
        }
        return new TuneReport(outcomes, best == null ? null : best.outcome, why, kept, real, maxHoldP99Nanos);
    }

    /** Null if the rule is kept, else what went wrong ("removed no divergence", ...). */
    private static String verify(String rule, Map<String, Integer> before, Map<String, Integer> after, Set<String> foundFor,
            List<ReplayResult> results) {
        long fired = 0;
        for (ReplayResult r : results) {
            fired += r.rulesFired().getOrDefault(rule, 0L);
        }
        int removed = 0;
        for (Map.Entry<String, Integer> e : before.entrySet()) {
            int gone = e.getValue() - after.getOrDefault(e.getKey(), 0);
            if (gone > 0) {
                if (!foundFor.contains(e.getKey())) {
                    return "also removed a divergence it was not found for (" + e.getKey() + ")";
                }
                removed += gone;
            }
        }
        for (Map.Entry<String, Integer> e : after.entrySet()) {
            if (e.getValue() > before.getOrDefault(e.getKey(), 0)) {
                return "brought a divergence the baseline did not have (" + e.getKey() + ")";
            }
        }
        if (removed == 0 || fired == 0) {
            return "removed no divergence";
        }
        return null;
    }

    private static String key(int pair, Divergence d) {
        return "pair " + pair + " " + d.reason() + " " + d.side() + " " + d.flow() + " @" + d.streamOffset();
    }

    private static Map<String, Integer> keys(List<ReplayResult> results) {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < results.size(); i++) {
            for (Divergence d : results.get(i).divergences()) {
                m.merge(key(i, d), 1, Integer::sum);
            }
        }
        return m;
    }

    private static TuneSetting withRules(TuneSetting s, List<String> rules) {
        return new TuneSetting(s.compareTimeoutNanos(), s.thinAcksAfter(), s.minCheckpointIntervalNanos(), s.maxQueuedPackets(), rules);
    }

    /** Every (setting, pair) replayed on the pool; results[setting][pair], in grid order. */
    private List<List<ReplayResult>> replayAll(ExecutorService pool, List<TuneSetting> settings, int keep, Progress progress)
            throws IOException {
        List<Future<ReplayResult>> futures = new ArrayList<>();
        for (TuneSetting s : settings) {
            CompareConfig template = config(s);
            for (Pair p : pairs) {
                Callable<ReplayResult> task = () -> new ReplayEngine(template.copy()).mode(ReplayEngine.Mode.DIRECT)
                        .keepDivergences(keep).run(p.primary(), p.secondary());
                futures.add(pool.submit(task));
            }
        }
        List<List<ReplayResult>> out = new ArrayList<>();
        long frames = 0;
        int done = 0;
        for (int i = 0; i < settings.size(); i++) {
            List<ReplayResult> row = new ArrayList<>();
            for (int j = 0; j < pairs.size(); j++) {
                ReplayResult r = await(futures.get(i * pairs.size() + j), pairs.get(j));
                row.add(r);
                frames += r.stats().get(CompareStats.FRAMES_PRIMARY) + r.stats().get(CompareStats.FRAMES_SECONDARY);
                if (progress != null) {
                    progress.update(++done, frames);
                }
            }
            out.add(row);
        }
        return out;
    }

    private static ReplayResult await(Future<ReplayResult> f, Pair p) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof java.nio.file.NoSuchFileException n) {
                throw new InputException("pair " + p.name() + ": no such file: " + n.getFile());
            }
            if (c instanceof IOException io) {
                throw new InputException("pair " + p.name() + ": " + io.getMessage());
            }
            if (c instanceof java.io.UncheckedIOException io) {
                throw new InputException("pair " + p.name() + ": " + io.getMessage());
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(c);
        }
    }

    /** One setting summed over every pair. */
    private static final class Aggregate {
        final TuneSetting setting;
        final TuneOutcome outcome;
        final long mismatches;
        /** checkpoints[pair][reason] */
        final long[][] perPair;
        boolean eligible;
        boolean hidesMismatch;

        Aggregate(TuneSetting setting, List<ReplayResult> results) {
            this.setting = setting;
            HoldTimeHistogram hold = new HoldTimeHistogram();
            Map<CheckpointReason, Long> byReason = new EnumMap<>(CheckpointReason.class);
            int peak = 0;
            long total = 0;
            long unexcused = 0;
            long mismatch = 0;
            perPair = new long[results.size()][CheckpointReason.values().length];
            for (int i = 0; i < results.size(); i++) {
                ReplayResult r = results.get(i);
                CompareStats s = r.stats();
                for (CheckpointReason reason : CheckpointReason.values()) {
                    long n = s.checkpoints(reason);
                    byReason.merge(reason, n, Long::sum);
                    perPair[i][reason.ordinal()] = n;
                }
                total += s.totalCheckpoints();
                unexcused += s.totalDivergences();
                mismatch += s.divergences(CheckpointReason.MISMATCH);
                hold.add(r.holdTimes());
                peak = Math.max(peak, r.peakHeld());
            }
            mismatches = mismatch;
            outcome = new TuneOutcome(setting, byReason, total, hold.quantile(0.50), hold.quantile(0.99), peak, unexcused);
        }
    }

    /** Fewer checkpoints; then fewer rules; then the default compare timeout; then fewer other changes; then grid order. */
    private static boolean better(Aggregate a, Aggregate b) {
        if (a.outcome.checkpoints() != b.outcome.checkpoints()) {
            return a.outcome.checkpoints() < b.outcome.checkpoints();
        }
        if (a.setting.rules().size() != b.setting.rules().size()) {
            return a.setting.rules().size() < b.setting.rules().size();
        }
        long d = defaults().compareTimeoutNanos();
        boolean aDefault = a.setting.compareTimeoutNanos() == d;
        boolean bDefault = b.setting.compareTimeoutNanos() == d;
        if (aDefault != bDefault) {
            return aDefault;
        }
        return changes(a.setting) < changes(b.setting); // equal: the earlier in grid order stays
    }

    private static int changes(TuneSetting s) {
        TuneSetting d = defaults();
        return (s.compareTimeoutNanos() != d.compareTimeoutNanos() ? 1 : 0) + (s.thinAcksAfter() != d.thinAcksAfter() ? 1 : 0)
                + (s.minCheckpointIntervalNanos() != d.minCheckpointIntervalNanos() ? 1 : 0)
                + (s.maxQueuedPackets() != d.maxQueuedPackets() ? 1 : 0);
    }

    private static Aggregate find(List<Aggregate> all, TuneSetting s) {
        for (Aggregate a : all) {
            if (a.setting.equals(s)) {
                return a;
            }
        }
        throw new IllegalStateException("setting not in the grid: " + s);
    }

    /** One sentence: what each change from the defaults does alone, and the hold time the recommendation keeps. */
    private String why(Aggregate best, Aggregate base, List<Aggregate> all) {
        TuneSetting d = defaults();
        TuneSetting s = best.setting;
        List<String> parts = new ArrayList<>();
        for (String rule : s.rules()) {
            parts.add(rule + effect(find(all, withRules(d, List.of(rule))), base));
        }
        if (s.thinAcksAfter() != d.thinAcksAfter()) {
            parts.add("thin-acks-after " + s.thinAcksAfter() + effect(find(all,
                    new TuneSetting(d.compareTimeoutNanos(), s.thinAcksAfter(), d.minCheckpointIntervalNanos(), d.maxQueuedPackets(), List.of())), base));
        }
        if (s.minCheckpointIntervalNanos() != d.minCheckpointIntervalNanos()) {
            parts.add("min checkpoint interval " + duration(s.minCheckpointIntervalNanos()) + effect(find(all,
                    new TuneSetting(d.compareTimeoutNanos(), d.thinAcksAfter(), s.minCheckpointIntervalNanos(), d.maxQueuedPackets(), List.of())), base));
        }
        if (s.maxQueuedPackets() != d.maxQueuedPackets()) {
            parts.add("max queued packets " + s.maxQueuedPackets() + effect(find(all,
                    new TuneSetting(d.compareTimeoutNanos(), d.thinAcksAfter(), d.minCheckpointIntervalNanos(), s.maxQueuedPackets(), List.of())), base));
        }
        if (s.compareTimeoutNanos() != d.compareTimeoutNanos()) {
            parts.add("compare timeout " + duration(s.compareTimeoutNanos()) + effect(find(all,
                    new TuneSetting(s.compareTimeoutNanos(), d.thinAcksAfter(), d.minCheckpointIntervalNanos(), d.maxQueuedPackets(), List.of())), base));
        }
        String hold = "hold p99 " + duration(best.outcome.holdP99Nanos()) + " <= " + duration(maxHoldP99Nanos);
        String total = best.outcome.checkpoints() + " checkpoint" + (best.outcome.checkpoints() == 1 ? "" : "s") + " in all";
        if (parts.isEmpty()) {
            return "the defaults: no setting of the grid asks for fewer checkpoints (" + total + ", " + hold + ")";
        }
        String baseHold = base.outcome.holdP99Nanos() > maxHoldP99Nanos
                ? " (the defaults' hold p99 is " + duration(base.outcome.holdP99Nanos()) + ")" : "";
        return String.join("; ", parts) + "; together " + total + " instead of " + base.outcome.checkpoints()
                + " at the defaults, " + hold + baseHold;
    }

    /** " removes 2 MISMATCH checkpoints on http-date" (what the single change does to each reason's count), or " changes no checkpoint count alone". */
    private String effect(Aggregate alone, Aggregate base) {
        List<String> out = new ArrayList<>();
        for (CheckpointReason r : CheckpointReason.values()) {
            long delta = alone.outcome.checkpointsByReason().get(r) - base.outcome.checkpointsByReason().get(r);
            if (delta == 0) {
                continue;
            }
            List<String> on = new ArrayList<>();
            for (int i = 0; i < pairs.size(); i++) {
                if (alone.perPair[i][r.ordinal()] != base.perPair[i][r.ordinal()]) {
                    on.add(pairs.get(i).name());
                }
            }
            long n = Math.abs(delta);
            out.add((delta < 0 ? "removes " : "adds ") + n + " " + r + " checkpoint" + (n == 1 ? "" : "s") + " on " + String.join(", ", on));
        }
        if (alone.outcome.holdP99Nanos() != base.outcome.holdP99Nanos()) {
            out.add("hold p99 " + duration(base.outcome.holdP99Nanos()) + " -> " + duration(alone.outcome.holdP99Nanos()));
        }
        return out.isEmpty() ? " changes nothing alone (it counts with the others)" : " " + String.join(", ", out);
    }

    static long ms(long n) {
        return TimeUnit.MILLISECONDS.toNanos(n);
    }

    /** "300 ms", "3 s", "4.1 ms", "850 us": for the report. */
    public static String duration(long nanos) {
        if (nanos >= 1_000_000_000L) {
            return trim(String.format(Locale.ROOT, "%.2f", nanos / 1e9)) + " s";
        }
        if (nanos >= 1_000_000L) {
            return trim(String.format(Locale.ROOT, "%.1f", nanos / 1e6)) + " ms";
        }
        if (nanos >= 1_000L) {
            return trim(String.format(Locale.ROOT, "%.1f", nanos / 1e3)) + " us";
        }
        return nanos + " ns";
    }

    /** "300ms", "3s", "0": as the command line takes it. */
    public static String option(long nanos) {
        if (nanos == 0) {
            return "0";
        }
        if (nanos % 1_000_000_000L == 0) {
            return nanos / 1_000_000_000L + "s";
        }
        if (nanos % 1_000_000L == 0) {
            return nanos / 1_000_000L + "ms";
        }
        if (nanos % 1_000L == 0) {
            return nanos / 1_000L + "us";
        }
        return nanos + "ns";
    }

    private static String trim(String n) {
        return n.contains(".") ? n.replaceAll("0+$", "").replaceAll("\\.$", "") : n;
    }
}
