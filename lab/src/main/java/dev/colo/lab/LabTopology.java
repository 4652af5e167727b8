package dev.colo.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A lab topology in network namespaces, for the live COLO tests and benches, made fresh each time and removed even when
 * something fails. Names carry this JVM's pid, so an interrupted run never breaks the next.
 *
 * <pre>
 *  [client ns] c0 10.99.0.1 --- bridge (root ns, no address) --- nb ===(veth)=== n  <- primary node's network port
 *                                                           \--- mb ===(veth)=== m  <- secondary node's network port (used after failover)
 *  [pvm ns] v0 10.99.0.2, MAC 02:00:00:99:00:02 ===(veth)=== p  <- primary node's VM port
 *  [svm ns] v0 10.99.0.2, MAC 02:00:00:99:00:02 ===(veth)=== s  <- secondary node's VM port
 *  [direct ns] v0 10.99.0.3 on the same bridge: the direct path, for comparison in benches
 * </pre>
 * Offloads are off on every interface (no GSO/GRO super-frames, checksums complete in every frame),
 * as a COLO deployment needs.
 */
public final class LabTopology implements AutoCloseable {
    public static final String VM_IP = "10.99.0.2";
    public static final String CLIENT_IP = "10.99.0.1";
    public static final String DIRECT_IP = "10.99.0.3";
    public static final String VM_MAC = "02:00:00:99:00:02";
    public static final String CLIENT_MAC = "02:00:00:99:00:01";

    public final String tag;
    public final String client;
    public final String pvm;
    public final String svm;
    public final String direct;
    public final String bridge;
    /** Root-namespace ends the nodes open. */
    public final String primaryNet;
    public final String primaryVm;
    public final String secondaryNet;
    public final String secondaryVm;
    private final List<String> namespaces = new ArrayList<>();
    private final List<String> links = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    public LabTopology() throws IOException, InterruptedException {
        this(uniqueId());
    }

    /** An id made of this JVM's pid (and a few bits of the clock), so that an interrupted run never breaks the next. */
    static String uniqueId() {
        return Long.toString(ProcessHandle.current().pid(), 36) + Integer.toString((int) (System.nanoTime() & 0xfff), 36);
    }

    /** {@code id} when it is 1-10 lower-case letters or digits (interface names that carry it stay within 15). */
    static String checkedId(String id) {
        if (id.isEmpty() || id.length() > 10 || !id.matches("[a-z0-9]+")) {
            throw new IllegalArgumentException("a lab id is 1-10 lower-case letters or digits, got '" + id + "'");
        }
        return id;
    }

    /**
     * A topology whose names carry {@code id} (at most 10 characters: interface names stay within 15). With a
     * fixed id (the demo's), {@link #removeLeftovers} first clears what a killed run left under it.
     */
    public LabTopology(String id) throws IOException, InterruptedException {
        tag = checkedId(id);
        client = "cc" + id;
        pvm = "cp" + id;
        svm = "cs" + id;
        direct = "cd" + id;
        bridge = "cb" + id;
        primaryNet = "pn" + id;
        primaryVm = "pv" + id;
        secondaryNet = "sn" + id;
        secondaryVm = "sv" + id;
        try {
            build();
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    public static boolean available() {
        try {
            return Shell.run(false, "ip", "-V").exit() == 0 && Shell.run(false, "sh", "-c", "command -v ethtool && command -v curl && command -v python3 && command -v tcpdump").exit() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private void build() throws IOException, InterruptedException {
        for (String ns : new String[] {client, pvm, svm, direct}) {
            Shell.run("ip", "netns", "add", ns);
            namespaces.add(ns);
            ns(ns, "ip", "link", "set", "lo", "up");
            // No IPv6: its autoconfiguration and MLD reports go out at moments of each kernel's choosing,
            // which differ between the two replicas, and these stand-in replicas cannot be checkpointed.
            ns(false, ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
            ns(false, ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
            ns(false, ns, "sysctl", "-qw", "net.ipv4.tcp_timestamps=1");
        }
        Shell.run("ip", "link", "add", bridge, "type", "bridge");
        links.add(bridge);
        Shell.run("ip", "link", "set", bridge, "up");
        // Hosts: each a veth whose far end sits in the root namespace.
        host(client, "c" + tag, CLIENT_IP, CLIENT_MAC, true);
        host(direct, "d" + tag, DIRECT_IP, VM_MAC.replace(":02", ":03"), true);
        host(pvm, primaryVm, VM_IP, VM_MAC, false);
        host(svm, secondaryVm, VM_IP, VM_MAC, false);
        // The replicas start as one VM would after the initial sync: both know the client's MAC. An
        // external SVM could not learn it later, its own ARP requests go to the comparator, not the network.
        for (String replica : new String[] {pvm, svm}) {
            ns(replica, "ip", "neigh", "replace", CLIENT_IP, "lladdr", CLIENT_MAC, "dev", "v0", "nud", "permanent");
        }
        // The nodes' network ports: veth pairs in the root namespace, one end on the bridge.
        pair(primaryNet, primaryNet + "b");
        pair(secondaryNet, secondaryNet + "b");
    }

    /**
     * Adds a feeder port: a veth pair in the root namespace whose one end joins the bridge; returns the
     * other end's name, on which a test can send and receive raw frames as a client would (e.g. from
     * {@link #CLIENT_MAC}). Offloads off; removed at {@link #close()}.
     */
    public String addFeederPort() throws IOException, InterruptedException {
        String feeder = "f" + tag;
        pair(feeder, feeder + "b");
        // Root-namespace veths speak IPv6 (router solicitations, MLD) on their own; the feeder only carries the test's frames.
        for (String dev : new String[] {feeder, feeder + "b"}) {
            Shell.run(false, "sysctl", "-qw", "net.ipv6.conf." + dev + ".disable_ipv6=1");
        }
        return feeder;
    }

    private void host(String ns, String rootEnd, String ip, String mac, boolean onBridge) throws IOException, InterruptedException {
        Shell.run("ip", "link", "add", rootEnd, "type", "veth", "peer", "name", "v0", "netns", ns);
        links.add(rootEnd);
        if (mac != null) {
            ns(ns, "ip", "link", "set", "v0", "address", mac);
        }
        ns(ns, "ip", "addr", "add", ip + "/24", "dev", "v0");
        ns(ns, "ip", "link", "set", "v0", "up");
        offloadsOff(ns, "v0");
        offloadsOff(null, rootEnd);
        if (onBridge) {
            Shell.run("ip", "link", "set", rootEnd, "master", bridge);
        }
        Shell.run("ip", "link", "set", rootEnd, "up");
    }

    private void pair(String node, String bridged) throws IOException, InterruptedException {
        Shell.run("ip", "link", "add", node, "type", "veth", "peer", "name", bridged);
        links.add(node);
        offloadsOff(null, node);
        offloadsOff(null, bridged);
        Shell.run("ip", "link", "set", bridged, "master", bridge);
        Shell.run("ip", "link", "set", bridged, "up");
        Shell.run("ip", "link", "set", node, "up");
    }

    /** Offloads off on {@code dev} (in namespace {@code ns}, or the root namespace when null): no super-frames, full checksums. */
    static void offloadsOff(String ns, String dev) throws IOException, InterruptedException {
        String[] cmd = {"ethtool", "-K", dev, "rx", "off", "tx", "off", "tso", "off", "gso", "off", "gro", "off"};
        if (ns == null) {
            Shell.run(false, cmd);
        } else {
            Shell.run(false, Shell.inside(ns, cmd));
        }
    }

    /** Runs a command in a namespace; fails on a non-zero exit. */
    public String ns(String ns, String... cmd) throws IOException, InterruptedException {
        return ns(true, ns, cmd).output();
    }

    public Shell.Result ns(boolean check, String ns, String... cmd) throws IOException, InterruptedException {
        return Shell.run(check, Shell.inside(ns, cmd));
    }

    /** Starts a long-running process in a namespace; killed at close. */
    public Process start(String ns, Path log, String... cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(Shell.inside(ns, cmd)).redirectErrorStream(true);
        if (log != null) {
            pb.redirectOutput(log.toFile());
        }
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    /** An HTTP server (python3 http.server) in {@code ns} serving {@code dir} on port 8000 of the VM's address; returns once it answers. */
    public Process httpServer(String ns, Path dir) throws IOException, InterruptedException {
        return httpServer(ns, dir, VM_IP);
    }

    /** As {@link #httpServer(String, Path)}, on {@code ip} (e.g. {@link #DIRECT_IP} in the direct host's namespace). */
    public Process httpServer(String ns, Path dir, String ip) throws IOException, InterruptedException {
        Process p = start(ns, dir.resolveSibling(dir.getFileName() + "-" + ns + ".log"), "python3", "-m", "http.server", "8000", "--bind", ip, "--directory", dir.toString());
        for (int i = 0; i < 100; i++) {
            if (ns(false, ns, "sh", "-c", "python3 - <<'E'\nimport socket\ns=socket.socket()\ns.settimeout(0.2)\ns.connect(('" + ip + "',8000))\nE").exit() == 0) {
                return p;
            }
            Thread.sleep(50);
        }
        throw new IOException("http.server in " + ns + " did not start");
    }





    /**
     * Removes the namespaces and links a topology with this id would make, and kills what runs in those
     * namespaces: a run killed with SIGKILL leaves them behind, and the next run with the same id clears them.
     * Returns how many were found.
     */
    public static int removeLeftovers(String id) throws IOException, InterruptedException {
        int found = 0;
        String namespaces = Shell.run(false, "ip", "netns", "list").output();
        for (String prefix : new String[] {"cc", "cp", "cs", "cd"}) {
            String ns = prefix + id;
            if (java.util.Arrays.stream(namespaces.split("\\n")).anyMatch(l -> l.split("\\s+")[0].equals(ns))) {
                found++;
                Shell.removeNamespace(ns);
            }
        }
        for (String prefix : new String[] {"cb", "c", "d", "pv", "sv", "pn", "sn", "f", "pt", "st"}) {
            if (Shell.run(false, "ip", "link", "show", prefix + id).exit() == 0) {
                found++;
                Shell.run(false, "ip", "link", "del", prefix + id);
            }
        }
        return found;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (String ns : namespaces) {
            Shell.removeNamespace(ns);
        }
        for (String link : links) {
            Shell.run(false, "ip", "link", "del", link);
        }
    }

    public static Path file(Path dir, String name, long size, long seed) throws IOException {
        byte[] data = new byte[(int) size];
        new java.util.Random(seed).nextBytes(data);
        Files.createDirectories(dir);
        return Files.write(dir.resolve(name), data);
    }
}
