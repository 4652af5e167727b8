package dev.colo.cli.replay;

import dev.colo.compare.CompareConfig;
import dev.colo.compare.CompareStats;
import dev.colo.compare.Divergence;
import dev.colo.compare.HoldTimeHistogram;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Everything a replay found, for the text and JSON reports and for tests. */
public record ReplayResult(
        Path primary,
        Path secondary,
        CompareConfig config,
        CompareStats stats,
        HoldTimeHistogram holdTimes,
        int heldAtEndOfInput,
        int heldAfterDrain,
        List<Divergence> divergences,
        List<Divergence> checkpoints,
        Map<String, Long> rulesFired,
        long firstTimestampNanos,
        long lastTimestampNanos,
        long wallNanos,
        List<String> inputErrors,
        /** The most frames held at once (both sides), tracked by the direct mode; -1 when not tracked (pipeline). */
        int peakHeld,
        /** Clock steps found in the inputs (the first {@link ClockSteps#KEEP}), and how many in all. */
        List<ClockSteps.Step> clockSteps,
        long clockStepCount,
        /** Deadlines the comparator's clock fired, and repeated timeouts it collapsed (see OutputComparator). */
        long clockFirings,
        long repeatsCollapsed) {

    public long framesPerSecond() {
        long frames = stats.get(CompareStats.FRAMES_PRIMARY) + stats.get(CompareStats.FRAMES_SECONDARY);
        return wallNanos <= 0 ? 0 : (long) (frames * 1e9 / wallNanos);
    }

    public boolean diverged() {
        return stats.totalDivergences() > 0;
    }
}
