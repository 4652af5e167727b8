package dev.colo.cli.metrics;

import dev.colo.checkpoint.ColoStatus;
import dev.colo.checkpoint.CoordinatorListener;
import dev.colo.checkpoint.protocol.Role;
import io.prometheus.metrics.core.metrics.Histogram;
import java.util.function.Supplier;

/**
 * {@code colo_checkpoint_pause_seconds}: how long the primary's VM stood still per checkpoint, recorded from the
 * coordinator's listener when a checkpoint ends (the primary leaves AWAITING_LOADED, right after it measured
 * the pause): once per checkpoint, never per frame.
 */
public final class CheckpointPauses implements CoordinatorListener {
    private final Histogram pauses = Histogram.builder().name("colo_checkpoint_pause_seconds")
            .help("Time the primary VM was paused per checkpoint (NEW to LOADED)")
            .classicOnly()
            .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
            .build();
    private volatile Supplier<ColoStatus> status;

    /** Where the pause just measured is read; set once the coordinator exists (its listener comes first). */
    public void attach(Supplier<ColoStatus> status) {
        this.status = status;
    }

    Histogram histogram() {
        return pauses;
    }

    @Override
    public void onTransition(Role role, String from, String to, String why) {
        Supplier<ColoStatus> s = status;
        if (role == Role.PRIMARY && "AWAITING_LOADED".equals(from) && s != null) {
            long nanos = s.get().lastPauseNanos();
            if (nanos > 0) {
                pauses.observe(nanos / 1e9);
            }
        }
    }
}
