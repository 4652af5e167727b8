package dev.colo.cli.control;

import dev.colo.checkpoint.CheckpointConfig;
import dev.colo.cli.replay.DurationConverter;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.rules.IgnoreRule;
import dev.colo.compare.rules.RuleSet;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The thresholds and rules `colo set` changes at run time. Comparator values are changed on the comparator's
 * own thread ({@link CompareConfig#submitLiveChange}: at its next tick, on the node's loop or, with
 * --compare-thread, through the Disruptor ring), validated there exactly as the command line's options are
 * ({@link CompareConfig#validate()} on a copy first: an invalid value changes nothing). Checkpoint intervals
 * go to the coordinator's configuration, whose fields are volatile and read at each use.
 */
public final class LiveSettings {
    /** Every key `colo set` knows, in the order `colo status` shows them. */
    public static final List<String> KEYS = List.of("compare-timeout", "scan-interval", "max-queued-packets", "max-queued-bytes",
            "thin-acks-after", "min-checkpoint-interval", "checkpoint-interval", "ignore+", "ignore-");
    /** How long a change may wait for the comparator's next tick. */
    static final long APPLY_DEADLINE_MILLIS = 5000;

    private final CompareConfig compare;
    private final CheckpointConfig checkpoint;
    private final PrintWriter log;
    private final Consumer<Long> scanIntervalChanged;
    /** What the comparator runs with, as shown by `colo status` (replaced on the comparator's thread). */
    private volatile Map<String, String> current;

    /**
     * @param compare the configuration the running comparator holds (null: this node has none)
     * @param checkpoint the primary coordinator's configuration (null: no coordinator schedules checkpoints here)
     * @param scanIntervalChanged told the new scan interval (nanoseconds) once it is in force, on the comparator's thread
     */
    public LiveSettings(CompareConfig compare, CheckpointConfig checkpoint, PrintWriter log, Consumer<Long> scanIntervalChanged) {
        this.compare = compare;
        this.checkpoint = checkpoint;
        this.log = log;
        this.scanIntervalChanged = scanIntervalChanged;
        this.current = compare != null ? snapshot(compare) : Map.of();
    }

    /** Current thresholds and rules: key to value, with units. */
    public Map<String, String> current() {
        Map<String, String> m = new LinkedHashMap<>(current);
        if (checkpoint != null) {
            m.put("checkpoint-interval", ms(checkpoint.periodicInterval().toNanos()) + (checkpoint.periodicInterval().isZero() ? " (off)" : ""));
            m.put("coordinator-min-interval", ms(checkpoint.minInterval().toNanos()));
        }
        return m;
    }

    private static Map<String, String> snapshot(CompareConfig c) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("compare-timeout", ms(c.compareTimeoutNanos()));
        m.put("scan-interval", ms(c.scanIntervalNanos()));
        m.put("max-queued-packets", Integer.toString(c.maxQueuedPackets()));
        m.put("max-queued-bytes", Long.toString(c.maxQueuedBytes()));
        m.put("thin-acks-after", Integer.toString(c.thinAcksAfter()));
        m.put("min-checkpoint-interval", ms(c.minCheckpointIntervalNanos()));
        m.put("tcp-options", c.rules().ignoreTcpOptions() ? "ignored" : "compared");
        List<String> names = new ArrayList<>();
        for (IgnoreRule r : c.rules().lineRules()) {
            names.add(r.name());
        }
        m.put("ignore", String.join(",", names));
        return m;
    }

    static String ms(long nanos) {
        return nanos % 1_000_000 == 0 ? nanos / 1_000_000 + " ms" : String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
    }

    /** Applies {@code key value}; the reply says what changed or why nothing did. Any thread (a control worker). */
    public Reply set(String key, String value) {
        String k = key.toLowerCase(Locale.ROOT);
        if (!KEYS.contains(k)) {
            return Reply.error("unknown key '" + key + "'; keys: " + String.join(", ", KEYS));
        }
        if (k.equals("checkpoint-interval")) {
            return setPeriodic(value);
        }
        if (compare == null) {
            return Reply.error(k + ": this node has no comparator (set it on the primary or on colo compare)");
        }
        Change change;
        try {
            change = parse(k, value);
        } catch (IllegalArgumentException e) {
            return Reply.error(k + ": " + e.getMessage());
        }
        return applyOnComparator(k, change);
    }

    /** A change to a copy (validated) and then to the real configuration: both on the comparator's thread. */
    @FunctionalInterface
    private interface Change {
        /** Changes {@code c}; returns what it did, for the log ("compare-timeout 3000 ms -> 500 ms"). */
        String apply(CompareConfig c);
    }

    /** A plain change of one setting: "KEY before -> after", each value shown by {@code show}. */
    private static <T> Change set(String key, T value, java.util.function.Function<CompareConfig, T> get,
            java.util.function.BiConsumer<CompareConfig, T> put, java.util.function.Function<T, String> show) {
        return c -> {
            String before = show.apply(get.apply(c));
            put.accept(c, value);
            return key + " " + before + " -> " + show.apply(value);
        };
    }

    private Change parse(String key, String value) {
        switch (key) {
            case "compare-timeout": {
                long v = duration(value);
                return c -> {
                    String before = ms(c.compareTimeoutNanos());
                    String also = "";
                    if (v > 0 && v < c.scanIntervalNanos()) { // as --compare-timeout without --scan-interval does
                        also = "; scan-interval " + ms(c.scanIntervalNanos()) + " -> " + ms(v);
                        c.scanIntervalNanos(v);
                    }
                    c.compareTimeoutNanos(v);
                    return "compare-timeout " + before + " -> " + ms(v) + also;
                };
            }
            case "scan-interval":
                return set(key, duration(value), CompareConfig::scanIntervalNanos, CompareConfig::scanIntervalNanos, LiveSettings::ms);
            case "min-checkpoint-interval": {
                long v = duration(value);
                return c -> {
                    String before = ms(c.minCheckpointIntervalNanos());
                    c.minCheckpointIntervalNanos(v);
                    if (checkpoint != null && c == compare) {
                        checkpoint.minInterval(Duration.ofNanos(v)); // the coordinator's coalescing too
                    }
                    return "min-checkpoint-interval " + before + " -> " + ms(v);
                };
            }
            case "max-queued-packets":
                return set(key, integer(value), CompareConfig::maxQueuedPackets, CompareConfig::maxQueuedPackets, String::valueOf);
            case "thin-acks-after":
                return set(key, integer(value), CompareConfig::thinAcksAfter, CompareConfig::thinAcksAfter, String::valueOf);
            case "max-queued-bytes":
                return set(key, longValue(value), CompareConfig::maxQueuedBytes, CompareConfig::maxQueuedBytes, String::valueOf);
            case "ignore+": {
                IgnoreRule rule = IgnoreRule.parse(value);
                return c -> {
                    List<IgnoreRule> rules = new ArrayList<>(c.rules().lineRules());
                    for (IgnoreRule r : rules) {
                        if (r.name().equalsIgnoreCase(rule.name())) {
                            throw new IllegalArgumentException("rule " + rule.name() + " is already in force");
                        }
                    }
                    rules.add(rule);
                    c.rules(new RuleSet(c.rules().ignoreTcpOptions(), rules));
                    return "ignore rule " + rule.name() + " added";
                };
            }
            case "ignore-": {
                String name = value.trim();
                return c -> {
                    List<IgnoreRule> rules = new ArrayList<>(c.rules().lineRules());
                    if (!rules.removeIf(r -> r.name().equalsIgnoreCase(name))) {
                        throw new IllegalArgumentException("no rule '" + name + "' in force (rules: " + snapshot(c).get("ignore") + ")");
                    }
                    c.rules(new RuleSet(c.rules().ignoreTcpOptions(), rules));
                    return "ignore rule " + name + " removed";
                };
            }
            default:
                throw new IllegalArgumentException("unknown key");
        }
    }

    private Reply applyOnComparator(String key, Change change) {
        CompletableFuture<Reply> done = new CompletableFuture<>();
        AtomicBoolean claimed = new AtomicBoolean();
        compare.submitLiveChange(() -> {
            if (!claimed.compareAndSet(false, true)) {
                return; // the requester gave up waiting: not applied, as it was told
            }
            try {
                long scanBefore = compare.scanIntervalNanos();
                CompareConfig trial = compare.copy();
                change.apply(trial);
                trial.validate(); // the command line's checks: an invalid value changes nothing
                String what = change.apply(compare);
                current = snapshot(compare);
                log.println(what + " (control socket)");
                log.flush();
                if (compare.scanIntervalNanos() != scanBefore && scanIntervalChanged != null) {
                    scanIntervalChanged.accept(compare.scanIntervalNanos());
                }
                done.complete(Reply.ok(what));
            } catch (IllegalArgumentException e) {
                done.complete(Reply.error(key + ": " + e.getMessage() + " (nothing changed)"));
            } catch (RuntimeException e) {
                done.complete(Reply.error(key + ": " + e));
            }
        });
        try {
            return done.get(APPLY_DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            if (claimed.compareAndSet(false, true)) {
                return Reply.error(key + ": the comparator did not take the change within " + APPLY_DEADLINE_MILLIS + " ms (nothing changed)");
            }
            return join(done);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            claimed.set(true);
            return Reply.error("interrupted");
        } catch (ExecutionException e) {
            return Reply.error(key + ": " + e.getCause());
        }
    }

    private static Reply join(CompletableFuture<Reply> done) {
        try {
            return done.get(APPLY_DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return Reply.error("the change was taken but its result did not come: " + e);
        }
    }

    private Reply setPeriodic(String value) {
        if (checkpoint == null) {
            return Reply.error("checkpoint-interval: only the primary schedules checkpoints");
        }
        long v;
        try {
            v = duration(value);
        } catch (IllegalArgumentException e) {
            return Reply.error("checkpoint-interval: " + e.getMessage());
        }
        if (v < 0) {
            return Reply.error("checkpoint-interval: intervals must not be negative (0: off)");
        }
        synchronized (checkpoint) {
            String before = ms(checkpoint.periodicInterval().toNanos());
            checkpoint.periodicInterval(Duration.ofNanos(v));
            String what = "checkpoint-interval " + before + " -> " + ms(v) + (v == 0 ? " (off)" : "")
                    + " (from the next checkpoint on)";
            log.println(what + " (control socket)");
            log.flush();
            return Reply.ok(what);
        }
    }

    private static long duration(String value) {
        try {
            return DurationConverter.parseNanos(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage() != null ? e.getMessage() : "'" + value + "' is not a duration");
        }
    }

    private static int integer(String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a whole number");
        }
    }

    private static long longValue(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a whole number");
        }
    }
}
