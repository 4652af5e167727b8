package dev.colo.proxy.node;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * One source a node reads (a frame port or a link), paused while a destination it feeds cannot take more:
 * back-pressure instead of loss. Counts the episodes and the time spent paused; an episode that lasted
 * {@link #REPORT_AFTER_NANOS} or more is logged once, when it ends, with its cause (never a line per frame).
 * Pause and resume from the node's loop only; the counters are readable anywhere.
 */
public final class SourceGate {
    private static final Logger LOG = Logger.getLogger(SourceGate.class.getName());
    /** Shorter episodes are the normal pace of a full-rate feed: counted, not logged. */
    public static final long REPORT_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** What pausing does to the source: stops or resumes reading it. */
    public interface Switch {
        void pause(boolean paused);
    }

    private final String name;
    private final Switch source;
    /** What waits downstream (frames held, bytes queued), for the episode's log line. */
    private final LongSupplier waiting;
    private final String waitingUnit;
    private final AtomicLong episodes = new AtomicLong();
    private final AtomicLong pausedNanos = new AtomicLong();
    private volatile long pausedSince = -1;
    private String cause;

    public SourceGate(String name, Switch source, LongSupplier waiting, String waitingUnit) {
        this.name = name;
        this.source = source;
        this.waiting = waiting;
        this.waitingUnit = waitingUnit;
    }

    /** Pauses the source (with a constant cause: no string is built per frame) or resumes it. Loop only. */
    public void set(boolean pause, String why) {
        boolean paused = pausedSince >= 0;
        if (pause == paused) {
            return;
        }
        source.pause(pause);
        long now = System.nanoTime();
        if (pause) {
            cause = why;
            episodes.incrementAndGet();
            pausedSince = now;
            return;
        }
        long lasted = now - pausedSince;
        pausedSince = -1;
        pausedNanos.addAndGet(lasted);
        if (lasted >= REPORT_AFTER_NANOS) {
            LOG.info(String.format("%s was paused for %.1f s (%s); %d %s waiting when it resumed", name, lasted / 1e9, cause,
                    waiting.getAsLong(), waitingUnit));
        }
    }

    public String name() {
        return name;
    }

    public boolean paused() {
        return pausedSince >= 0;
    }

    public long episodes() {
        return episodes.get();
    }

    /** Time spent paused so far, the current episode included. */
    public long pausedNanos() {
        long since = pausedSince;
        return pausedNanos.get() + (since >= 0 ? System.nanoTime() - since : 0);
    }

    /** For a status line: "primary-in paused 3 times, 1.2 s" (and "now" while paused). */
    public String status() {
        return String.format("%s paused %d times, %.1f s%s", name, episodes(), pausedNanos() / 1e9, paused() ? " (now)" : "");
    }
}
