package dev.colo.cli.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client's view of an outage: `ping -D -i 0.01` from the client namespace to the service, through COLO.
 * The longest gap between two consecutive replies around the failover is the outage the client saw.
 */
public final class PingProbe {
    private static final Pattern REPLY = Pattern.compile("^\\[(\\d+\\.\\d+)\\] \\d+ bytes from .*icmp_seq=(\\d+)");
    private final Path log;

    public PingProbe(Path log) {
        this.log = log;
    }

    /** Reply times (epoch seconds) in the order they came. */
    public List<Double> replies() throws IOException {
        List<Double> times = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            Matcher m = REPLY.matcher(line);
            if (m.find()) {
                times.add(Double.parseDouble(m.group(1)));
            }
        }
        return times;
    }

    /** The longest gap between consecutive replies that spans or follows {@code fromEpochSeconds}, in ms; -1 with no reply after it. */
    long outageMillis(double fromEpochSeconds) throws IOException {
        List<Double> times = replies();
        double longest = -1;
        for (int i = 1; i < times.size(); i++) {
            if (times.get(i) >= fromEpochSeconds) {
                longest = Math.max(longest, times.get(i) - times.get(i - 1));
            }
        }
        return longest < 0 ? -1 : Math.round(longest * 1000);
    }
}
