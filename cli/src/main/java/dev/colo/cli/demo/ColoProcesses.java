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

/**
 * The `colo` processes of the demo and of the failover lab (witness, primary, secondary), each logging to a file of
 * its own, each optionally in a network namespace of its own.
 */
public final class ColoProcesses implements AutoCloseable {
    /** JUL's format for the lab's nodes: epoch milliseconds first, so that a scenario can time their transitions. */
    public static final String MILLIS_LOG_FORMAT = "-Djava.util.logging.SimpleFormatter.format=%1$tQ %4$s: %5$s%6$s%n";
    private final Path logDir;
    private final Map<String, Process> processes = new LinkedHashMap<>();

    public ColoProcesses(Path logDir) {
        this.logDir = logDir;
    }

    /** Starts `colo ARGS` with this JVM and class path; its output goes to NAME.log. */
    Process start(String name, List<String> args) throws IOException {
        return start(name, List.of(), List.of(), "dev.colo.cli.Main", args, true);
    }

    /**
     * Starts {@code mainClass ARGS} with this JVM and class path behind {@code prefix} (e.g. {@code ip netns exec NS},
     * which keeps the pid: signals reach the JVM), JVM options {@code jvm}; its output goes to NAME.log, or stays the
     * caller's to read ({@code toLog} false: stdin and stdout are the process's pipes, stderr goes to NAME.log).
     */
    public Process start(String name, List<String> prefix, List<String> jvm, String mainClass, List<String> args, boolean toLog)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(prefix, jvm, mainClass, args));
        if (toLog) {
            pb.redirectErrorStream(true).redirectOutput(log(name).toFile());
        } else {
            pb.redirectError(log(name).toFile());
        }
        Process p = pb.start();
        processes.put(name, p);
        return p;
    }

    /** Starts `colo ARGS` with this JVM and class path, JVM options {@code jvm} first; stdout and stderr go to {@code log}. */
    public static Process startColo(Path log, List<String> jvm, List<String> args) throws IOException {
        return new ProcessBuilder(command(List.of(), jvm, "dev.colo.cli.Main", args)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    /** A TCP port nothing listens on right now, for a child process to bind (a race any caller accepts). */
    public static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static List<String> command(List<String> prefix, List<String> jvm, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(args);
        return cmd;
    }

    public Path log(String name) {
        return logDir.resolve(name + ".log");
    }

    public String logText(String name) {
        try {
            return Files.readString(log(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits until NAME's log contains {@code text}; false when the deadline passed or the process died first. */
    public boolean awaitLog(String name, String text, long millis) throws InterruptedException {
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
    public String lastLine(String name, String text) {
        String[] lines = logText(name).split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (lines[i].contains(text)) {
                return lines[i];
            }
        }
        return "";
    }

    /** The last {@code n} lines of NAME's log that are not status lines, for a failure report. */
    public String tail(String name, int n) {
        String[] lines = java.util.Arrays.stream(logText(name).split("\n")).filter(l -> !l.contains(": network->vm "))
                .toArray(String[]::new);
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - n), lines.length));
    }

    public boolean alive(String name) {
        Process p = processes.get(name);
        return p != null && p.isAlive();
    }

    /** SIGKILL: the host dies, nothing of the process runs on. */
    public void kill(String name) throws InterruptedException {
        Process p = processes.get(name);
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM first (a node then closes its links, releases its lease, removes its control socket), SIGKILL after 5 s. */
    /** The process started as NAME, or null. */
    public Process process(String name) {
        return processes.get(name);
    }

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
