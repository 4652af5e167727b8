package dev.colo.checkpoint;

import java.util.function.BooleanSupplier;

/**
 * Whether this node may release output at this instant: the rule that keeps two nodes from releasing at once.
 *
 * <p>Deadlines, not flags, checked with the current time on every send: a node that was frozen (SIGSTOP, a hung
 * host) and resumes releases nothing before it has proved again that it may, whatever its event loop runs first
 * (a fence callback on a timer could run after the first frames went out).
 *
 * <p>Under a lease ({@link dev.colo.checkpoint.arbiter.Arbiter#leased()}) the node may release while either holds:
 * <ul>
 *   <li>its lease is confirmed: until {@link CheckpointConfig#FENCE_AT_PERCENT} % of the ttl after the start of
 *       the last granted renewal, before the witness may hand the lease to another node;</li>
 *   <li>its secondary provably still hears it: until {@link CheckpointConfig#FENCE_AT_PERCENT} % of the peer
 *       timeout after it sent a heartbeat the secondary echoed. A secondary takes over only after a whole peer
 *       timeout without a message from this node, so while it echoes, no takeover can happen; a dead or
 *       unreachable witness alone then does not stop the service.</li>
 * </ul>
 * When the primary loses its secondary, what was proven is withdrawn ({@link #withdraw}): output it would now release
 * unprotected (the secondary's VM never saw it) may leave only under a lease renewed after the loss, which proves the
 * secondary, alive behind a partition or not, cannot be granted a takeover. Once another node holds the lease
 * ({@link #revoke}), never again. Without a lease: always. Lock-free; any thread.
 */
public final class ReleasePermit implements BooleanSupplier {
    /** The permit of a node whose arbiter keeps no lease: nothing to fence on. */
    public static final ReleasePermit UNBOUNDED = new ReleasePermit(false);

    private final boolean bounded;
    private volatile long leaseUntil;
    private volatile long contactUntil;
    private volatile boolean revoked;

    private ReleasePermit(boolean bounded) {
        this.bounded = bounded;
        long now = System.nanoTime();
        leaseUntil = now; // expired: nothing is proven yet
        contactUntil = now;
    }

    /** A permit bounded by a lease and by contact, both unproven yet. */
    public static ReleasePermit bounded() {
        return new ReleasePermit(true);
    }

    public boolean isBounded() {
        return bounded;
    }

    /** May output leave now? */
    @Override
    public boolean getAsBoolean() {
        return !bounded || (!revoked && remainingNanos(System.nanoTime()) > 0);
    }

    /** How much longer output may leave, from {@code now}; zero or less: not now. */
    public long remainingNanos(long now) {
        if (!bounded) {
            return Long.MAX_VALUE;
        }
        if (revoked) {
            return 0;
        }
        return Math.max(leaseUntil - now, contactUntil - now);
    }

    /** The lease was confirmed: output may leave until {@code deadline} (System.nanoTime() time base). */
    void leaseConfirmedUntil(long deadline) {
        leaseUntil = deadline;
    }

    /** The secondary echoed a heartbeat: output may leave until {@code deadline}, if that is later than before. */
    void contactProvenUntil(long deadline) {
        if (deadline - contactUntil > 0) {
            contactUntil = deadline;
        }
    }

    /** Nothing proven so far counts any more: output waits for the next proof (a lease renewal started from now). */
    void withdraw() {
        long now = System.nanoTime();
        leaseUntil = now;
        contactUntil = now;
    }

    /** Another node took over: never release again. */
    void revoke() {
        revoked = true;
    }

    public boolean revoked() {
        return revoked;
    }
}
