package dev.colo.cli.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.colo.cli.control.ControlClient;
import dev.colo.cli.control.Reply;
import dev.colo.compare.rules.IgnoreRule;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * {@code colo tune --apply}: sets the recommended setting on a running node (the primary or {@code colo compare})
 * through its control socket. It reads the node's thresholds first ({@code status json}) and sends a
 * {@code set KEY VALUE} only for what differs: compare-timeout, thin-acks-after, min-checkpoint-interval,
 * max-queued-packets, then {@code ignore+ RULE} for each rule not yet in force (rules the node has beyond the
 * recommendation are kept, and said so). Each change is printed as the node reports it
 * ("compare-timeout 3000 ms -> 300 ms").
 *
 * <p>The node validates every value as its command line would. If it refuses one, the changes already made by
 * this run are set back (in reverse order) so the node is left as it was, and the refusal is printed with the
 * node's reason.
 *
 * <p>Exit codes: 0 everything applied (or nothing differed), 1 a value refused (or nothing to apply), 3 no node
 * at the socket, or no answer in time.
 */
public final class TuneApply {
    public static final int APPLIED = 0;
    public static final int REFUSED = 1;
    public static final int NO_ANSWER = 3;
    static final Duration STATUS_DEADLINE = Duration.ofSeconds(10);
    static final Duration SET_DEADLINE = Duration.ofSeconds(15);

    private TuneApply() {
    }

    /** One {@code set}: what to send, and what sets it back. */
    private record Step(String key, String value, List<String[]> undo) {
    }

    public static int apply(TuneReport report, Path socket, PrintWriter out) {
        try {
            return run(report, socket, out);
        } finally {
            out.flush();
        }
    }

    private static int run(TuneReport report, Path socket, PrintWriter out) {
        TuneOutcome rec = report.recommended();
        if (rec == null) {
            out.println("colo tune --apply: nothing to apply: the sweep recommended no setting"
                    + (report.why() == null || report.why().isBlank() ? "" : " (" + report.why().strip() + ")"));
            return REFUSED;
        }
        TuneSetting want = rec.setting();
        Reply status;
        try {
            status = ControlClient.call(socket, "status json", STATUS_DEADLINE);
        } catch (IOException e) {
            out.println("colo tune --apply: " + e.getMessage());
            return NO_ANSWER;
        }
        if (!status.ok() || status.body().isEmpty()) {
            out.println("colo tune --apply: the node at " + socket + " gave no status: " + status.text());
            return REFUSED;
        }
        JsonNode thresholds;
        String node;
        try {
            JsonNode root = new ObjectMapper().readTree(status.body().get(0));
            node = root.path("node").asText("node");
            thresholds = root.get("thresholds");
        } catch (IOException e) {
            out.println("colo tune --apply: the status of " + socket + " is not the JSON expected: " + e.getMessage());
            return REFUSED;
        }
        if (thresholds == null || !thresholds.has("compare-timeout")) {
            out.println("colo tune --apply: colo " + node + " at " + socket
                    + " has no comparator settings (apply to the primary or to colo compare)");
            return REFUSED;
        }

        List<Step> steps = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        long curTimeout;
        long curMinInterval;
        long curScan;
        int curThin;
        int curQueued;
        try {
            curTimeout = nanos(thresholds, "compare-timeout");
            curScan = nanos(thresholds, "scan-interval");
            curMinInterval = nanos(thresholds, "min-checkpoint-interval");
            curThin = Integer.parseInt(text(thresholds, "thin-acks-after"));
            curQueued = Integer.parseInt(text(thresholds, "max-queued-packets"));
        } catch (RuntimeException e) {
            out.println("colo tune --apply: cannot read the thresholds of colo " + node + " at " + socket + ": " + e.getMessage());
            return REFUSED;
        }
        if (curTimeout != want.compareTimeoutNanos()) {
            List<String[]> undo = new ArrayList<>();
            undo.add(new String[] {"compare-timeout", TuneConfigWriter.duration(curTimeout)});
            if (want.compareTimeoutNanos() < curScan) { // the node lowers the scan interval with it: set it back too
                undo.add(new String[] {"scan-interval", TuneConfigWriter.duration(curScan)});
            }
            steps.add(new Step("compare-timeout", TuneConfigWriter.duration(want.compareTimeoutNanos()), undo));
        } else {
            unchanged.add("compare-timeout " + TuneConfigWriter.millis(curTimeout));
        }
        if (curThin != want.thinAcksAfter()) {
            steps.add(new Step("thin-acks-after", Integer.toString(want.thinAcksAfter()),
                    List.<String[]>of(new String[] {"thin-acks-after", Integer.toString(curThin)})));
        } else {
            unchanged.add("thin-acks-after " + curThin);
        }
        if (curMinInterval != want.minCheckpointIntervalNanos()) {
            steps.add(new Step("min-checkpoint-interval", TuneConfigWriter.duration(want.minCheckpointIntervalNanos()),
                    List.<String[]>of(new String[] {"min-checkpoint-interval", TuneConfigWriter.duration(curMinInterval)})));
        } else {
            unchanged.add("min-checkpoint-interval " + TuneConfigWriter.millis(curMinInterval));
        }
        if (curQueued != want.maxQueuedPackets()) {
            steps.add(new Step("max-queued-packets", Integer.toString(want.maxQueuedPackets()),
                    List.<String[]>of(new String[] {"max-queued-packets", Integer.toString(curQueued)})));
        } else {
            unchanged.add("max-queued-packets " + curQueued);
        }
        String inForce = "," + text(thresholds, "ignore").toLowerCase(Locale.ROOT) + ",";
        List<String> wantedNames = new ArrayList<>();
        for (String rule : new LinkedHashSet<>(want.rules())) {
            String name = ruleName(rule);
            wantedNames.add(name.toLowerCase(Locale.ROOT));
            if (inForce.contains("," + name.toLowerCase(Locale.ROOT) + ",")) {
                unchanged.add("ignore rule " + name);
            } else {
                steps.add(new Step("ignore+", rule, List.<String[]>of(new String[] {"ignore-", name})));
            }
        }
        List<String> extra = new ArrayList<>();
        String ignoreNow = text(thresholds, "ignore");
        if (!ignoreNow.isEmpty()) {
            for (String r : ignoreNow.split(",")) {
                if (!wantedNames.contains(r.toLowerCase(Locale.ROOT))) {
                    extra.add(r);
                }
            }
        }

        out.println("colo tune --apply: colo " + node + " at " + socket + ": " + (steps.isEmpty() ? "nothing differs"
                : steps.size() + " change(s)"));
        List<Step> done = new ArrayList<>();
        for (Step step : steps) {
            Reply r;
            try {
                r = ControlClient.call(socket, "set " + step.key() + " " + step.value(), SET_DEADLINE);
            } catch (IOException e) {
                out.println("colo tune --apply: set " + step.key() + " " + step.value() + ": " + e.getMessage());
                out.println("  whether it was applied is unknown; applied before it: " + (done.isEmpty() ? "nothing"
                        : String.join(", ", done.stream().map(d -> d.key() + " " + d.value()).toList())));
                return NO_ANSWER;
            }
            if (!r.ok()) {
                out.println("colo tune --apply: " + step.key() + " " + step.value() + " refused by colo " + node + ": " + r.text());
                return undo(socket, done, out);
            }
            out.println("  " + (r.text().isEmpty() ? step.key() + " " + step.value() : r.text()));
            done.add(step);
        }
        for (String u : unchanged) {
            out.println("  " + u + " (unchanged)");
        }
        for (String e : extra) {
            out.println("  ignore rule " + e + " kept (in force on the node, not in the recommendation; colo set ignore- " + e
                    + " removes it)");
        }
        return APPLIED;
    }

    /** Sets back what this run changed, latest first; the node is then as before, or the output says what is not. */
    private static int undo(Path socket, List<Step> done, PrintWriter out) {
        if (done.isEmpty()) {
            out.println("  nothing was changed");
            return REFUSED;
        }
        List<String> failed = new ArrayList<>();
        for (int i = done.size() - 1; i >= 0; i--) {
            for (String[] kv : done.get(i).undo()) {
                try {
                    Reply r = ControlClient.call(socket, "set " + kv[0] + " " + kv[1], SET_DEADLINE);
                    if (r.ok()) {
                        out.println("  undone: " + r.text());
                    } else {
                        failed.add(kv[0] + " " + kv[1] + " (" + r.text() + ")");
                    }
                } catch (IOException e) {
                    failed.add(kv[0] + " " + kv[1] + " (" + e.getMessage() + ")");
                }
            }
        }
        if (failed.isEmpty()) {
            out.println("  the node is back to its settings before this run: nothing changed");
        } else {
            out.println("  could not set back: " + String.join("; ", failed) + " (see colo status)");
        }
        return REFUSED;
    }

    /** The name the node lists a rule under (that of {@link IgnoreRule#parse}); the text itself if it does not parse. */
    private static String ruleName(String rule) {
        try {
            return IgnoreRule.parse(rule).name();
        } catch (IllegalArgumentException e) {
            return rule.trim(); // the node refuses it, with its reason
        }
    }

    private static String text(JsonNode thresholds, String key) {
        JsonNode v = thresholds.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no '" + key + "' in the status");
        }
        return v.asText().trim();
    }

    /** "3000 ms", "0.250 ms" (as colo status shows durations) in nanoseconds. */
    static long nanos(JsonNode thresholds, String key) {
        String v = text(thresholds, key);
        if (!v.endsWith("ms")) {
            throw new IllegalArgumentException(key + ": '" + v + "' is not in milliseconds");
        }
        try {
            return Math.round(Double.parseDouble(v.substring(0, v.length() - 2).trim()) * 1e6);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + v + "' is not a number of milliseconds");
        }
    }
}
