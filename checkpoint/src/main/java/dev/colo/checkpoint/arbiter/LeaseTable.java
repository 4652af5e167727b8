package dev.colo.checkpoint.arbiter;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The witness's state: per cluster, which node holds the lease and until when.
 *
 * <p>The witness keeps each lease a handover margin longer than the ttl the holder asked for. The holder
 * trusts its lease for the ttl (measured from before it sent the claim), but only finds out that it ran out
 * at its next renewal, up to ttl/3 later; the margin covers that gap, so the old primary has stepped down
 * before the witness hands the lease to another node.
 */
final class LeaseTable {
    /** Past this many clusters, claims for new ones are refused, so a flood of names cannot exhaust memory. */
    static final int DEFAULT_MAX_CLUSTERS = 4096;
    /** Handover margin as a fraction of the ttl: one renew interval (ttl/3) plus room for scheduling delays. */
    static final int HANDOVER_MARGIN_DIVISOR = 2;

    /** A live lease as seen by a client: its holder and how long until another node can get it. */
    record Lease(String holder, long remainingMillis) {
    }

    /** Whether a claim or release was accepted, and the lease afterwards (null when the cluster is free). */
    record Outcome(boolean accepted, Lease lease) {
    }

    private static final class Entry {
        final String holder;
        long expiryNanos;

        Entry(String holder, long expiryNanos) {
            this.holder = holder;
            this.expiryNanos = expiryNanos;
        }
    }

    /**
     * The holder named in a refusal during the quiet period after a restart: a lease granted by the previous
     * run may still be live, and this witness has forgotten who holds it.
     */
    static final String RESTARTED_HOLDER = "(witness-restarted)";

    private final Map<String, Entry> leases = new HashMap<>();
    private boolean quietPeriod;
    private long quietFromNanos;
    private final LongSupplier nanoTime;
    private final LeaseListener listener;
    private final int maxClusters;

    LeaseTable(LongSupplier nanoTime, LeaseListener listener, int maxClusters) {
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.listener = Objects.requireNonNull(listener, "listener");
        if (maxClusters < 1) {
            throw new IllegalArgumentException("maxClusters must be positive, got " + maxClusters);
        }
        this.maxClusters = maxClusters;
    }

    /** Grants (or renews) the lease if it is free, expired or already held by {@code node}. */
    synchronized Outcome claim(String cluster, String node, long ttlMillis) {
        return claim(cluster, node, ttlMillis, false);
    }

    /**
     * Grants (or renews) the lease if it is free, expired or already held by {@code node}. During the quiet
     * period after a (re)start, a free lease goes only to a {@code renewal}: a node that says it held the
     * lease before the restart (and still trusts it); anyone else is refused, with {@link #RESTARTED_HOLDER}
     * as the holder, until the quiet period is over.
     */
    synchronized Outcome claim(String cluster, String node, long ttlMillis, boolean renewal) {
        long now = nanoTime.getAsLong();
        Entry current = liveEntry(cluster, now);
        if (current != null && !current.holder.equals(node)) {
            return new Outcome(false, view(current, now));
        }
        if (current == null && !renewal && quietPeriod) {
            // The longest a lease granted before the restart can still run: its ttl plus the handover margin.
            long quietEnd = quietFromNanos + TimeUnit.MILLISECONDS.toNanos(ttlMillis + ttlMillis / HANDOVER_MARGIN_DIVISOR);
            if (now - quietEnd < 0) {
                long leftMillis = (quietEnd - now + TimeUnit.MILLISECONDS.toNanos(1) - 1) / TimeUnit.MILLISECONDS.toNanos(1);
                return new Outcome(false, new Lease(RESTARTED_HOLDER, leftMillis));
            }
        }
        long expiry = now + TimeUnit.MILLISECONDS.toNanos(ttlMillis + ttlMillis / HANDOVER_MARGIN_DIVISOR);
        if (current != null) {
            current.expiryNanos = expiry;
            return new Outcome(true, view(current, now));
        }
        if (leases.size() >= maxClusters) {
            throw new IllegalStateException("the witness already tracks " + maxClusters + " clusters");
        }
        Entry granted = new Entry(node, expiry);
        leases.put(cluster, granted);
        notify(new LeaseEvent(LeaseEvent.Kind.GRANTED, cluster, node, ttlMillis));
        return new Outcome(true, view(granted, now));
    }

    /**
     * Starts the quiet period of a (re)start: for one lease period plus the handover margin (1.5 x the ttl
     * each claim names), a free lease is granted to renewals only, never as a takeover. A lease the previous
     * run granted may still be trusted by its holder, and a restarted witness cannot know it.
     */
    synchronized void startQuietPeriod() {
        quietPeriod = true;
        quietFromNanos = nanoTime.getAsLong();
    }

    /** Frees the lease if {@code node} holds it; releasing a free lease is accepted too (retries are harmless). */
    synchronized Outcome release(String cluster, String node) {
        long now = nanoTime.getAsLong();
        Entry current = liveEntry(cluster, now);
        if (current == null) {
            return new Outcome(true, null);
        }
        if (!current.holder.equals(node)) {
            return new Outcome(false, view(current, now));
        }
        leases.remove(cluster);
        notify(new LeaseEvent(LeaseEvent.Kind.RELEASED, cluster, node, 0));
        return new Outcome(true, null);
    }

    /** The live lease of a cluster, or null when it is free. */
    synchronized Lease status(String cluster) {
        long now = nanoTime.getAsLong();
        Entry current = liveEntry(cluster, now);
        return current == null ? null : view(current, now);
    }

    /** Drops every expired lease, so the log says when a holder went silent even if nobody asks. */
    synchronized void expireStale() {
        long now = nanoTime.getAsLong();
        for (Iterator<Map.Entry<String, Entry>> it = leases.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Entry> e = it.next();
            if (isExpired(e.getValue(), now)) {
                it.remove();
                notify(new LeaseEvent(LeaseEvent.Kind.EXPIRED, e.getKey(), e.getValue().holder, 0));
            }
        }
    }

    synchronized int size() {
        return leases.size();
    }

    private Entry liveEntry(String cluster, long now) {
        Entry entry = leases.get(cluster);
        if (entry != null && isExpired(entry, now)) {
            leases.remove(cluster);
            notify(new LeaseEvent(LeaseEvent.Kind.EXPIRED, cluster, entry.holder, 0));
            return null;
        }
        return entry;
    }

    private static boolean isExpired(Entry entry, long now) {
        return now - entry.expiryNanos >= 0; // difference, not comparison: nanoTime may wrap
    }

    private static Lease view(Entry entry, long now) {
        long remainingNanos = entry.expiryNanos - now;
        // Rounded up so a live lease never shows 0 ms left.
        long remainingMillis = (remainingNanos + TimeUnit.MILLISECONDS.toNanos(1) - 1) / TimeUnit.MILLISECONDS.toNanos(1);
        return new Lease(entry.holder, remainingMillis);
    }

    private void notify(LeaseEvent event) {
        try {
            listener.onLeaseChange(event);
        } catch (RuntimeException ignored) {
            // A failing log must not change who holds the lease.
        }
    }
}
