package dev.colo.cli.replay;

import dev.colo.compare.CompareConfig;
import dev.colo.compare.Side;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the clock steps of a capture pair: consecutive records of one file stamped further apart than any deadline the
 * comparator keeps (forwards), or out of order by more than a scan interval (backwards). A step on the capturing host
 * (or a pcapng if_tsresol that makes stamps huge) is reported with how the replay treated it; the comparator's clock
 * costs per event, so a step of any size costs as little as one of a minute. Per frame: two compares, no allocation.
 */
final class ClockSteps {
    /** Steps listed in a report; more are counted. */
    static final int KEEP = 100;

    /** One step: {@code side} {@link Side#P} or {@link Side#S}, the 1-based record number after the step, its size. */
    record Step(int side, long frame, long nanos) {
        boolean forwards() {
            return nanos > 0;
        }

        String treatment() {
            return forwards()
                    ? "time jumped: every deadline that fell due fired at once, each held frame's timeout once"
                    : "clock kept: the comparator's clock never goes back; the frame's wait counts from its own stamp, so it may time out at once";
        }

        String sideName() {
            return side == Side.P ? "primary" : "secondary";
        }
    }

    private final long forwardThreshold;
    private final long backwardThreshold;
    private final long[] last = {Long.MIN_VALUE, Long.MIN_VALUE};
    private final List<Step> steps = new ArrayList<>();
    private long count;

    ClockSteps(CompareConfig config) {
        this.forwardThreshold = Math.max(config.idleTimeoutNanos(),
                config.compareTimeoutNanos() + config.minCheckpointIntervalNanos() + 2 * config.scanIntervalNanos());
        this.backwardThreshold = config.scanIntervalNanos();
    }

    /** The record {@code frame} (1-based, in its own file) of {@code side}, stamped {@code ts}. */
    void record(int side, long frame, long ts) {
        long previous = last[side];
        last[side] = ts;
        if (previous == Long.MIN_VALUE) {
            return;
        }
        long delta = ts - previous;
        if (delta > forwardThreshold || delta < -backwardThreshold) {
            if (count++ < KEEP) {
                steps.add(new Step(side, frame, delta));
            }
        }
    }

    List<Step> steps() {
        return List.copyOf(steps);
    }

    long count() {
        return count;
    }

    /** A step's size for a report: the largest unit that fits, signed. */
    static String size(long nanos) {
        long abs = Math.abs(nanos);
        String sign = nanos < 0 ? "-" : "+";
        if (abs >= 86_400_000_000_000L) {
            return String.format(java.util.Locale.ROOT, "%s%.1f d", sign, abs / 86_400e9);
        }
        if (abs >= 3_600_000_000_000L) {
            return String.format(java.util.Locale.ROOT, "%s%.1f h", sign, abs / 3_600e9);
        }
        return String.format(java.util.Locale.ROOT, "%s%.3f s", sign, abs / 1e9);
    }
}
