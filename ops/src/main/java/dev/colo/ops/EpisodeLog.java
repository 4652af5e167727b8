package dev.colo.ops;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Logs a server's refusals (or connection churn) as episodes, never a line per event: the first event of an episode
 * is logged as it is, the rest within {@code window} are counted by reason and by peer host, and one summary line
 * closes the episode (at the next event after the window, or from {@link #flushIfDue()} on a timer). A flood of a
 * thousand bad connections costs two lines a window. The maps are bounded; totals are kept for status and tests.
 * Thread-safe (refusals are per connection, not per packet).
 */
public final class EpisodeLog {
    /** Distinct reasons and peers counted per episode; the rest are counted as "other". */
    static final int MAX_KEYS = 8;

    private final String name;
    private final String what;
    private final long windowNanos;
    private final Consumer<String> out;
    private final LongSupplier nanoTime;
    private final Map<String, Long> byReason = new LinkedHashMap<>();
    private final Map<String, Long> byPeer = new LinkedHashMap<>();
    private final Map<String, Long> totals = new LinkedHashMap<>();
    private boolean open;
    private long openedAt;
    private long counted;
    private long total;
    private long linesLogged;

    /** @param what the events, plural, for the summary ("refusals") */
    public EpisodeLog(String name, String what, Duration window, Consumer<String> out) {
        this(name, what, window, out, System::nanoTime);
    }

    public EpisodeLog(String name, String what, Duration window, Consumer<String> out, LongSupplier nanoTime) {
        this.name = name;
        this.what = what;
        this.windowNanos = window.toNanos();
        this.out = out;
        this.nanoTime = nanoTime;
    }

    /**
     * One event: {@code reason} a short category (counted), {@code peer} the peer's address (its host is counted),
     * {@code line} what is logged if this event opens an episode.
     */
    public synchronized void record(String reason, String peer, String line) {
        long now = nanoTime.getAsLong();
        total++;
        count(totals, reason, Integer.MAX_VALUE);
        if (open && now - openedAt >= windowNanos) {
            close(now);
        }
        if (!open) {
            open = true;
            openedAt = now;
            emit(name + ": " + line);
            return;
        }
        counted++;
        count(byReason, reason, MAX_KEYS);
        count(byPeer, host(peer), MAX_KEYS);
    }

    /** Closes an episode whose window has passed (call it from a timer, so a summary is not held back). */
    public synchronized void flushIfDue() {
        long now = nanoTime.getAsLong();
        if (open && now - openedAt >= windowNanos) {
            close(now);
        }
    }

    /** Every event so far. */
    public synchronized long total() {
        return total;
    }

    /** Every event so far by reason. */
    public synchronized Map<String, Long> totals() {
        return Map.copyOf(totals);
    }

    /** Lines written so far (bounded by episodes, not by events). */
    public synchronized long linesLogged() {
        return linesLogged;
    }

    private void close(long now) {
        if (counted > 0) {
            emit(name + ": " + counted + " more " + what + " in " + Math.max(1, (now - openedAt) / 1_000_000_000L) + " s ("
                    + join(byReason) + ") from " + join(byPeer));
        }
        open = false;
        counted = 0;
        byReason.clear();
        byPeer.clear();
    }

    private void emit(String line) {
        linesLogged++;
        out.accept(line);
    }

    private static void count(Map<String, Long> m, String key, int maxKeys) {
        String k = m.containsKey(key) || m.size() < maxKeys ? key : "other";
        m.merge(k, 1L, Long::sum);
    }

    private static String join(Map<String, Long> m) {
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
        return sb.toString();
    }

    /** "10.0.0.2:7480" and "[fd00::1]:7480" to their host: ports change with every connection. */
    static String host(String peer) {
        if (peer == null) {
            return "?";
        }
        int colon = peer.lastIndexOf(':');
        return colon > 0 && peer.indexOf(':') == colon || peer.startsWith("[") && colon > peer.indexOf(']')
                ? peer.substring(0, colon) : peer;
    }
}
