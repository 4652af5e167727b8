package dev.colo.cli.tune;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * {@code colo tune --write-config FILE}: the recommended setting as a config file ({@code --config FILE}), a
 * {@code [primary]} and a {@code [compare]} table with the same comparator keys, under a comment header that says
 * where it came from. The keys and value syntax are those {@link dev.colo.cli.config.ConfigFile} reads: durations as
 * strings with a unit ("300ms"), counts as integers, the rules as a list ({@code ignore = ["http-date"]}); with no
 * rule the key is left out (an empty list is not "no rule" to the command line).
 */
public final class TuneConfigWriter {
    /** The tables written: the commands that compare. */
    static final List<String> TABLES = List.of("primary", "compare");

    private TuneConfigWriter() {
    }

    /** Writes the recommendation to {@code file}; refuses to overwrite an existing file. */
    public static void write(TuneReport report, Path file) throws IOException {
        write(report, file, false);
    }

    /**
     * Writes the recommendation to {@code file}.
     *
     * @param overwrite whether an existing file may be replaced (otherwise it is left alone and a
     *     {@link FileAlreadyExistsException} says so)
     * @throws IllegalArgumentException when the report recommends nothing (no setting met the hold bound)
     */
    public static void write(TuneReport report, Path file, boolean overwrite) throws IOException {
        String text = render(report, Instant.now());
        if (!overwrite && Files.exists(file)) {
            throw new FileAlreadyExistsException(file.toString(), null, "exists; not overwritten (ask for it to be replaced)");
        }
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8, overwrite
                    ? new StandardOpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE}
                    : new StandardOpenOption[] {StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE});
        } catch (FileAlreadyExistsException e) { // created between the check and the write
            throw new FileAlreadyExistsException(file.toString(), null, "exists; not overwritten (ask for it to be replaced)");
        }
    }

    /** The file's text. */
    static String render(TuneReport report, Instant when) {
        TuneOutcome rec = report.recommended();
        if (rec == null) {
            throw new IllegalArgumentException("no setting to write: the sweep recommended none"
                    + (report.why() == null || report.why().isBlank() ? "" : " (" + report.why().strip() + ")"));
        }
        TuneSetting s = rec.setting();
        StringBuilder b = new StringBuilder();
        b.append("# colo config file written by `colo tune --write-config` on ").append(when.truncatedTo(ChronoUnit.SECONDS)).append('\n');
        b.append("# The setting the sweep recommended, out of ").append(report.outcomes().size()).append(" tried");
        if (report.maxHoldP99Nanos() > 0) {
            b.append(" (hold p99 bound ").append(millis(report.maxHoldP99Nanos())).append(')');
        }
        b.append(":\n");
        b.append("#   ").append(rec.checkpoints()).append(" checkpoint(s) asked over the pairs, hold p50 ").append(millis(rec.holdP50Nanos()))
                .append(" / p99 ").append(millis(rec.holdP99Nanos())).append(", at most ").append(rec.peakHeld())
                .append(" frames held, ").append(rec.unexcusedDivergences()).append(" divergence(s) no rule excused\n");
        comment(b, "why: ", report.why());
        if (!report.candidateRules().isEmpty()) {
            comment(b, "candidate rules: ", String.join(", ", report.candidateRules()));
        }
        if (!report.realDifferences().isEmpty()) {
            b.append("# real differences no rule may excuse (they will still ask for checkpoints):\n");
            for (String d : report.realDifferences()) {
                comment(b, "  - ", d);
            }
        }
        b.append("# Use: colo primary --config FILE, or colo compare --config FILE (flags on the command line override it).\n");
        b.append("# The other keys (examples/colo.toml lists them) keep their defaults.\n");
        for (String table : TABLES) {
            b.append('\n').append('[').append(table).append("]\n");
            b.append("compare-timeout = ").append(quote(duration(s.compareTimeoutNanos()))).append('\n');
            b.append("thin-acks-after = ").append(s.thinAcksAfter()).append('\n');
            b.append("min-checkpoint-interval = ").append(quote(duration(s.minCheckpointIntervalNanos()))).append('\n');
            b.append("max-queued-packets = ").append(s.maxQueuedPackets()).append('\n');
            List<String> rules = List.copyOf(new LinkedHashSet<>(s.rules()));
            if (rules.isEmpty()) {
                b.append("# ignore: no rule needed\n");
            } else {
                b.append("ignore = [");
                for (int i = 0; i < rules.size(); i++) {
                    b.append(i == 0 ? "" : ", ").append(quote(rules.get(i)));
                }
                b.append("]\n");
            }
        }
        return b.toString();
    }

    /** Each line of {@code text} as a comment line (a newline in it never ends the comment). */
    private static void comment(StringBuilder b, String prefix, String text) {
        if (text == null || text.isBlank()) {
            return;
        }
        String[] lines = text.strip().split("\r\n|\r|\n");
        for (int i = 0; i < lines.length; i++) {
            b.append("# ").append(i == 0 ? prefix : " ".repeat(prefix.length())).append(lines[i].stripTrailing()).append('\n');
        }
    }

    /** A duration as the config file and `colo set` take it: the largest unit that is exact ("300ms", "250us", "17ns"). */
    static String duration(long nanos) {
        if (nanos % 1_000_000 == 0) {
            return nanos / 1_000_000 + "ms";
        }
        if (nanos % 1_000 == 0) {
            return nanos / 1_000 + "us";
        }
        return nanos + "ns";
    }

    /** For people: milliseconds, three decimals at most. */
    static String millis(long nanos) {
        return nanos % 1_000_000 == 0 ? nanos / 1_000_000 + " ms" : String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
    }

    /** A TOML basic string. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
