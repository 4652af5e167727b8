package dev.colo.compare;

import dev.colo.compare.packet.Malformation;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Live counters of the comparator. Written by the comparator's thread only (a release store per
 * update, no lock, no fence on x86), readable from any thread at any time.
 */
public final class CompareStats {
    public static final int FRAMES_PRIMARY = 0;
    public static final int FRAMES_SECONDARY = 1;
    public static final int BYTES_PRIMARY = 2;
    public static final int BYTES_SECONDARY = 3;
    public static final int CONNECTIONS_PRIMARY = 4;
    public static final int CONNECTIONS_SECONDARY = 5;
    /** Primary frames released after comparing equal. */
    public static final int RELEASED_COMPARED = 6;
    /** Primary frames released by a checkpoint flush. */
    public static final int RELEASED_FLUSHED = 7;
    /** Primary frames released while running unprotected. */
    public static final int RELEASED_UNPROTECTED = 8;
    /** Secondary frames consumed by comparison (or old retransmissions and bare ACKs). */
    public static final int SECONDARY_CONSUMED = 9;
    /** Secondary frames dropped by a checkpoint flush. */
    public static final int SECONDARY_FLUSHED = 10;
    public static final int CHECKPOINTS_COALESCED = 11;
    public static final int RULES_FIRED = 12;
    public static final int EVICTED_IDLE = 13;
    public static final int EVICTED_LRU = 14;
    /** Frames that could not be held and whose checkpoint never committed: must stay 0. */
    public static final int LOST = 15;
    public static final int FLUSHES = 16;
    /** Held primary pure ACKs replaced by a newer one of the same connection ({@link CompareConfig#thinAcksAfter}): never sent. */
    public static final int SUPERSEDED_ACKS = 17;
    /**
     * Secondary frames still waiting for a twin when input ended ({@link OutputComparator#drain()}): none can come, and
     * the secondary's output is only compared, never released, so they are dropped.
     */
    public static final int SECONDARY_DRAINED = 18;
    private static final int DIVERGENCES_BASE = 19;
    private static final int CHECKPOINTS_BASE = DIVERGENCES_BASE + CheckpointReason.values().length;
    private static final int MALFORMED_BASE = CHECKPOINTS_BASE + CheckpointReason.values().length;
    private static final int SIZE = MALFORMED_BASE + Malformation.values().length;

    private final AtomicLongArray counters = new AtomicLongArray(SIZE);

    void add(int counter, long delta) {
        counters.lazySet(counter, counters.get(counter) + delta);
    }

    void increment(int counter) {
        add(counter, 1);
    }

    void divergence(CheckpointReason r) {
        increment(DIVERGENCES_BASE + r.ordinal());
    }

    void checkpoint(CheckpointReason r) {
        increment(CHECKPOINTS_BASE + r.ordinal());
    }

    void countMalformed(Malformation m) {
        increment(MALFORMED_BASE + m.ordinal());
    }

    public long get(int counter) {
        return counters.get(counter);
    }

    public long divergences(CheckpointReason r) {
        return counters.get(DIVERGENCES_BASE + r.ordinal());
    }

    public long checkpoints(CheckpointReason r) {
        return counters.get(CHECKPOINTS_BASE + r.ordinal());
    }

    public long malformed(Malformation m) {
        return counters.get(MALFORMED_BASE + m.ordinal());
    }

    public long totalDivergences() {
        long t = 0;
        for (CheckpointReason r : CheckpointReason.values()) {
            t += divergences(r);
        }
        return t;
    }

    public long totalCheckpoints() {
        long t = 0;
        for (CheckpointReason r : CheckpointReason.values()) {
            t += checkpoints(r);
        }
        return t;
    }

    public long totalMalformed() {
        long t = 0;
        for (Malformation m : Malformation.values()) {
            t += malformed(m);
        }
        return t;
    }

    /** Primary frames held now: received, not yet released (nor lost, nor superseded). */
    public long heldPrimary() {
        return get(FRAMES_PRIMARY) - released() - get(LOST) - get(SUPERSEDED_ACKS);
    }

    /** Divergences by reason, every reason (zero included), in declaration order: for status and metrics. */
    public java.util.Map<String, Long> divergenceCounts() {
        return counts(DIVERGENCES_BASE);
    }

    /** Checkpoint requests by reason, every reason, in declaration order. */
    public java.util.Map<String, Long> checkpointCounts() {
        return counts(CHECKPOINTS_BASE);
    }

    private java.util.Map<String, Long> counts(int base) {
        java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (CheckpointReason r : CheckpointReason.values()) {
            m.put(r.name(), counters.get(base + r.ordinal()));
        }
        return m;
    }

    /** The non-zero divergence counts by reason, e.g. "MISMATCH 3, TIMEOUT 1", or "none". */
    public String divergencesByReason() {
        return byReason(DIVERGENCES_BASE);
    }

    /** The non-zero checkpoint-request counts by reason, or "none". */
    public String checkpointsByReason() {
        return byReason(CHECKPOINTS_BASE);
    }

    private String byReason(int base) {
        StringBuilder sb = new StringBuilder();
        for (CheckpointReason r : CheckpointReason.values()) {
            long n = counters.get(base + r.ordinal());
            if (n > 0) {
                sb.append(sb.length() > 0 ? ", " : "").append(r).append(' ').append(n);
            }
        }
        return sb.length() > 0 ? sb.toString() : "none";
    }

    public long released() {
        return get(RELEASED_COMPARED) + get(RELEASED_FLUSHED) + get(RELEASED_UNPROTECTED);
    }
}
