package dev.colo.kvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace made for one test, named after this process so that an interrupted run never
 * collides with the next; closing it kills what runs inside and deletes it.
 */
final class Netns implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();
    final String name;
    private final List<Process> started = new ArrayList<>();

    private Netns(String name) {
        this.name = name;
    }

    static Netns create(String tag) throws IOException, InterruptedException {
        Netns ns = new Netns("ck" + tag + ProcessHandle.current().pid() + "n" + SEQ.incrementAndGet());
        run("ip", "netns", "add", ns.name);
        ns.exec("ip", "link", "set", "lo", "up");
        return ns;
    }

    /** A unique interface name (at most 15 characters). */
    static String ifname(String tag) {
        String n = "k" + tag + ProcessHandle.current().pid() + SEQ.incrementAndGet();
        return n.length() > 15 ? n.substring(n.length() - 15) : n;
    }

    static boolean toolsPresent() {
        try {
            return run(false, "ip", "-V").exit == 0 && run(false, "sh", "-c", "command -v ping && command -v socat").exit == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** Moves a host interface (e.g. a tap the VMM holds) into this namespace. */
    void adopt(String ifname) throws IOException, InterruptedException {
        run("ip", "link", "set", ifname, "netns", name);
    }

    /** Runs a command inside; fails the test if it exits non-zero. Returns its output. */
    String exec(String... cmd) throws IOException, InterruptedException {
        return run(inside(cmd));
    }

    Result tryExec(String... cmd) throws IOException, InterruptedException {
        return run(false, inside(cmd));
    }

    Process start(String... cmd) throws IOException {
        Process p = new ProcessBuilder(inside(cmd)).redirectErrorStream(true).start();
        started.add(p);
        return p;
    }

    private String[] inside(String... cmd) {
        String[] full = new String[cmd.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = name;
        System.arraycopy(cmd, 0, full, 4, cmd.length);
        return full;
    }

    record Result(int exit, String output) {
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Result r = run(true, cmd);
        return r.output;
    }

    private static Result run(boolean check, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish");
        }
        if (check && p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
        }
        return new Result(p.exitValue(), out);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (Process p : started) {
            p.destroyForcibly();
        }
        Result pids = run(false, "ip", "netns", "pids", name);
        for (String pid : pids.output.split("\\s+")) {
            if (!pid.isBlank()) {
                run(false, "kill", "-9", pid.trim());
            }
        }
        run(false, "ip", "netns", "del", name);
    }
}
