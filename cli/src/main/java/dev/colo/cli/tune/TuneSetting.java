package dev.colo.cli.tune;

import java.util.List;

/**
 * One point of the tuning grid: the comparator settings a sweep tries, and the ignore rules (in
 * `--ignore` syntax: `http-date`, `header:NAME`, `line:PREFIX`) in force with them.
 */
public record TuneSetting(long compareTimeoutNanos, int thinAcksAfter, long minCheckpointIntervalNanos, int maxQueuedPackets,
        List<String> rules) {
    public TuneSetting {
        rules = List.copyOf(rules);
    }
}
