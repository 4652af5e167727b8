package dev.colo.cli.replay;

import java.io.PrintStream;

/** A one-line progress bar on stderr, redrawn at most four times a second. */
public final class Progress {
    private static final long REDRAW_NANOS = 250_000_000L;
    private final PrintStream err;
    private final long totalBytes;
    private final boolean enabled;
    private long lastDraw;
    private boolean drawn;

    public Progress(PrintStream err, long totalBytes, boolean enabled) {
        this.err = err;
        this.totalBytes = Math.max(1, totalBytes);
        this.enabled = enabled;
    }

    public void update(long bytesDone, long frames) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        int pct = (int) Math.min(100, bytesDone * 100 / totalBytes);
        int width = 30;
        int filled = pct * width / 100;
        err.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + pct + "%  " + frames + " frames");
        err.flush();
        drawn = true;
    }

    public void done() {
        if (enabled && drawn) {
            err.print("\r" + " ".repeat(60) + "\r");
            err.flush();
        }
    }
}
