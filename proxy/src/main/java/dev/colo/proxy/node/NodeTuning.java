package dev.colo.proxy.node;

import java.time.Duration;

/**
 * How a node spends its CPU for latency.
 *
 * @param busyPoll how long the node's loop keeps polling after its last event before it sleeps (zero:
 *        sleep at once; worth it only with a core to spare per node)
 * @param compareOnOwnThread the primary compares on a thread of its own behind the Disruptor, instead of
 *        on its loop: the loop never waits for the comparator, at the cost of a thread hand-off per frame
 */
public record NodeTuning(Duration busyPoll, boolean compareOnOwnThread) {
    public static final NodeTuning DEFAULT = new NodeTuning(Duration.ZERO, false);

    public NodeTuning {
        if (busyPoll == null || busyPoll.isNegative()) {
            throw new IllegalArgumentException("busy-poll time must be >= 0, got " + busyPoll);
        }
    }
}
