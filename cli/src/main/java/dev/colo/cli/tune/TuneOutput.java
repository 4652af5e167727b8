package dev.colo.cli.tune;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.colo.compare.CheckpointReason;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The report of {@code colo tune} as text (a table, the recommendation and why, the real differences) or JSON. */
public final class TuneOutput {
    private TuneOutput() {
    }

    /** The reasons shown as columns (the others are summed under "other"). */
    private static final List<CheckpointReason> COLUMNS =
            List.of(CheckpointReason.MISMATCH, CheckpointReason.TIMEOUT, CheckpointReason.QUEUE_FULL);

    public static void text(TuneReport r, PrintWriter out) {
        out.println("Settings tried (checkpoints asked, summed over every pair; hold times of released output, virtual time):");
        out.println(String.format(Locale.ROOT, "  %-9s %-6s %-8s %-6s %-22s | %8s %7s %10s %5s %6s | %9s %9s %5s %9s",
                "timeout", "thin", "min-cp", "queue", "rules", "MISMATCH", "TIMEOUT", "QUEUE_FULL", "other", "total",
                "hold p50", "hold p99", "peak", "unexcused"));
        for (TuneOutcome o : r.outcomes()) {
            TuneSetting s = o.setting();
            long other = o.checkpoints();
            for (CheckpointReason c : COLUMNS) {
                other -= o.checkpointsByReason().getOrDefault(c, 0L);
            }
            char mark = o.equals(r.recommended()) ? '*' : o.holdP99Nanos() > r.maxHoldP99Nanos() ? 'x' : ' ';
            out.println(String.format(Locale.ROOT, "%c %-9s %-6d %-8s %-6d %-22s | %8d %7d %10d %5d %6d | %9s %9s %5d %9d",
                    mark, TuneSweep.option(s.compareTimeoutNanos()), s.thinAcksAfter(), TuneSweep.option(s.minCheckpointIntervalNanos()),
                    s.maxQueuedPackets(), s.rules().isEmpty() ? "-" : String.join(",", s.rules()),
                    o.checkpointsByReason().getOrDefault(CheckpointReason.MISMATCH, 0L),
                    o.checkpointsByReason().getOrDefault(CheckpointReason.TIMEOUT, 0L),
                    o.checkpointsByReason().getOrDefault(CheckpointReason.QUEUE_FULL, 0L), other, o.checkpoints(),
                    TuneSweep.duration(o.holdP50Nanos()), TuneSweep.duration(o.holdP99Nanos()), o.peakHeld(), o.unexcusedDivergences()));
        }
        out.println("  (* recommended; x hold p99 over " + TuneSweep.duration(r.maxHoldP99Nanos())
                + "; unexcused: divergences no rule excused)");
        out.println();
        out.println("Candidate rules (verified by replay): " + (r.candidateRules().isEmpty() ? "none" : String.join(", ", r.candidateRules())));
        out.println();
        if (r.recommended() == null) {
            out.println("No recommendation: " + r.why() + ".");
        } else {
            TuneSetting s = r.recommended().setting();
            out.println("Recommended: compare timeout " + TuneSweep.duration(s.compareTimeoutNanos()) + ", thin-acks-after " + s.thinAcksAfter()
                    + ", min checkpoint interval " + TuneSweep.duration(s.minCheckpointIntervalNanos()) + ", max queued packets "
                    + s.maxQueuedPackets() + ", rules " + (s.rules().isEmpty() ? "none" : String.join(", ", s.rules())));
            out.println("Why: " + r.why() + ".");
            out.println("Apply: " + TuneSweep.commandLine(s));
        }
        out.println();
        if (r.realDifferences().isEmpty()) {
            out.println("Real differences: none (no MISMATCH divergence that a rule may not excuse).");
        } else {
            out.println("Real differences (" + r.realDifferences().size() + ", no rule offered: each needs its checkpoint):");
            for (String d : r.realDifferences()) {
                out.println("  " + d.replace("\n", "\n  "));
            }
        }
        out.flush();
    }

    public static void json(TuneReport r, PrintWriter out) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("maxHoldP99Nanos", r.maxHoldP99Nanos());
        root.put("candidateRules", r.candidateRules());
        root.put("recommended", r.recommended() == null ? null : outcome(r.recommended()));
        root.put("why", r.why());
        root.put("command", r.recommended() == null ? null : TuneSweep.commandLine(r.recommended().setting()));
        root.put("realDifferences", r.realDifferences());
        List<Object> outcomes = new ArrayList<>();
        for (TuneOutcome o : r.outcomes()) {
            outcomes.add(outcome(o));
        }
        root.put("outcomes", outcomes);
        try {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report as JSON: " + e.getMessage(), e);
        }
        out.flush();
    }

    private static Map<String, Object> outcome(TuneOutcome o) {
        TuneSetting s = o.setting();
        Map<String, Object> setting = new LinkedHashMap<>();
        setting.put("compareTimeoutNanos", s.compareTimeoutNanos());
        setting.put("thinAcksAfter", s.thinAcksAfter());
        setting.put("minCheckpointIntervalNanos", s.minCheckpointIntervalNanos());
        setting.put("maxQueuedPackets", s.maxQueuedPackets());
        setting.put("rules", s.rules());
        Map<String, Object> byReason = new LinkedHashMap<>();
        for (CheckpointReason c : CheckpointReason.values()) {
            byReason.put(c.name(), o.checkpointsByReason().getOrDefault(c, 0L));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("setting", setting);
        m.put("checkpointsByReason", byReason);
        m.put("checkpoints", o.checkpoints());
        m.put("holdP50Nanos", o.holdP50Nanos());
        m.put("holdP99Nanos", o.holdP99Nanos());
        m.put("peakHeld", o.peakHeld());
        m.put("unexcusedDivergences", o.unexcusedDivergences());
        return m;
    }
}
