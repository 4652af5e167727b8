package dev.colo.checkpoint;

import dev.colo.checkpoint.protocol.Role;
import dev.colo.checkpoint.protocol.Trigger;
import java.util.Map;

/**
 * A node's status, like QEMU's query-colo-status and more.
 *
 * @param failover NONE, ACTIVE (asking the arbiter), COMPLETED (promoted) or DENIED (the arbiter refused)
 */
public record ColoStatus(
        Role role,
        String state,
        String peer,
        boolean protectedOutput,
        long checkpoints,
        Map<Trigger, Long> checkpointsByTrigger,
        long aborted,
        long lastPauseNanos,
        long lastTransferBytes,
        long lastTransferNanos,
        String failover,
        String failoverReason) {
}
