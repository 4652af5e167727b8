package dev.colo.compare.rules;

import java.util.List;

/**
 * The comparison rules in force. Line rules are consulted only when bytes differ, so they cost
 * nothing while the replicas agree. A line is judged when it lies whole inside the two frames being
 * compared (a header line split across two TCP segments is not excused).
 */
public final class RuleSet {
    /** Longest line a rule may excuse. */
    public static final int MAX_LINE = 1024;

    private final boolean ignoreTcpOptions;
    private final IgnoreRule[] lineRules;
    private int primaryLineEnd;
    private int secondaryLineEnd;

    public RuleSet(boolean ignoreTcpOptions, List<IgnoreRule> lineRules) {
        this.ignoreTcpOptions = ignoreTcpOptions;
        this.lineRules = lineRules.toArray(new IgnoreRule[0]);
    }

    public static RuleSet defaults() {
        return new RuleSet(true, List.of());
    }

    public boolean ignoreTcpOptions() {
        return ignoreTcpOptions;
    }

    public boolean hasLineRules() {
        return lineRules.length > 0;
    }

    public List<IgnoreRule> lineRules() {
        return List.of(lineRules);
    }

    /**
     * Looks for a rule that excuses the difference at {@code pDiff} / {@code sDiff}: both positions
     * must sit at the same distance into a line that one rule matches on both sides.
     *
     * @param lineStartAtDataStart whether the first byte of each range begins a line
     * @return the rule, or null; on a match {@link #primaryLineEnd()} and {@link #secondaryLineEnd()}
     *     give the index after each line's terminator
     */
    public IgnoreRule excuse(byte[] p, int pStart, int pDiff, int pEnd,
                             byte[] s, int sStart, int sDiff, int sEnd, boolean lineStartAtDataStart) {
        if (lineRules.length == 0) {
            return null;
        }
        int pLine = lineStart(p, pStart, pDiff, lineStartAtDataStart);
        int sLine = lineStart(s, sStart, sDiff, lineStartAtDataStart);
        if (pLine < 0 || sLine < 0 || pDiff - pLine != sDiff - sLine) {
            return null;
        }
        int pNl = newline(p, pDiff, pEnd);
        int sNl = newline(s, sDiff, sEnd);
        if (pNl < 0 || sNl < 0) {
            return null;
        }
        int pContent = pNl > pLine && p[pNl - 1] == '\r' ? pNl - 1 : pNl;
        int sContent = sNl > sLine && s[sNl - 1] == '\r' ? sNl - 1 : sNl;
        for (IgnoreRule rule : lineRules) {
            if (rule.matches(p, pLine, pContent) && rule.matches(s, sLine, sContent)) {
                primaryLineEnd = pNl + 1;
                secondaryLineEnd = sNl + 1;
                return rule;
            }
        }
        return null;
    }

    public int primaryLineEnd() {
        return primaryLineEnd;
    }

    public int secondaryLineEnd() {
        return secondaryLineEnd;
    }

    private static int lineStart(byte[] b, int start, int diff, boolean startIsLineStart) {
        int limit = Math.max(start, diff - MAX_LINE);
        for (int i = diff - 1; i >= limit; i--) {
            if (b[i] == '\n') {
                return i + 1;
            }
        }
        return startIsLineStart && diff - start <= MAX_LINE ? start : -1;
    }

    private static int newline(byte[] b, int from, int end) {
        int limit = Math.min(end, from + MAX_LINE);
        for (int i = from; i < limit; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "tcp-options " + (ignoreTcpOptions ? "ignored" : "compared") + ", line rules " + List.of(lineRules);
    }
}
