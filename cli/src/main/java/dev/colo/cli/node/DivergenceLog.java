package dev.colo.cli.node;

import dev.colo.compare.DecisionListener;
import dev.colo.compare.Divergence;
import java.io.PrintWriter;

/**
 * Prints divergences as they come, at most {@link #PER_SECOND} a second; beyond that one line a second says
 * how many were not shown (their counts by reason are on the status line). A flood of divergences never
 * becomes a flood of lines.
 */
final class DivergenceLog implements DecisionListener {
    static final int PER_SECOND = 10;

    private final PrintWriter out;
    private long total;
    private long windowStart = Long.MIN_VALUE;
    private int shown;
    private long suppressed;

    DivergenceLog(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void onRelease(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
    }

    @Override
    public synchronized void onDivergence(Divergence d) {
        total++;
        long now = System.nanoTime();
        if (now - windowStart >= 1_000_000_000L) {
            reportSuppressed();
            windowStart = now;
            shown = 0;
        }
        if (shown < PER_SECOND) {
            shown++;
            out.println("divergence #" + total + ": " + d + excerpts(d));
            out.flush();
        } else {
            suppressed++;
        }
    }

    /** The bytes around the first difference on each side, printable ("" when the divergence has none). */
    static String excerpts(Divergence d) {
        byte[] p = d.primaryBytes();
        byte[] s = d.secondaryBytes();
        if (p.length == 0 && s.length == 0) {
            return "";
        }
        return "; primary \"" + printable(p) + "\" secondary \"" + printable(s) + "\"";
    }

    /** ASCII as it is, anything else (and quotes, backslashes) as \xHH: one line, whatever the bytes. */
    static String printable(byte[] bytes) {
        StringBuilder b = new StringBuilder(bytes.length);
        for (byte x : bytes) {
            int c = x & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                b.append((char) c);
            } else {
                b.append(String.format("\\x%02x", c));
            }
        }
        return b.toString();
    }

    /** Says how many divergences were not shown since the last call (the status printer calls it too). */
    synchronized void reportSuppressed() {
        if (suppressed > 0) {
            out.println("... and " + suppressed + " more divergences not shown (" + total + " in all)");
            out.flush();
            suppressed = 0;
        }
    }

    synchronized long total() {
        return total;
    }
}
