package dev.colo.cli.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.colo.checkpoint.protocol.Role;
import dev.colo.checkpoint.protocol.Trigger;
import dev.colo.compare.CheckpointReason;
import org.junit.jupiter.api.Test;

/** The gate a live primary's comparator polls: commits advance it; a request during a checkpoint waits for the next one. */
class CoordinatorGateTest {
    @Test
    void everyCommitAdvancesTheGenerationAndSatisfiesTheRequestBeforeIt() {
        CoordinatorGate gate = new CoordinatorGate();
        long target = gate.request(CheckpointReason.MISMATCH);
        assertEquals(1, target);
        gate.onCheckpointCommitted(7, Trigger.ON_DEMAND);
        assertEquals(1, gate.committedGeneration());
        gate.onCheckpointCommitted(8, Trigger.PERIODIC);
        assertEquals(2, gate.committedGeneration(), "periodic commits count too");
    }

    @Test
    void aRequestMadeWhileACheckpointIsUnderWayWaitsForTheOneAfter() {
        CoordinatorGate gate = new CoordinatorGate();
        gate.onTransition(Role.PRIMARY, "PROTECTED", "SENDING_STATE", "on demand");
        assertEquals(2, gate.request(CheckpointReason.TIMEOUT), "the running checkpoint's pause may precede the frame");
        gate.onTransition(Role.PRIMARY, "AWAITING_LOADED", "PROTECTED", "loaded");
        assertEquals(1, gate.request(CheckpointReason.TIMEOUT));
    }
}
