package dev.colo.cli.replay;

import dev.colo.compare.CheckpointReason;
import dev.colo.compare.CompareStats;
import dev.colo.compare.Divergence;
import dev.colo.compare.HoldTimeHistogram;
import dev.colo.compare.packet.Malformation;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/** The human-readable replay report. */
final class TextReport {
    private TextReport() {
    }

    static void print(ReplayResult r, int showDivergences, PrintWriter out) {
        CompareStats s = r.stats();
        out.println("COLO replay");
        out.println("  primary    " + r.primary());
        out.println("  secondary  " + r.secondary());
        out.println("  config     " + r.config());
        out.printf(Locale.ROOT, "  span       %.3f s of capture time%n", (r.lastTimestampNanos() - r.firstTimestampNanos()) / 1e9);
        out.println();
        out.printf(Locale.ROOT, "%-28s %14s %14s%n", "", "primary", "secondary");
        row(out, "frames", s.get(CompareStats.FRAMES_PRIMARY), s.get(CompareStats.FRAMES_SECONDARY));
        row(out, "bytes", s.get(CompareStats.BYTES_PRIMARY), s.get(CompareStats.BYTES_SECONDARY));
        row(out, "connections", s.get(CompareStats.CONNECTIONS_PRIMARY), s.get(CompareStats.CONNECTIONS_SECONDARY));
        out.println();
        out.printf(Locale.ROOT, "released                     %d (compared equal %d, by checkpoint flush %d)%n",
                s.released(), s.get(CompareStats.RELEASED_COMPARED), s.get(CompareStats.RELEASED_FLUSHED));
        out.printf(Locale.ROOT, "held when input ended        %d (resolved by timeouts: %d left)%n",
                Math.max(0, r.heldAtEndOfInput()), r.heldAfterDrain());
        out.printf(Locale.ROOT, "secondary frames             %d consumed by comparison, %d dropped by flushes, %d with no twin dropped"
                + " when input ended%n", s.get(CompareStats.SECONDARY_CONSUMED), s.get(CompareStats.SECONDARY_FLUSHED),
                s.get(CompareStats.SECONDARY_DRAINED));
        if (s.get(CompareStats.SUPERSEDED_ACKS) > 0) {
            out.println("superseded bare ACKs          " + s.get(CompareStats.SUPERSEDED_ACKS) + " (a newer one of the same connection went in their place)");
        }
        if (s.get(CompareStats.LOST) > 0) {
            out.println("LOST                         " + s.get(CompareStats.LOST) + " frames could not be held (no commit came)");
        }
        out.println("malformed frames             " + s.totalMalformed() + byMalformation(s));
        out.println("divergences                  " + s.totalDivergences() + byReason(s, true));
        out.println("checkpoints                  " + s.totalCheckpoints() + byReason(s, false)
                + (s.get(CompareStats.CHECKPOINTS_COALESCED) > 0 ? ", " + s.get(CompareStats.CHECKPOINTS_COALESCED) + " divergences coalesced" : ""));
        out.println("rules fired                  " + s.get(CompareStats.RULES_FIRED) + rules(r.rulesFired()));
        out.println("connections evicted          idle " + s.get(CompareStats.EVICTED_IDLE) + ", LRU " + s.get(CompareStats.EVICTED_LRU));
        HoldTimeHistogram h = r.holdTimes();
        out.println("hold time (primary frame     p50 " + dur(h.quantile(0.5)) + "  p90 " + dur(h.quantile(0.9))
                + "  p99 " + dur(h.quantile(0.99)) + "  p99.9 " + dur(h.quantile(0.999)) + "  max " + dur(h.max()));
        out.println("  waiting for its twin)");
        out.println("clock                        " + r.clockFirings() + " deadlines fired, " + r.repeatsCollapsed()
                + " repeated timeouts collapsed, " + r.clockStepCount() + " clock steps");
        for (ClockSteps.Step step : r.clockSteps()) {
            out.println("  clock step " + ClockSteps.size(step.nanos()) + " at " + step.sideName() + " frame " + step.frame()
                    + ": " + step.treatment());
        }
        for (String e : r.inputErrors()) {
            out.println("INPUT ERROR: " + e);
        }
        int shown = 0;
        for (Divergence d : r.divergences()) {
            if (shown++ == showDivergences) {
                out.println();
                out.println("... " + (s.totalDivergences() - showDivergences) + " more divergences (--show-divergences N shows more)");
                break;
            }
            out.println();
            out.printf(Locale.ROOT, "divergence #%d at +%.6f s: %s%n", shown, (d.timeNanos() - r.firstTimestampNanos()) / 1e9, d);
            if (d.primaryBytes().length > 0 || d.primaryDiffIndex() >= 0) {
                out.println("  primary:");
                out.print(Hexdump.render(d.primaryBytes(), d.primaryDiffIndex(), "    "));
            }
            if (d.secondaryBytes().length > 0 || d.secondaryDiffIndex() >= 0) {
                out.println("  secondary:");
                out.print(Hexdump.render(d.secondaryBytes(), d.secondaryDiffIndex(), "    "));
            }
        }
        out.println();
        out.printf(Locale.ROOT, "replayed %d frames in %.3f s: %,d frames/s%n",
                s.get(CompareStats.FRAMES_PRIMARY) + s.get(CompareStats.FRAMES_SECONDARY), r.wallNanos() / 1e9, r.framesPerSecond());
    }

    private static void row(PrintWriter out, String name, long p, long s) {
        out.printf(Locale.ROOT, "%-28s %14d %14d%n", name, p, s);
    }

    private static String byReason(CompareStats s, boolean divergences) {
        StringBuilder sb = new StringBuilder();
        for (CheckpointReason r : CheckpointReason.values()) {
            long n = divergences ? s.divergences(r) : s.checkpoints(r);
            if (n > 0) {
                sb.append(sb.length() == 0 ? " (" : ", ").append(r.name().toLowerCase(Locale.ROOT)).append(' ').append(n);
            }
        }
        return sb.length() == 0 ? "" : sb.append(')').toString();
    }

    private static String byMalformation(CompareStats s) {
        StringBuilder sb = new StringBuilder();
        for (Malformation m : Malformation.values()) {
            if (s.malformed(m) > 0) {
                sb.append(sb.length() == 0 ? " (" : ", ").append(m.name().toLowerCase(Locale.ROOT)).append(' ').append(s.malformed(m));
            }
        }
        return sb.length() == 0 ? "" : sb.append(')').toString();
    }

    private static String rules(Map<String, Long> fired) {
        if (fired.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(" (");
        fired.forEach((k, v) -> sb.append(sb.length() > 2 ? ", " : "").append(k).append(' ').append(v));
        return sb.append(')').toString();
    }

    static String dur(long nanos) {
        if (nanos < 10_000) {
            return nanos + "ns";
        }
        if (nanos < 10_000_000) {
            return nanos / 1000 + "us";
        }
        return nanos / 1_000_000 + "ms";
    }
}
