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
            out.println("divergence #" + total + ": " + d);
            out.flush();
        } else {
            suppressed++;
        }
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
