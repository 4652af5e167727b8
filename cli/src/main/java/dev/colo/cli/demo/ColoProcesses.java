package dev.colo.cli.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The `colo` processes of the demo (witness, primary, secondary), each logging to a file of its own. */
final class ColoProcesses implements AutoCloseable {
    private final Path logDir;
    private final Map<String, Process> processes = new LinkedHashMap<>();

    ColoProcesses(Path logDir) {
        this.logDir = logDir;
    }

    /** Starts `colo ARGS` with this JVM and class path; its output goes to NAME.log. */
    Process start(String name, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), "dev.colo.cli.Main"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log(name).toFile()).start();
        processes.put(name, p);
        return p;
    }

    Path log(String name) {
        return logDir.resolve(name + ".log");
    }

    String logText(String name) {
        try {
            return Files.readString(log(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits until NAME's log contains {@code text}; false when the deadline passed or the process died first. */
    boolean awaitLog(String name, String text, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!logText(name).contains(text)) {
            Process p = processes.get(name);
            if (System.currentTimeMillis() > deadline || (p != null && !p.isAlive() && !logText(name).contains(text))) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    /** The last line of NAME's log that contains {@code text}, or "". */
    String lastLine(String name, String text) {
        String[] lines = logText(name).split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (lines[i].contains(text)) {
                return lines[i];
            }
        }
        return "";
    }

    /** The last {@code n} lines of NAME's log that are not status lines, for a failure report. */
    String tail(String name, int n) {
        String[] lines = java.util.Arrays.stream(logText(name).split("\n")).filter(l -> !l.contains(": network->vm "))
                .toArray(String[]::new);
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - n), lines.length));
    }

    boolean alive(String name) {
        Process p = processes.get(name);
        return p != null && p.isAlive();
    }

    /** SIGKILL: the host dies, nothing of the process runs on. */
    void kill(String name) throws InterruptedException {
        Process p = processes.get(name);
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM first (a node then closes its links, releases its lease, removes its control socket), SIGKILL after 5 s. */
    @Override
    public void close() {
        for (Process p : processes.values()) {
            p.destroy();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (Process p : processes.values()) {
            try {
                if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
