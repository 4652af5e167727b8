package dev.colo.cli;

import dev.colo.cli.replay.DurationConverter;
import dev.colo.compare.CheckpointModel;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.rules.IgnoreRule;
import dev.colo.compare.rules.RuleSet;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The comparator's knobs, shared by every command that compares (replay, primary). */
public final class CompareOptions {
    @Option(names = "--compare-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "A frame waiting longer than this for its twin fires a checkpoint (default 3000ms).")
    Long compareTimeout;

    @Option(names = "--scan-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How often held frames are checked for the timeout (default 100ms).")
    Long scanInterval;

    @Option(names = "--max-queued-packets", paramLabel = "N",
            description = "Frames held per connection per side before a queue-full checkpoint (default 1024).")
    Integer maxQueuedPackets;

    @Option(names = "--thin-acks-after", paramLabel = "N",
            description = "With N primary frames held for one connection, a new bare ACK replaces the held bare ACK at the tail "
                    + "instead of queueing (duplicate and SACK ACKs never do): a lagging secondary costs no queue-full checkpoint. "
                    + "0: never. Default " + CompareConfig.DEFAULT_THIN_ACKS_AFTER + ".")
    Integer thinAcksAfter;

    @Option(names = "--max-queued-bytes", paramLabel = "BYTES",
            description = "Bytes held per connection per side before a queue-full checkpoint (default 16 MiB).")
    Long maxQueuedBytes;

    @Option(names = "--max-connections", paramLabel = "N",
            description = "Connections tracked; idle ones are evicted least-recent first (default 65536).")
    Integer maxConnections;

    @Option(names = "--min-checkpoint-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Divergences within this interval after a checkpoint coalesce into one (default 20ms).")
    Long minCheckpointInterval;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "A connection with nothing held and no traffic for this long is forgotten (default 120s).")
    Long idleTimeout;

    // split on NUL, which no command-line argument can hold: only a config file's list (joined with NULs) is split
    @Option(names = "--ignore", paramLabel = "RULE", split = "\\x00", hideParamSyntax = true,
            description = {"Let lines of this kind differ (repeatable): http-date, header:NAME (a header line",
                "'NAME: ...', any protocol), line:PREFIX (any line starting with PREFIX). Each use is reported."})
    List<String> ignore = new ArrayList<>();

    @Option(names = "--compare-tcp-options",
            description = "Compare TCP options too (off by default: timestamps differ between replicas).")
    boolean compareTcpOptions;

    /** The comparator configuration these options describe, validated. */
    public CompareConfig toConfig(CheckpointModel model) {
        CompareConfig c = new CompareConfig().checkpointModel(model);
        if (compareTimeout != null) {
            c.compareTimeoutNanos(compareTimeout);
        }
        if (scanInterval != null) {
            c.scanIntervalNanos(scanInterval);
        } else if (compareTimeout != null && compareTimeout < c.scanIntervalNanos()) {
            c.scanIntervalNanos(compareTimeout);
        }
        if (thinAcksAfter != null) {
            c.thinAcksAfter(thinAcksAfter);
        }
        if (maxQueuedPackets != null) {
            c.maxQueuedPackets(maxQueuedPackets);
        }
        if (maxQueuedBytes != null) {
            c.maxQueuedBytes(maxQueuedBytes);
        }
        if (maxConnections != null) {
            c.maxConnections(maxConnections);
        }
        if (minCheckpointInterval != null) {
            c.minCheckpointIntervalNanos(minCheckpointInterval);
        }
        if (idleTimeout != null) {
            c.idleTimeoutNanos(idleTimeout);
        }
        List<IgnoreRule> rules = new ArrayList<>();
        for (String r : ignore) {
            rules.add(IgnoreRule.parse(r));
        }
        c.rules(new RuleSet(!compareTcpOptions, rules));
        return c.validate();
    }
}
