package dev.colo.cli.replay;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Properties;

/** The regression capture pairs bundled in the jar (from the pcaps module), extracted on demand. */
public final class BundledPairs {
    public static final String DEFAULT_PAIR = "http-one-byte";
    public static final List<String> NAMES = List.of(
            "http-identical", "http-date", "http-one-byte", "bulk-segmentation",
            "udp-echo", "icmp-echo", "ipv6-http", "arp", "ipv6-http-two-clients", "redis-two-clients");
    private static final String ROOT = "/dev/colo/pcap/corpus/";

    private BundledPairs() {
    }

    /** A pair extracted to a temporary folder (deleted when the JVM exits), with its expected.properties and outcome.properties merged. */
    public record Pair(String name, Path primary, Path secondary, Properties expected) {
    }

    public static Pair extract(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("no bundled pair '" + name + "'; bundled pairs: " + String.join(", ", NAMES));
        }
        try {
            Path dir = Files.createTempDirectory("colo-pair-");
            dir.toFile().deleteOnExit();
            Path p = copy(name, "pvm.pcap", dir);
            Path s = copy(name, "svm.pcap", dir);
            // expected.properties: facts of the capture (written by regenerate.sh);
            // outcome.properties: what a replay must find (hand-written).
            Properties expected = new Properties();
            for (String file : new String[] {"expected.properties", "outcome.properties"}) {
                try (InputStream in = open(name, file)) {
                    expected.load(in);
                }
            }
            return new Pair(name, p, s, expected);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract bundled pair " + name + ": " + e.getMessage(), e);
        }
    }

    private static Path copy(String name, String file, Path dir) throws IOException {
        Path target = dir.resolve(name + "-" + file);
        try (InputStream in = open(name, file)) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        target.toFile().deleteOnExit();
        return target;
    }

    private static InputStream open(String name, String file) throws IOException {
        InputStream in = BundledPairs.class.getResourceAsStream(ROOT + name + "/" + file);
        if (in == null) {
            throw new IOException("resource " + ROOT + name + "/" + file + " is missing from the jar");
        }
        return in;
    }
}
