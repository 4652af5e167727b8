package dev.colo.checkpoint;

import dev.colo.checkpoint.arbiter.Arbiter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the arbiter's claim of the node that releases output (the primary, or a secondary once it took over) and
 * keeps its {@link ReleasePermit} up to date: renews on a thread of its own (a renewal may block on the network and
 * must never wait behind a long capture), and tells the listener when output must stop ({@code onFenced}) and may
 * flow again ({@code onUnfenced}), on the coordinator's loop. The permit itself is what the node checks per frame;
 * the callbacks are for the status and for waking held output.
 */
final class LeaseKeeper implements AutoCloseable {
    private final Coordinator<?> owner;
    private final ReleasePermit permit;
    private final ScheduledExecutorService renewals;
    /** Unconfirmed until the arbiter's first answer. */
    private volatile boolean claimHeld;
    /** Loop only. */
    private boolean fenced;
    private ScheduledFuture<?> fenceTimer;
    private volatile boolean closed;

    LeaseKeeper(Coordinator<?> owner) {
        this.owner = owner;
        this.permit = owner.arbiter.leased() ? ReleasePermit.bounded() : ReleasePermit.UNBOUNDED;
        this.renewals = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "colo-arbiter-renew-" + owner.config.nodeId());
            t.setDaemon(true);
            return t;
        });
    }

    ReleasePermit permit() {
        return permit;
    }

    /**
     * Starts renewing every renew interval, the first at once. A node under a lease starts fenced until its lease is
     * confirmed, unless it holds one already (a secondary that was just granted the lease).
     */
    void start() {
        long every = owner.config.renewInterval().toMillis();
        if (owner.arbiter instanceof dev.colo.checkpoint.arbiter.WitnessArbiter witness) {
            every = Math.min(every, witness.renewInterval().toMillis()); // keep the witness's safety margin
        }
        long left = owner.arbiter.fenceDelayNanos(owner.config.clusterId(), owner.config.nodeId());
        if (permit.isBounded() && left > 0) {
            permit.leaseConfirmedUntil(System.nanoTime() + left); // a secondary just granted the lease
            owner.loop.execute(this::checkFence);
        } else if (permit.isBounded()) {
            fenced = true;
            owner.loop.execute(() -> owner.listener.onFenced("no lease confirmed by " + owner.arbiter.describe() + " yet"));
        }
        renewals.scheduleWithFixedDelay(this::renew, 0, Math.max(1, every), TimeUnit.MILLISECONDS);
    }

    /** When the secondary was last lost (System.nanoTime()): renewals that started before prove nothing after it. */
    private volatile long withdrawnAt = System.nanoTime() - 1;

    /** On the loop: the secondary is lost; see {@link ReleasePermit#withdraw}. */
    void secondaryLost() {
        if (!permit.isBounded()) {
            return;
        }
        withdrawnAt = System.nanoTime();
        permit.withdraw();
        checkFence();
    }

    private void renew() {
        CheckpointConfig config = owner.config;
        Arbiter arbiter = owner.arbiter;
        boolean held = arbiter.renew(config.clusterId(), config.nodeId());
        if (permit.isBounded()) {
            long now = System.nanoTime(); // before the arbiter's own reading: the claim time below errs early
            long left = arbiter.fenceDelayNanos(config.clusterId(), config.nodeId());
            long deadline = now + left;
            // The lease trusted may come from a claim sent before the secondary was lost (a renewal that could not reach
            // the witness keeps the old one): it proves nothing about what came after.
            long claimedAt = deadline - fenceWindowNanos();
            if (left > 0 && claimedAt - withdrawnAt > 0) {
                permit.leaseConfirmedUntil(deadline);
            }
            String other = held ? null : arbiter.heldByOther();
            if (other != null && !permit.revoked()) {
                permit.revoke();
                renewals.shutdown(); // never claim again: this node's state is older than what the other node released
                owner.loop.execute(() -> revoked(other));
                return;
            }
            owner.loop.execute(this::checkFence);
        }
        if (held != claimHeld) {
            claimHeld = held;
            owner.loop.execute(() -> {
                String lost = "arbiter " + arbiter.describe() + ": this node's claim as primary is lost";
                if (held) {
                    if (lost.equals(owner.failoverReason)) {
                        owner.failoverReason = ""; // only our own reason: a takeover's stays
                    }
                    owner.listener.onClaimConfirmed();
                } else {
                    owner.failoverReason = lost;
                    owner.listener.onClaimLost(lost);
                }
            });
        }
    }

    /** From the start of a granted claim to the moment its holder must stop releasing. */
    private long fenceWindowNanos() {
        java.time.Duration ttl = owner.arbiter instanceof dev.colo.checkpoint.arbiter.WitnessArbiter witness
                ? witness.leaseTtl() : owner.config.leaseTtl();
        return ttl.toNanos() * CheckpointConfig.FENCE_AT_PERCENT / 100;
    }

    private void revoked(String other) {
        owner.failover = "DEMOTED";
        owner.failoverReason = "node " + other + " holds the lease: it took over; this node releases no output any more"
                + " (restart it as a secondary to protect the service again)";
        fenced = true;
        owner.listener.onClaimLost(owner.failoverReason);
        owner.listener.onFenced(owner.failoverReason);
    }

    /**
     * On the loop: the secondary echoed a heartbeat this node sent at {@code sentAt} (its own clock). It takes over
     * only after a whole peer timeout without a message from this node, so output may leave until
     * {@link CheckpointConfig#FENCE_AT_PERCENT} % of that timeout after {@code sentAt}. An echo of a time not yet
     * reached, or older than that window, proves nothing and is ignored.
     */
    void heartbeatEchoed(long sentAt) {
        if (!permit.isBounded()) {
            return;
        }
        long window = owner.config.peerTimeout().toNanos() * CheckpointConfig.FENCE_AT_PERCENT / 100;
        long age = System.nanoTime() - sentAt;
        if (age < 0 || age >= window) {
            return;
        }
        permit.contactProvenUntil(sentAt + window);
        if (fenced) {
            checkFence();
        }
    }

    /** On the loop, after each renewal, echo and when the fence timer fires: fences or unfences, and re-arms the timer. */
    private void checkFence() {
        if (closed || permit.revoked()) {
            return;
        }
        long left = permit.remainingNanos(System.nanoTime());
        if (fenceTimer != null) {
            fenceTimer.cancel(false);
            fenceTimer = null;
        }
        if (left > 0) {
            if (fenced) {
                fenced = false;
                owner.listener.onUnfenced();
            }
            fenceTimer = owner.loop.schedule(this::checkFence, left, TimeUnit.NANOSECONDS);
        } else if (!fenced) {
            fenced = true;
            owner.listener.onFenced("lease not renewed within "
                    + CheckpointConfig.FENCE_AT_PERCENT + " % of its ttl, and the secondary did not echo a heartbeat within "
                    + CheckpointConfig.FENCE_AT_PERCENT + " % of the peer timeout: output stops before "
                    + owner.arbiter.describe() + " may grant the lease to another node");
        }
    }

    /** On the loop. */
    @Override
    public void close() {
        closed = true;
        renewals.shutdownNow();
        if (fenceTimer != null) {
            fenceTimer.cancel(false);
        }
    }
}
