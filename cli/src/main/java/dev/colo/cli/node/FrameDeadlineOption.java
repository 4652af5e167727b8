package dev.colo.cli.node;

import dev.colo.cli.replay.DurationConverter;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --frame-deadline}: how long a link peer may take over a frame it began (colo compare and the nodes alike). */
final class FrameDeadlineOption {
    @Option(names = "--frame-deadline", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "3s",
            description = "A link peer's frame, once begun, must be complete within this, and a peer that sent no whole "
                    + "frame in this long gives way to a newcomer (a slow stranger holds no slot). Default: ${DEFAULT-VALUE}.")
    long frameDeadlineNanos;

    Duration value() {
        return Duration.ofNanos(frameDeadlineNanos);
    }
}
