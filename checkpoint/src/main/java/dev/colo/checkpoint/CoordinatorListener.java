package dev.colo.checkpoint;

import dev.colo.checkpoint.protocol.Role;
import dev.colo.checkpoint.protocol.Trigger;

/** What the coordinators tell the rest of the appliance (the proxy) and any observer. Called on the link's thread. */
public interface CoordinatorListener {
    /** Every state change of either role's state machine. */
    default void onTransition(Role role, String from, String to, String why) {
    }

    /**
     * Primary: the secondary RECEIVED the whole state of checkpoint {@code id}: held output may be released.
     * Secondary: the state of checkpoint {@code id} is applied: the VM is now a copy of the primary's.
     */
    default void onCheckpointCommitted(long id, Trigger trigger) {
    }

    /** Either role: checkpoint {@code id} was abandoned; the secondary stays on its last consistent state. */
    default void onCheckpointAborted(long id, String reason) {
    }

    /** Primary: a secondary finished its first sync: output is protected again. */
    default void onProtected(String secondaryNodeId) {
    }

    /** Primary: the secondary is gone: run unprotected (release output without comparing). */
    default void onSecondaryLost(String reason) {
    }

    /**
     * Primary: the arbiter no longer confirms this node as the primary (another node holds the claim, or
     * the witness is unreachable and the lease ran out). The proxy should stop releasing output: a
     * secondary may be taking over.
     */
    default void onClaimLost(String reason) {
    }

    /** Primary: the arbiter confirms this node as the primary (first at start, then after any {@link #onClaimLost}). */
    default void onClaimConfirmed() {
    }

    /**
     * Primary: the lease could not be renewed in time: stop releasing output now. Called {@code
     * WitnessArbiter.FENCE_AT_PERCENT} % into the lease after the start of the last confirmed renewal, before
     * the witness can hand the lease to another node (it frees it only at 1.5 x ttl after that renewal
     * arrived, on its own clock). Also called once at start: a primary with a witness is fenced until the
     * witness first confirms its lease. Never called with an arbiter that holds no lease.
     */
    default void onFenced(String reason) {
    }

    /** Primary: after {@link #onFenced}, the witness confirmed this node's lease again: output may flow. */
    default void onUnfenced() {
    }

    /** Secondary: it took over as the live node. */
    default void onFailover(String reason) {
    }

    CoordinatorListener NONE = new CoordinatorListener() {
    };
}
