package dev.colo.checkpoint.arbiter;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;

/**
 * Decides whether a node may act as the primary. Implementations: {@link AlwaysArbiter}, {@link WitnessArbiter}.
 *
 * <p>Two replicas alone cannot tell "the other node died" from "the link to it broke"; an arbiter is the
 * third party that makes sure only one of them acts as primary at a time.
 */
public interface Arbiter extends AutoCloseable {
    String ALWAYS = "always";
    String NONE = "none";
    String WITNESS_PREFIX = "witness:";

    /**
     * The active primary keeps its claim: called every renew interval by the primary.
     *
     * @return false when the claim is lost (another node holds it, or the witness could not be reached
     *         before the lease ran out); the caller must stop acting as primary at once
     */
    boolean renew(String clusterId, String nodeId);

    /** A secondary that lost its primary asks to take over. Blocks at most {@code timeout}. */
    Decision requestPromotion(String clusterId, String nodeId, Duration timeout);

    /** Whether a refused promotion may be granted on a later ask (a witness: once the dead primary's lease ran out). */
    default boolean mayGrantLater() {
        return true;
    }

    /**
     * Whether the claim is a lease that runs out unless renewed (a witness): the node holding it must stop releasing
     * output before it may be granted to another node ({@link #fenceDelayNanos}). False: nothing to fence on.
     */
    default boolean leased() {
        return false;
    }

    /**
     * How much longer this node may release output under its claim, in nanoseconds from now; zero or less: stop now.
     * Only meaningful when {@link #leased()}.
     */
    default long fenceDelayNanos(String clusterId, String nodeId) {
        return Long.MAX_VALUE;
    }

    /**
     * The node the arbiter named as holding the claim when it last refused this node (another node took over), or
     * null: the last answer was no such refusal. A primary told this never claims again: its state is stale.
     */
    default String heldByOther() {
        return null;
    }

    /** A node steps down (clean shutdown): frees the claim at once. */
    void release(String clusterId, String nodeId);

    String describe();

    @Override
    void close();

    /**
     * Parses an arbiter spec with the default lease: see {@link #parse(String, Duration)}.
     */
    static Arbiter parse(String spec) {
        return parse(spec, WitnessArbiter.DEFAULT_LEASE_TTL);
    }

    /**
     * Parses an arbiter spec: {@code none}, {@code always}, or {@code witness:HOST:PORT} (IPv6 as
     * {@code witness:[::1]:PORT}) for a {@link WitnessArbiter} with lease {@code leaseTtl} and the default I/O timeout.
     *
     * @throws IllegalArgumentException with the accepted forms when the spec is anything else
     */
    static Arbiter parse(String spec, Duration leaseTtl) {
        String usage = "arbiter must be '" + NONE + "', '" + ALWAYS + "' or '" + WITNESS_PREFIX + "HOST:PORT' (IPv6: "
                + WITNESS_PREFIX + "[::1]:PORT)";
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException(usage + ", got nothing");
        }
        String trimmed = spec.trim();
        if (trimmed.equalsIgnoreCase(ALWAYS)) {
            return new AlwaysArbiter();
        }
        if (trimmed.equalsIgnoreCase(NONE)) {
            return new NoArbiter();
        }
        if (!trimmed.toLowerCase(Locale.ROOT).startsWith(WITNESS_PREFIX)) {
            throw new IllegalArgumentException(usage + ", got '" + spec + "'");
        }
        HostPort witness;
        try {
            witness = HostPort.parse(trimmed.substring(WITNESS_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(usage + ", got '" + spec + "': " + e.getMessage(), e);
        }
        if (witness.port() == 0) {
            throw new IllegalArgumentException(usage + ", got '" + spec + "': the witness port cannot be 0");
        }
        // Unresolved: the name is looked up on each connect, so a witness that moves is found again.
        InetSocketAddress address = InetSocketAddress.createUnresolved(witness.host(), witness.port());
        return new WitnessArbiter(address, leaseTtl, WitnessArbiter.DEFAULT_IO_TIMEOUT);
    }
}
