package dev.colo.cli.lab;

import java.util.List;
import java.util.Locale;

/**
 * What a {@link CompareFeeder} run saw. Times are nanoseconds since the first write ({@code -1}: never).
 *
 * @param frames          frames per side the run was to send
 * @param primarySent     frames wholly written to primary-in
 * @param secondarySent   frames wholly written to secondary-in
 * @param received        frames read from outdev, all of them (duplicates and unknown ones too)
 * @param distinct        distinct primary frames received (each index once)
 * @param missing         {@code frames - distinct}
 * @param duplicates      frames received again after their first copy
 * @param reordered       frames that arrived after a later frame of their flow
 * @param corrupted       frames whose stamp names a sent frame but whose bytes differ from it
 * @param unknown         frames that name no sent frame (unparseable, wrong flow, index out of range)
 * @param bytesReceived   frame bytes read from outdev (headers of the socket format not counted)
 * @param firstReceiveNanos when the first frame arrived
 * @param lastReceiveNanos  when the last frame arrived
 * @param runNanos        from the first write until the run stopped (includes the idle wait, if any)
 * @param complete        every frame arrived
 * @param stopReason      why the run stopped
 * @param problems        the first few duplicates, reorders, corruptions and unknown frames as they came (five of each
 *                        kind at most), then the first five missing ones
 * @param missingPerFlow  missing frames by flow (flow f: frames i with i % flows == f; the last flows are UDP)
 * @param errors          I/O errors of the sockets (a comparator that closed a link, say)
 */
public record CompareFeederResult(long frames, long primarySent, long secondarySent, long received, long distinct, long missing,
        long duplicates, long reordered, long corrupted, long unknown, long bytesReceived, long firstReceiveNanos,
        long lastReceiveNanos, long runNanos, boolean complete, String stopReason, List<String> problems, List<Long> missingPerFlow,
        List<String> errors) {

    /** Every frame arrived once, in order per flow, unchanged, and nothing else arrived. */
    public boolean ok() {
        return complete && duplicates == 0 && reordered == 0 && corrupted == 0 && unknown == 0;
    }

    /** From the first write to the last frame received (the span the throughput is measured over). */
    public long elapsedNanos() {
        return lastReceiveNanos < 0 ? runNanos : lastReceiveNanos;
    }

    /** Distinct primary frames released per second over {@link #elapsedNanos()}. */
    public double framesPerSecond() {
        long e = elapsedNanos();
        return e <= 0 ? 0 : distinct * 1e9 / e;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "feeder: %s (%s)%n", ok() ? "OK" : "FAILED", stopReason));
        b.append(String.format(Locale.ROOT, "  sent      primary %,d, secondary %,d of %,d per side%n", primarySent, secondarySent, frames));
        b.append(String.format(Locale.ROOT, "  received  %,d frames (%,d distinct, %,d bytes)%n", received, distinct, bytesReceived));
        b.append(String.format(Locale.ROOT, "  missing %,d, duplicates %,d, reordered %,d, corrupted %,d, unknown %,d%n",
                missing, duplicates, reordered, corrupted, unknown));
        b.append(String.format(Locale.ROOT, "  first receive %s, last receive %s, run %.3f s, %,.0f frames/s%n",
                seconds(firstReceiveNanos), seconds(lastReceiveNanos), runNanos / 1e9, framesPerSecond()));
        if (missing > 0) {
            b.append("  missing per flow: ").append(missingPerFlow).append(System.lineSeparator());
        }
        for (String p : problems) {
            b.append("  problem: ").append(p).append(System.lineSeparator());
        }
        for (String e : errors) {
            b.append("  error: ").append(e).append(System.lineSeparator());
        }
        return b.toString();
    }

    private static String seconds(long nanos) {
        return nanos < 0 ? "never" : String.format(Locale.ROOT, "%.3f s", nanos / 1e9);
    }
}
