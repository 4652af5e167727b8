package dev.colo.checkpoint.arbiter;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Asks a {@link WitnessServer} on a third machine who may be primary: the primary holds a lease there and
 * renews it every ttl/3; a secondary that lost its primary gets the lease only once the primary's has
 * expired. A secondary cut off from a live primary is therefore refused (the primary keeps renewing), and
 * a primary cut off from the witness stops trusting its lease when the ttl runs out.
 *
 * <p>Thread-safe: renewals from a timer thread and a promotion request from another share one connection,
 * one request at a time. No request blocks longer than the I/O timeout, and a renewal never blocks past
 * the end of the lease it is renewing.
 */
public final class WitnessArbiter implements Arbiter {
    /**
     * Short enough for a takeover within about half a second of a primary's death (the witness frees a lease
     * 1.5 x ttl after its last renewal arrived), long enough for four renewals at the default 60 ms.
     */
    public static final Duration DEFAULT_LEASE_TTL = Duration.ofMillis(250);
    /**
     * The holder stops trusting its lease for output (fences itself) this many percent of the ttl after it
     * sent its last granted claim. The witness frees the lease only 150 % of the ttl after that claim
     * arrived, on its own clock: the 70 % between the two covers clock-rate differences (up to about 35 %)
     * and the time the holder's fence callback takes. See {@link #fenceDelayNanos}.
     */
    public static final int FENCE_AT_PERCENT = 80;
    public static final Duration DEFAULT_IO_TIMEOUT = Duration.ofSeconds(1);
    /** The primary renews this many times per lease, so one lost renewal does not cost it the lease. */
    public static final int RENEWALS_PER_LEASE = 3;
    /** Pause between promotion attempts while the witness cannot be reached. */
    static final Duration RETRY_PAUSE = Duration.ofMillis(100);

    private final InetSocketAddress witness;
    private final Duration leaseTtl;
    private final Duration ioTimeout;
    private final LongSupplier nanoTime;
    private final HeldLease heldLease = new HeldLease();
    /** Serialises use of the one connection; tryLock keeps each caller within its own deadline. */
    private final ReentrantLock connection = new ReentrantLock();
    private final WitnessClient client;
    private volatile boolean closed;
    /** Who held the lease when the witness last refused this node; null after a grant. */
    private volatile String deniedBy;

    public WitnessArbiter(InetSocketAddress witness, Duration leaseTtl, Duration ioTimeout) {
        this(witness, leaseTtl, ioTimeout, System::nanoTime);
    }

    /** @param nanoTime the clock leases are timed on ({@link System#nanoTime()} outside tests) */
    WitnessArbiter(InetSocketAddress witness, Duration leaseTtl, Duration ioTimeout, LongSupplier nanoTime) {
        this.witness = Objects.requireNonNull(witness, "witness");
        this.leaseTtl = Objects.requireNonNull(leaseTtl, "leaseTtl");
        this.ioTimeout = Objects.requireNonNull(ioTimeout, "ioTimeout");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        if (!WitnessProtocol.isValidTtl(leaseTtl.toMillis())) {
            throw new IllegalArgumentException("leaseTtl must be " + WitnessProtocol.MIN_TTL_MILLIS + ".."
                    + WitnessProtocol.MAX_TTL_MILLIS + " ms, got " + leaseTtl.toMillis() + " ms");
        }
        if (ioTimeout.isNegative() || ioTimeout.isZero()) {
            throw new IllegalArgumentException("ioTimeout must be positive, got " + ioTimeout);
        }
        this.client = new WitnessClient(witness, nanoTime);
    }

    /** How often the primary should call {@link #renew}: ttl / {@value #RENEWALS_PER_LEASE}. */
    public Duration renewInterval() {
        return leaseTtl.dividedBy(RENEWALS_PER_LEASE);
    }

    public Duration leaseTtl() {
        return leaseTtl;
    }

    /**
     * How long this node may still release output as the lease holder: until {@value #FENCE_AT_PERCENT} % of
     * the ttl after the start of its last granted claim, on this arbiter's clock. Zero or less: fence now
     * (also when no lease is held). A primary checks this on a timer of its own, not only when a renewal
     * returns, because a renewal may hang on the network past that point.
     */
    @Override
    public boolean leased() {
        return true;
    }

    @Override
    public String heldByOther() {
        return deniedBy;
    }

    @Override
    public long fenceDelayNanos(String clusterId, String nodeId) {
        long left = heldLease.remainingNanos(clusterId, nodeId, nanoTime.getAsLong());
        if (left <= 0) {
            return 0;
        }
        return left - leaseTtl.toNanos() * (100 - FENCE_AT_PERCENT) / 100;
    }

    /**
     * Renews the lease. While the lease is still valid a failed request returns true (the next call
     * retries); once it has run out without a renewal this returns false at once, without asking the
     * witness, because by then the witness may be handing it to the other node. The call after that
     * claims afresh.
     */
    @Override
    public boolean renew(String clusterId, String nodeId) {
        checkIds(clusterId, nodeId);
        long now = nanoTime.getAsLong();
        boolean wasHeld = heldLease.isHeld(clusterId, nodeId);
        long trustLeft = heldLease.remainingNanos(clusterId, nodeId, now);
        if (wasHeld && trustLeft <= 0) {
            heldLease.forget();
            return false;
        }
        long budget = ioTimeout.toNanos();
        if (wasHeld) {
            budget = Math.min(budget, trustLeft);
        }
        // RENEW while this node holds the lease: a restarted witness grants it even in its quiet period.
        ClaimReply reply = claim(clusterId, nodeId, now + budget, wasHeld);
        return switch (reply.kind()) {
            case GRANTED -> true;
            case DENIED -> false;
            case REFUSED, UNREACHABLE -> heldLease.remainingNanos(clusterId, nodeId, nanoTime.getAsLong()) > 0;
        };
    }

    /**
     * Claims the lease, retrying while the witness cannot be reached until {@code timeout} has passed.
     * Granted only when nobody else holds a live lease.
     */
    @Override
    public Decision requestPromotion(String clusterId, String nodeId, Duration timeout) {
        checkIds(clusterId, nodeId);
        Objects.requireNonNull(timeout, "timeout");
        long deadline = nanoTime.getAsLong() + Math.max(0, timeout.toNanos());
        String problem = "no time to ask (timeout " + timeout.toMillis() + " ms)";
        while (true) {
            long now = nanoTime.getAsLong();
            long left = deadline - now;
            if (left <= 0) {
                break;
            }
            ClaimReply reply = claim(clusterId, nodeId, now + Math.min(ioTimeout.toNanos(), left), false);
            switch (reply.kind()) {
                case GRANTED:
                    return Decision.grant("witness " + witnessName() + " granted the lease for " + leaseTtl.toMillis() + " ms");
                case DENIED:
                    return Decision.refuse("witness " + witnessName() + ": node " + reply.holder()
                            + " holds the lease for another " + reply.remainingMillis()
                            + " ms (the primary may still be alive)");
                default:
                    problem = reply.detail();
            }
            if (!pause(Math.min(RETRY_PAUSE.toNanos(), deadline - nanoTime.getAsLong()))) {
                problem = problem + " (interrupted)";
                break;
            }
        }
        return Decision.refuse("witness " + witnessName() + " could not be asked: " + problem
                + "; not taking over without it");
    }

    /** Stops trusting the lease at once, then tells the witness (best effort: the lease expires anyway). */
    @Override
    public void release(String clusterId, String nodeId) {
        checkIds(clusterId, nodeId);
        heldLease.forget();
        long deadline = nanoTime.getAsLong() + ioTimeout.toNanos();
        if (acquireConnection(deadline) != null) {
            return;
        }
        try {
            client.exchange(WitnessProtocol.release(clusterId, nodeId), deadline);
        } catch (IOException e) {
            client.close();
        } finally {
            connection.unlock();
        }
    }

    @Override
    public String describe() {
        return "witness " + witnessName() + " (lease " + leaseTtl.toMillis() + " ms, renewed every "
                + renewInterval().toMillis() + " ms, I/O timeout " + ioTimeout.toMillis() + " ms)";
    }

    @Override
    public void close() {
        closed = true;
        heldLease.forget();
        connection.lock();
        try {
            client.close();
        } finally {
            connection.unlock();
        }
    }

    @Override
    public String toString() {
        return describe();
    }

    /** Sends one CLAIM and updates what this node believes it holds, in the order replies arrive. */
    private ClaimReply claim(String clusterId, String nodeId, long deadline, boolean renewal) {
        String busy = acquireConnection(deadline);
        if (busy != null) {
            return ClaimReply.unreachable(busy);
        }
        try {
            long sentAt = nanoTime.getAsLong();
            String request = renewal ? WitnessProtocol.renew(clusterId, nodeId, leaseTtl.toMillis())
                    : WitnessProtocol.claim(clusterId, nodeId, leaseTtl.toMillis());
            String line = client.exchange(request, deadline);
            ClaimReply reply = ClaimReply.parse(line, clusterId, nodeId);
            switch (reply.kind()) {
                case GRANTED -> {
                    heldLease.grant(clusterId, nodeId, sentAt + leaseTtl.toNanos());
                    deniedBy = null;
                }
                case DENIED -> {
                    heldLease.forget();
                    // A restarted witness names no real holder: that refusal says nothing about a takeover.
                    if (!LeaseTable.RESTARTED_HOLDER.equals(reply.holder())) {
                        deniedBy = reply.holder();
                    }
                }
                default -> client.close(); // start clean: the witness may be closing this connection anyway
            }
            return reply;
        } catch (IOException e) {
            client.close();
            return ClaimReply.unreachable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } finally {
            connection.unlock();
        }
    }

    /** Takes the connection before the deadline: returns null when taken (caller unlocks), else why not. */
    private String acquireConnection(long deadline) {
        if (closed) {
            return "the arbiter is closed";
        }
        try {
            if (!connection.tryLock(Math.max(0, deadline - nanoTime.getAsLong()), TimeUnit.NANOSECONDS)) {
                return "another request to the witness is still running";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        if (closed) {
            connection.unlock();
            return "the arbiter is closed";
        }
        return null;
    }

    private static boolean pause(long nanos) {
        if (nanos <= 0) {
            return true;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String witnessName() {
        return new HostPort(witness.getHostString(), witness.getPort()).toString();
    }

    private static void checkIds(String clusterId, String nodeId) {
        WitnessProtocol.requireValidName("clusterId", clusterId);
        WitnessProtocol.requireValidName("nodeId", nodeId);
    }
}
