package dev.colo.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Locates and runs the real Wireshark / tcpdump command-line tools for the interop tests. */
final class Tools {
    private static final long TIMEOUT_SECONDS = 30;

    private Tools() {
    }

    /** Whether the tool is installed, for optional cross-checks. */
    static boolean available(String name) {
        return find(name) != null;
    }

    /** The tool's path; skips the calling test, saying which tool is missing, if it is not installed. */
    static Path require(String name) {
        Path found = find(name);
        if (found == null) {
            Assumptions.abort(name + " is not installed (not found on PATH " + System.getenv("PATH")
                    + " nor in /usr/bin, /usr/sbin); install it (Debian: apt-get install tshark tcpdump) "
                    + "to run this test");
        }
        return found;
    }

    private static Path find(String name) {
        String pathVariable = System.getenv().getOrDefault("PATH", "");
        List<String> directories = new ArrayList<>(Arrays.asList(pathVariable.split(File.pathSeparator)));
        // tcpdump lives in /usr/sbin on Debian, which a non-root PATH may lack.
        directories.addAll(List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin"));
        for (String directory : directories) {
            if (!directory.isEmpty()) {
                Path candidate = Path.of(directory, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    /** Runs a command to completion and returns its standard output; fails the test on a non-zero exit. */
    static String run(Path workDir, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(workDir, "tool", ".out");
        Path err = Files.createTempFile(workDir, "tool", ".err");
        Process process = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s");
        }
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            fail(String.join(" ", command) + " exited with " + process.exitValue() + ": " + stderr);
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /** One frame as tshark describes it. */
    static final class TsharkFrame {
        final int length;
        final int capturedLength;
        final long timestampNanos;
        final int interfaceId;

        TsharkFrame(int length, int capturedLength, long timestampNanos, int interfaceId) {
            this.length = length;
            this.capturedLength = capturedLength;
            this.timestampNanos = timestampNanos;
            this.interfaceId = interfaceId;
        }
    }

    /** {@code tshark -r file -T fields -e frame.len -e frame.cap_len -e frame.time_epoch -e frame.interface_id}. */
    static List<TsharkFrame> tshark(Path workDir, Path file) throws IOException, InterruptedException {
        String output = run(workDir, require("tshark").toString(), "-r", file.toString(), "-n", "-T", "fields",
                "-E", "separator=/t", "-e", "frame.len", "-e", "frame.cap_len", "-e", "frame.time_epoch",
                "-e", "frame.interface_id");
        List<TsharkFrame> frames = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            assertEquals(4, f.length, "tshark line: " + line);
            frames.add(new TsharkFrame(Integer.parseInt(f[0].trim()), Integer.parseInt(f[1].trim()),
                    epochNanos(f[2].trim()), f[3].isBlank() ? 0 : Integer.parseInt(f[3].trim())));
        }
        return frames;
    }

    /** "1700000000.123456789" to nanoseconds, exactly. */
    static long epochNanos(String seconds) {
        return new BigDecimal(seconds).movePointRight(9).longValueExact();
    }
}
