package dev.colo.cli.replay;

import dev.colo.compare.CheckpointReason;
import dev.colo.compare.CompareStats;
import dev.colo.compare.Divergence;
import dev.colo.compare.HoldTimeHistogram;
import dev.colo.compare.packet.Malformation;
import java.io.PrintWriter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/** The machine-readable replay report: one JSON object (times in nanoseconds). */
final class JsonReport {
    private final StringBuilder sb = new StringBuilder();

    private JsonReport() {
    }

    static void print(ReplayResult r, PrintWriter out) {
        out.println(new JsonReport().render(r));
    }

    private String render(ReplayResult r) {
        CompareStats s = r.stats();
        sb.append('{');
        field("primary", r.primary().toString()).append(',');
        field("secondary", r.secondary().toString()).append(',');
        field("config", r.config().toString()).append(',');
        key("frames").append("{\"primary\":").append(s.get(CompareStats.FRAMES_PRIMARY))
                .append(",\"secondary\":").append(s.get(CompareStats.FRAMES_SECONDARY)).append("},");
        key("bytes").append("{\"primary\":").append(s.get(CompareStats.BYTES_PRIMARY))
                .append(",\"secondary\":").append(s.get(CompareStats.BYTES_SECONDARY)).append("},");
        key("connections").append("{\"primary\":").append(s.get(CompareStats.CONNECTIONS_PRIMARY))
                .append(",\"secondary\":").append(s.get(CompareStats.CONNECTIONS_SECONDARY)).append("},");
        key("released").append("{\"total\":").append(s.released())
                .append(",\"compared\":").append(s.get(CompareStats.RELEASED_COMPARED))
                .append(",\"flushed\":").append(s.get(CompareStats.RELEASED_FLUSHED)).append("},");
        key("heldAtEndOfInput").append(Math.max(0, r.heldAtEndOfInput())).append(',');
        key("heldAfterDrain").append(r.heldAfterDrain()).append(',');
        key("secondaryConsumed").append(s.get(CompareStats.SECONDARY_CONSUMED)).append(',');
        key("secondaryFlushed").append(s.get(CompareStats.SECONDARY_FLUSHED)).append(',');
        key("secondaryDrained").append(s.get(CompareStats.SECONDARY_DRAINED)).append(',');
        key("lost").append(s.get(CompareStats.LOST)).append(',');
        key("supersededAcks").append(s.get(CompareStats.SUPERSEDED_ACKS)).append(',');
        key("malformed").append('{');
        boolean first = true;
        for (Malformation m : Malformation.values()) {
            if (s.malformed(m) > 0) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                key(m.name().toLowerCase(Locale.ROOT)).append(s.malformed(m));
            }
        }
        sb.append("},");
        reasons("divergences", s, true).append(',');
        reasons("checkpoints", s, false).append(',');
        key("checkpointsCoalesced").append(s.get(CompareStats.CHECKPOINTS_COALESCED)).append(',');
        key("rulesFired").append('{');
        first = true;
        for (Map.Entry<String, Long> e : r.rulesFired().entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            key(e.getKey()).append(e.getValue());
        }
        sb.append("},");
        HoldTimeHistogram h = r.holdTimes();
        key("holdTimeNanos").append("{\"p50\":").append(h.quantile(0.5)).append(",\"p90\":").append(h.quantile(0.9))
                .append(",\"p99\":").append(h.quantile(0.99)).append(",\"p999\":").append(h.quantile(0.999))
                .append(",\"max\":").append(h.max()).append("},");
        key("divergenceList").append('[');
        for (int i = 0; i < r.divergences().size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            divergence(r.divergences().get(i), r.firstTimestampNanos());
        }
        sb.append("],");
        key("clock").append("{\"deadlinesFired\":").append(r.clockFirings())
                .append(",\"repeatsCollapsed\":").append(r.repeatsCollapsed())
                .append(",\"stepCount\":").append(r.clockStepCount()).append(",\"steps\":[");
        for (int i = 0; i < r.clockSteps().size(); i++) {
            ClockSteps.Step step = r.clockSteps().get(i);
            sb.append(i > 0 ? ",{" : "{");
            field("side", step.sideName()).append(',');
            key("frame").append(step.frame()).append(',');
            key("nanos").append(step.nanos()).append(',');
            field("treatment", step.treatment()).append('}');
        }
        sb.append("]},");
        key("inputErrors").append('[');
        for (int i = 0; i < r.inputErrors().size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            string(r.inputErrors().get(i));
        }
        sb.append("],");
        key("wallNanos").append(r.wallNanos()).append(',');
        key("framesPerSecond").append(r.framesPerSecond());
        return sb.append('}').toString();
    }

    private void divergence(Divergence d, long origin) {
        HexFormat hex = HexFormat.of();
        sb.append('{');
        field("reason", d.reason().name()).append(',');
        field("side", d.side().name()).append(',');
        field("flow", d.flow()).append(',');
        field("detail", d.detail()).append(',');
        key("offsetNanos").append(d.timeNanos() - origin).append(',');
        key("streamOffset").append(d.streamOffset()).append(',');
        field("primaryBytes", hex.formatHex(d.primaryBytes())).append(',');
        key("primaryDiffIndex").append(d.primaryDiffIndex()).append(',');
        field("secondaryBytes", hex.formatHex(d.secondaryBytes())).append(',');
        key("secondaryDiffIndex").append(d.secondaryDiffIndex());
        sb.append('}');
    }

    private StringBuilder reasons(String name, CompareStats s, boolean divergences) {
        key(name).append("{\"total\":").append(divergences ? s.totalDivergences() : s.totalCheckpoints());
        for (CheckpointReason r : CheckpointReason.values()) {
            sb.append(',');
            key(r.name().toLowerCase(Locale.ROOT)).append(divergences ? s.divergences(r) : s.checkpoints(r));
        }
        return sb.append('}');
    }

    private StringBuilder key(String k) {
        string(k);
        return sb.append(':');
    }

    private StringBuilder field(String k, String v) {
        key(k);
        return string(v);
    }

    private StringBuilder string(String v) {
        sb.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"');
    }
}
