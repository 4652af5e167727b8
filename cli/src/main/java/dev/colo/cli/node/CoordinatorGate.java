package dev.colo.cli.node;

import dev.colo.checkpoint.CoordinatorListener;
import dev.colo.checkpoint.PrimaryCoordinator;
import dev.colo.checkpoint.protocol.Role;
import dev.colo.checkpoint.protocol.Trigger;
import dev.colo.compare.CheckpointReason;

/**
 * The comparator's checkpoint gate backed by the primary coordinator: a request becomes an on-demand
 * checkpoint; every commit (requested, periodic or manual) advances the generation the comparator
 * polls. A request made while a checkpoint is already under way may not be covered by it (its pause
 * may precede the frame), so it waits for the one after.
 */
public final class CoordinatorGate extends CountingGate implements CoordinatorListener {
    private volatile PrimaryCoordinator coordinator;
    private volatile boolean inFlight;

    /** Set once the coordinator exists (it takes this gate as its listener first). */
    public void attach(PrimaryCoordinator primary) {
        this.coordinator = primary;
    }

    @Override
    public long request(CheckpointReason reason) {
        long target = committed.get() + (inFlight ? 2 : 1);
        PrimaryCoordinator c = coordinator;
        if (c != null) {
            c.requestCheckpoint(Trigger.ON_DEMAND, reason.toString());
        }
        return target;
    }

    @Override
    public void onTransition(Role role, String from, String to, String why) {
        if (role == Role.PRIMARY) {
            inFlight = switch (to) {
                case "NEW_SENT", "SENDING_STATE", "AWAITING_RECEIVED", "AWAITING_LOADED" -> true;
                default -> false;
            };
        }
    }

    @Override
    public void onCheckpointCommitted(long id, Trigger trigger) {
        committed.incrementAndGet();
    }
}
