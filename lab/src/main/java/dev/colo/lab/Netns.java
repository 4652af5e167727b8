package dev.colo.lab;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace made for one test, named after this process (and a counter) so that an interrupted
 * run never collides with the next; closing it kills what runs inside and deletes it (veth ends and taps
 * moved inside go with it). IPv6 is off inside: no router solicitations or MLD to wade through.
 */
public final class Netns implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final long PID = ProcessHandle.current().pid();
    private final String name;
    private final List<Process> started = new ArrayList<>();

    private Netns(String name) {
        this.name = name;
    }

    /** A new namespace whose name starts with {@code prefix} (2-3 letters that say which tests made it). */
    public static Netns create(String prefix) throws IOException, InterruptedException {
        Netns ns = new Netns(prefix + PID + "n" + SEQ.incrementAndGet());
        Shell.run("ip", "netns", "add", ns.name);
        try {
            ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
            ns.exec("ip", "link", "set", "lo", "up");
        } catch (IOException | InterruptedException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** A unique interface name of at most 15 characters. */
    public static String ifname(String tag) {
        String n = tag + PID + "x" + SEQ.incrementAndGet();
        return n.length() > 15 ? n.substring(n.length() - 15) : n;
    }

    /**
     * Why this machine cannot host namespace tests (not root, no `ip netns` or sysctl, or one of {@code programs}
     * missing), or null when it can: for a test to skip with the reason.
     */
    public static String missing(String... programs) {
        String base = missingFacilities();
        if (base != null) {
            return base;
        }
        for (String program : programs) {
            if (!Shell.has(program)) {
                return "needs " + program;
            }
        }
        return null;
    }

    /** Why this machine cannot host namespace tests (not root, no `ip netns`, no sysctl), or null when it can. */
    public static String missingFacilities() {
        if (!Shell.root()) {
            return "needs root (network namespaces, veth pairs, raw sockets)";
        }
        if (!Shell.quietly("ip", "netns", "list")) {
            return "needs iproute2 with network namespace support (ip netns)";
        }
        if (!Shell.quietly("sysctl", "-n", "kernel.ostype")) {
            return "needs sysctl (procps)";
        }
        return null;
    }

    public String name() {
        return name;
    }

    /**
     * A veth pair: {@code rootEnd} stays in the root namespace without an address, the other end goes into
     * this namespace with {@code cidr}. Returns the namespace end's name.
     */
    public String vethTo(String rootEnd, String cidr) throws IOException, InterruptedException {
        String inside = ifname("p");
        Shell.run("ip", "link", "add", rootEnd, "type", "veth", "peer", "name", inside, "netns", name);
        Shell.run("sysctl", "-q", "-w", "net.ipv6.conf." + rootEnd + ".disable_ipv6=1");
        Shell.run("ip", "link", "set", rootEnd, "up");
        configure(inside, cidr);
        return inside;
    }

    /** Moves a root-namespace interface (e.g. a tap the VMM holds) into this namespace. */
    public void adopt(String ifname) throws IOException, InterruptedException {
        Shell.run("ip", "link", "set", ifname, "netns", name);
    }

    /** Moves an interface in and gives it {@code cidr}. */
    public void adopt(String ifname, String cidr) throws IOException, InterruptedException {
        adopt(ifname);
        configure(ifname, cidr);
    }

    private void configure(String ifname, String cidr) throws IOException, InterruptedException {
        exec("ip", "addr", "add", cidr, "dev", ifname);
        exec("ip", "link", "set", ifname, "up");
    }

    /** The MAC address of an interface inside, as 6 bytes. */
    public byte[] mac(String ifname) throws IOException, InterruptedException {
        return java.util.HexFormat.ofDelimiter(":").parseHex(exec("cat", "/sys/class/net/" + ifname + "/address").trim());
    }

    /** Runs a command inside; throws with its output when it exits non-zero. Returns its output. */
    public String exec(String... cmd) throws IOException, InterruptedException {
        return Shell.run(Shell.inside(name, cmd));
    }

    public Shell.Result tryExec(String... cmd) throws IOException, InterruptedException {
        return Shell.run(false, Shell.inside(name, cmd));
    }

    /** Starts a process inside (killed at close); its stderr goes to this process's, its stdout is the caller's to read. */
    public Process start(String... cmd) throws IOException {
        return keep(new ProcessBuilder(Shell.inside(name, cmd)).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }

    /** As {@link #start}, with stderr merged into stdout (a session whose errors the caller wants to see). */
    public Process startMerged(String... cmd) throws IOException {
        return keep(new ProcessBuilder(Shell.inside(name, cmd)).redirectErrorStream(true).start());
    }

    private Process keep(Process p) {
        started.add(p);
        return p;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (Process p : started) {
            p.destroyForcibly();
        }
        Shell.removeNamespace(name);
        if (Shell.quietly("ip", "netns", "pids", name)) {
            throw new IOException("could not delete network namespace " + name);
        }
    }
}
