package dev.colo.checkpoint;

import dev.colo.checkpoint.protocol.Role;
import dev.colo.checkpoint.protocol.Trigger;

/** What the coordinators tell the rest of the appliance (the proxy) and any observer. Called on the link's thread. */
public interface CoordinatorListener {
    /** Every state change of either role's state machine. */
    default void onTransition(Role role, String from, String to, String why) {
    }

    /** Primary: the secondary RECEIVED the whole state of checkpoint {@code id}: held output may be released. */
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

    /** Secondary: it took over as the live node. */
    default void onFailover(String reason) {
    }

    CoordinatorListener NONE = new CoordinatorListener() {
    };
}
