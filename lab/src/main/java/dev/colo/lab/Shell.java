package dev.colo.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Runs the lab's commands (ip, sysctl, ethtool, ...) with a deadline, output and exit status together. */
public final class Shell {
    /** No lab command takes longer; one that does is killed and reported. */
    private static final long DEADLINE_SECONDS = 120;

    private Shell() {
    }

    /** What a command printed (stdout and stderr together) and how it exited. */
    public record Result(int exit, String output) {
    }

    /** Runs a command; throws with its output when it exits non-zero. Returns its output. */
    public static String run(String... cmd) throws IOException, InterruptedException {
        return run(true, cmd).output();
    }

    public static Result run(boolean check, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish within " + DEADLINE_SECONDS + " s");
        }
        if (check && p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
        }
        return new Result(p.exitValue(), out);
    }

    /** Whether a command ran and exited 0 (for probing what a machine has). */
    public static boolean quietly(String... cmd) {
        try {
            return run(false, cmd).exit() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Whether a program is on the PATH. */
    public static boolean has(String program) {
        return quietly("sh", "-c", "command -v " + program);
    }

    /** Whether this process runs as root (namespaces, veths, taps and raw sockets need it). */
    public static boolean root() {
        return "root".equals(ProcessHandle.current().info().user().orElse(""));
    }

    /** The command run inside network namespace {@code ns}. */
    static String[] inside(String ns, String... cmd) {
        String[] full = new String[cmd.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = ns;
        System.arraycopy(cmd, 0, full, 4, cmd.length);
        return full;
    }

    /** Kills everything that runs in namespace {@code ns}, then deletes it; quietly when it is gone already. */
    static void removeNamespace(String ns) throws IOException, InterruptedException {
        for (String pid : run(false, "ip", "netns", "pids", ns).output().split("\\s+")) {
            if (!pid.isBlank()) {
                run(false, "kill", "-9", pid.trim());
            }
        }
        run(false, "ip", "netns", "del", ns);
    }
}
