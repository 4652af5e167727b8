package dev.colo.proxy.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * A network namespace made for one test, named after this JVM's pid so that runs never collide; closing
 * it kills what runs inside and deletes it (and the veth ends and taps inside go with it).
 */
final class Netns implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final long PID = ProcessHandle.current().pid();
    final String name;
    private final List<Process> started = new ArrayList<>();

    private Netns(String name) {
        this.name = name;
    }

    /** Skips the calling test unless we are root with ip, python3 and sysctl at hand. */
    static void assumeFacilities() {
        Assumptions.assumeTrue(quietly("sh", "-c", "[ \"$(id -u)\" = 0 ]"), "needs root (network namespaces, veth pairs, raw sockets)");
        Assumptions.assumeTrue(quietly("ip", "netns", "list"), "needs iproute2 with network namespace support (ip netns)");
        Assumptions.assumeTrue(quietly("python3", "-c", "import socket; socket.AF_PACKET"), "needs python3 (injects and captures frames)");
        Assumptions.assumeTrue(quietly("sysctl", "-n", "kernel.ostype"), "needs sysctl (procps)");
    }

    static Netns create() throws IOException, InterruptedException {
        Netns ns = new Netns("cio" + PID + "n" + SEQ.incrementAndGet());
        run("ip", "netns", "add", ns.name);
        try {
            // no IPv6 chatter (router solicitations, MLD) to wade through
            ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
            ns.exec("ip", "link", "set", "lo", "up");
        } catch (IOException | InterruptedException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** A unique interface name of at most 15 characters. */
    static String ifname(String tag) {
        String n = "io" + tag + PID + "x" + SEQ.incrementAndGet();
        return n.length() > 15 ? n.substring(n.length() - 15) : n;
    }

    /**
     * A veth pair: {@code rootEnd} stays here without an address, the other end goes into this namespace
     * with {@code cidr}. Offloads off on both, as COLO wants. Returns the namespace end's name.
     */
    String vethTo(String rootEnd, String cidr) throws IOException, InterruptedException {
        String inside = ifname("p");
        run("ip", "link", "add", rootEnd, "type", "veth", "peer", "name", inside, "netns", name);
        run("sysctl", "-q", "-w", "net.ipv6.conf." + rootEnd + ".disable_ipv6=1");
        run("ip", "link", "set", rootEnd, "up");
        configure(inside, cidr);
        return inside;
    }

    /** Takes interface {@code ifname} from here into the namespace and gives it {@code cidr}. */
    void adopt(String ifname, String cidr) throws IOException, InterruptedException {
        run("ip", "link", "set", ifname, "netns", name);
        configure(ifname, cidr);
    }

    private void configure(String ifname, String cidr) throws IOException, InterruptedException {
        exec("ip", "addr", "add", cidr, "dev", ifname);
        exec("ip", "link", "set", ifname, "up");
    }

    /** The MAC address of an interface inside, as 6 bytes. */
    byte[] mac(String ifname) throws IOException, InterruptedException {
        return java.util.HexFormat.ofDelimiter(":").parseHex(exec("cat", "/sys/class/net/" + ifname + "/address").trim());
    }

    /** Runs a command inside; fails the test if it exits non-zero. Returns its output. */
    String exec(String... cmd) throws IOException, InterruptedException {
        return run(inside(cmd));
    }

    Process start(String... cmd) throws IOException {
        Process p = new ProcessBuilder(inside(cmd)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
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

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }

    static boolean quietly(String... cmd) {
        try {
            run(cmd);
            return true;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        for (Process p : started) {
            p.destroyForcibly();
        }
        try {
            for (String pid : run("ip", "netns", "pids", name).split("\\s+")) {
                if (!pid.isBlank()) {
                    quietly("kill", "-9", pid.trim());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (!quietly("ip", "netns", "del", name)) {
                throw new IOException("could not delete network namespace " + name);
            }
        }
    }
}
