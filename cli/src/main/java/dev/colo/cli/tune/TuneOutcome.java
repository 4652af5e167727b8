package dev.colo.cli.tune;

import dev.colo.compare.CheckpointReason;
import java.util.Map;

/**
 * What one setting gave over every pair of the sweep: checkpoints asked, by reason and in all; hold time of
 * released output (p50, p99, virtual time); the most frames held at once; divergences no rule excused.
 */
public record TuneOutcome(TuneSetting setting, Map<CheckpointReason, Long> checkpointsByReason, long checkpoints,
        long holdP50Nanos, long holdP99Nanos, int peakHeld, long unexcusedDivergences) {
    public TuneOutcome {
        checkpointsByReason = Map.copyOf(checkpointsByReason);
    }
}
