package dev.colo.cli.node;

import dev.colo.checkpoint.CoordinatorListener;
import dev.colo.checkpoint.protocol.Role;
import dev.colo.checkpoint.protocol.Trigger;

/** Several coordinator listeners as one, called in order. */
final class Listeners implements CoordinatorListener {
    private final CoordinatorListener[] all;

    private Listeners(CoordinatorListener[] all) {
        this.all = all;
    }

    static CoordinatorListener all(CoordinatorListener... listeners) {
        return new Listeners(java.util.Arrays.stream(listeners).filter(java.util.Objects::nonNull).toArray(CoordinatorListener[]::new));
    }

    @Override
    public void onTransition(Role role, String from, String to, String why) {
        for (CoordinatorListener l : all) {
            l.onTransition(role, from, to, why);
        }
    }

    @Override
    public void onCheckpointCommitted(long id, Trigger trigger) {
        for (CoordinatorListener l : all) {
            l.onCheckpointCommitted(id, trigger);
        }
    }

    @Override
    public void onCheckpointAborted(long id, String reason) {
        for (CoordinatorListener l : all) {
            l.onCheckpointAborted(id, reason);
        }
    }

    @Override
    public void onProtected(String secondaryNodeId) {
        for (CoordinatorListener l : all) {
            l.onProtected(secondaryNodeId);
        }
    }

    @Override
    public void onSecondaryLost(String reason) {
        for (CoordinatorListener l : all) {
            l.onSecondaryLost(reason);
        }
    }

    @Override
    public void onClaimLost(String reason) {
        for (CoordinatorListener l : all) {
            l.onClaimLost(reason);
        }
    }

    @Override
    public void onClaimConfirmed() {
        for (CoordinatorListener l : all) {
            l.onClaimConfirmed();
        }
    }

    @Override
    public void onFenced(String reason) {
        for (CoordinatorListener l : all) {
            l.onFenced(reason);
        }
    }

    @Override
    public void onUnfenced() {
        for (CoordinatorListener l : all) {
            l.onUnfenced();
        }
    }

    @Override
    public void onFailover(String reason) {
        for (CoordinatorListener l : all) {
            l.onFailover(reason);
        }
    }
}
