package dev.colo.cli.node;

import dev.colo.checkpoint.CheckpointConfig;
import dev.colo.cli.replay.DurationConverter;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Failover timing of a node: how fast a lost peer is detected and how the witness lease is kept. Shorter settings
 * mean a shorter outage at the client and more false alarms on a loaded or lossy network; the combination is
 * checked ({@link CheckpointConfig#validate()}) and refused with the reason.
 */
final class FailoverOptions {
    @Option(names = "--heartbeat-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "A heartbeat goes to the peer after this long without any other message; the detection window is "
                    + "interval x misses (200 ms by default). Default: 50ms.")
    Long heartbeatInterval;

    @Option(names = "--heartbeat-misses", paramLabel = "N",
            description = "The peer is lost after this many intervals without a message (>= 2). Default: 4.")
    Integer heartbeatMisses;

    @Option(names = "--lease", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "The witness lease the live node holds (100ms..60s, at least the detection window). The witness frees "
                    + "a silent holder's lease 1.5 x this after its last renewal, so a takeover of a dead primary takes about that "
                    + "long; the holder stops releasing output at 80 % of it without a renewal (unless its secondary still echoes "
                    + "its heartbeats). Shorter means a shorter outage and more false takeovers on a loaded host. Default: 250ms.")
    Long lease;

    @Option(names = "--renew-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How often the live node renews its lease (below half the lease). Default: 60ms.")
    Long renewInterval;

    @Option(names = "--promotion-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long one ask of the arbiter for a takeover may take. Default: 2s.")
    Long promotionTimeout;

    @Option(names = "--promotion-retry", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "A refused takeover is asked again after this long, until granted or the primary is back "
                    + "(at most one lease). Default: 50ms.")
    Long promotionRetry;

    /** The node's checkpoint settings with these timings applied, checked; a bad combination is a usage error. */
    CheckpointConfig apply(CommandSpec spec, CheckpointConfig config) {
        if (heartbeatInterval != null) {
            config.heartbeatInterval(Duration.ofNanos(heartbeatInterval));
        }
        if (heartbeatMisses != null) {
            config.heartbeatMisses(heartbeatMisses);
        }
        if (lease != null) {
            config.leaseTtl(Duration.ofNanos(lease));
        }
        if (renewInterval != null) {
            config.renewInterval(Duration.ofNanos(renewInterval));
        }
        if (promotionTimeout != null) {
            config.promotionTimeout(Duration.ofNanos(promotionTimeout));
        }
        if (promotionRetry != null) {
            config.promotionRetry(Duration.ofNanos(promotionRetry));
        }
        try {
            return config.validate();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "failover timing: " + e.getMessage());
        }
    }
}
