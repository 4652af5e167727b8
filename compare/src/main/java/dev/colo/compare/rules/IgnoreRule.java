package dev.colo.compare.rules;

import java.util.Locale;

/**
 * A kind of line that may differ between the replicas without a checkpoint, such as an HTTP
 * {@code Date:} header. Rules judge whole lines; the comparator skips the matching line on both sides.
 */
public interface IgnoreRule {
    /** The name reported when the rule fires. */
    String name();

    /** Whether the line {@code buf[start, end)} (without its line terminator) is one this rule lets differ. */
    boolean matches(byte[] buf, int start, int end);

    /**
     * Parses a rule specification.
     * <ul>
     *   <li>{@code http-date}: the HTTP {@code Date:} header line</li>
     *   <li>{@code header:NAME}: a header line {@code NAME: ...} (HTTP, SMTP, SIP...), name case-insensitive</li>
     *   <li>{@code line:PREFIX}: any line starting with PREFIX (case-sensitive, {@code \t} {@code \\} escapes)</li>
     * </ul>
     */
    static IgnoreRule parse(String spec) {
        String s = spec.trim();
        if (s.equalsIgnoreCase("http-date")) {
            return new HeaderLineRule("http-date", "Date");
        }
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.startsWith("header:") && s.length() > 7) {
            return new HeaderLineRule(s, s.substring(7));
        }
        if (lower.startsWith("line:") && s.length() > 5) {
            return new LinePrefixRule(s, s.substring(5).replace("\\t", "\t").replace("\\\\", "\\"));
        }
        throw new IllegalArgumentException("unknown ignore rule '" + spec
                + "': expected http-date, header:NAME or line:PREFIX (tcp-options is a separate switch)");
    }
}
