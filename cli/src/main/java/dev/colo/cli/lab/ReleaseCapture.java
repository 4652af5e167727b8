package dev.colo.cli.lab;

import dev.colo.lab.Shell;
import dev.colo.pcap.PacketFileReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What one node released to the LAN: tcpdump on the bridge-side end of the node's LAN port, frames coming in from
 * the node ({@code -Q in}) whose source is the VM's MAC. Read after {@link #stop()}: the first and the last such frame.
 */
final class ReleaseCapture implements AutoCloseable {
    /** First and last frame time (epoch ms) and how many frames; first = last = -1 with none. */
    record Window(long firstMillis, long lastMillis, long frames) {
        static final Window NONE = new Window(-1, -1, 0);

        boolean any() {
            return frames > 0;
        }

        @Override
        public String toString() {
            return any() ? frames + " frames " + firstMillis + ".." + lastMillis : "nothing";
        }
    }

    private final Path file;
    private final Process tcpdump;

    private ReleaseCapture(Path file, Process tcpdump) {
        this.file = file;
        this.tcpdump = tcpdump;
    }

    /** Starts capturing on root-namespace interface {@code dev}; returns once tcpdump listens. */
    static ReleaseCapture start(String dev, String vmMac, Path file) throws IOException, InterruptedException {
        Path err = file.resolveSibling(file.getFileName() + ".err");
        Process p = new ProcessBuilder("tcpdump", "-i", dev, "-Q", "in", "-n", "-U", "--immediate-mode", "-s", "128", "-w",
                file.toString(), "ether", "src", vmMac).redirectErrorStream(true).redirectOutput(err.toFile()).start();
        ReleaseCapture c = new ReleaseCapture(file, p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.readString(err, StandardCharsets.UTF_8).contains("listening on")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                c.close();
                throw new IOException("tcpdump on " + dev + " did not start: " + Files.readString(err, StandardCharsets.UTF_8).trim());
            }
            Thread.sleep(20);
        }
        return c;
    }

    /** Stops tcpdump (SIGINT: it flushes its file) and waits for it. */
    void stop() throws IOException, InterruptedException {
        if (tcpdump.isAlive()) {
            Shell.run(false, "kill", "-INT", Long.toString(tcpdump.pid()));
            if (!tcpdump.waitFor(5, TimeUnit.SECONDS)) {
                tcpdump.destroyForcibly();
            }
        }
    }

    /** The frames captured (after {@link #stop()}). */
    Window window() throws IOException {
        if (!Files.exists(file) || Files.size(file) < 24) {
            return Window.NONE;
        }
        long first = -1;
        long last = -1;
        long n = 0;
        try (PacketFileReader r = PacketFileReader.open(file)) {
            while (r.next()) {
                long ms = r.timestampNanos() / 1_000_000;
                first = first < 0 ? ms : first;
                last = ms;
                n++;
            }
        }
        return n == 0 ? Window.NONE : new Window(first, last, n);
    }

    /** Frames captured at or after {@code epochMillis} (after {@link #stop()}). */
    long framesFrom(long epochMillis) throws IOException {
        if (!Files.exists(file) || Files.size(file) < 24) {
            return 0;
        }
        long n = 0;
        try (PacketFileReader r = PacketFileReader.open(file)) {
            while (r.next()) {
                if (r.timestampNanos() / 1_000_000 >= epochMillis) {
                    n++;
                }
            }
        }
        return n;
    }

    @Override
    public void close() {
        tcpdump.destroyForcibly();
    }
}
