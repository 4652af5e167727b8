package dev.colo.lab;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A lab for failover scenarios where each node runs in a host namespace of its own, so that its network can be cut
 * (link down: no FIN, no RST) apart from its process. Names carry this JVM's pid; everything is removed at close,
 * also when the build fails half-way; {@link #removeLeftovers} clears what a killed run left under an id.
 *
 * <pre>
 *  [client ns] v0 10.99.0.1 --- bridge (root ns) --- pnb ===(veth)=== lan [primary host ns]   vm ===(veth)=== v0 [pvm ns] 10.99.0.2
 *                                            \---- snb ===(veth)=== lan [secondary host ns] vm ===(veth)=== v0 [svm ns] 10.99.0.2
 *  [primary host ns]   peer 10.98.1.1/30 ===(veth)=== peer 10.98.1.2/30 [secondary host ns]      (the inter-node link)
 *  [primary host ns]   wit  10.98.2.2/30 ===(veth)=== wp   10.98.2.1/30 [witness ns]
 *  [secondary host ns] wit  10.98.3.2/30 ===(veth)=== ws   10.98.3.1/30 [witness ns]
 * </pre>
 * The witness listens on both of its addresses; each node names the one on its own link. Every fault of a failover
 * matrix is one or a few {@code ip link set ... down} in a host namespace. Offloads are off on the LAN and VM veths.
 */
public final class FailoverLab implements AutoCloseable {
    public static final String PRIMARY_PEER_IP = "10.98.1.1";
    public static final String SECONDARY_PEER_IP = "10.98.1.2";
    public static final String WITNESS_IP_FOR_PRIMARY = "10.98.2.1";
    public static final String WITNESS_IP_FOR_SECONDARY = "10.98.3.1";
    /** Interface names inside a node's host namespace (private to it, so fixed). */
    public static final String LAN = "lan";
    public static final String VM = "vm";
    public static final String PEER = "peer";
    public static final String WITNESS = "wit";

    private static final String[] NAMESPACE_PREFIXES = {"fc", "fp", "fs", "hp", "hs", "hw"};
    private static final String[] LINK_PREFIXES = {"fb", "fc", "pnb", "snb"};

    public final String tag;
    public final String client;
    public final String pvm;
    public final String svm;
    public final String primaryHost;
    public final String secondaryHost;
    public final String witnessHost;
    public final String bridge;
    /** Bridge-side (root namespace) ends of the nodes' LAN ports: capture here what each node sends to the LAN. */
    public final String primaryLanBridgeEnd;
    public final String secondaryLanBridgeEnd;
    private final List<String> namespaces = new ArrayList<>();
    private final List<String> links = new ArrayList<>();

    /** A lab named after this JVM's pid. */
    public FailoverLab() throws IOException, InterruptedException {
        this(LabTopology.uniqueId());
    }

    /** A lab whose names carry {@code id} (1-10 lower-case letters or digits). */
    public FailoverLab(String id) throws IOException, InterruptedException {
        tag = LabTopology.checkedId(id);
        client = "fc" + id;
        pvm = "fp" + id;
        svm = "fs" + id;
        primaryHost = "hp" + id;
        secondaryHost = "hs" + id;
        witnessHost = "hw" + id;
        bridge = "fb" + id;
        primaryLanBridgeEnd = "pnb" + id;
        secondaryLanBridgeEnd = "snb" + id;
        try {
            build();
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Why this machine cannot host the lab (not root, no ip netns, a tool missing), or null. */
    public static String missing() {
        return Netns.missing("ethtool", "tcpdump", "ping", "socat");
    }

    private void build() throws IOException, InterruptedException {
        for (String ns : new String[] {client, pvm, svm, primaryHost, secondaryHost, witnessHost}) {
            Shell.run("ip", "netns", "add", ns);
            namespaces.add(ns);
            ip(ns, "link", "set", "lo", "up");
            // No IPv6: router solicitations and MLD reports at each kernel's moments would differ between the replicas.
            Shell.run(false, Shell.inside(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"));
        }
        Shell.run("ip", "link", "add", bridge, "type", "bridge");
        links.add(bridge);
        Shell.run("ip", "link", "set", bridge, "up");
        // The client: a veth from its namespace to the bridge.
        Shell.run("ip", "link", "add", "fc" + tag, "type", "veth", "peer", "name", "v0", "netns", client);
        links.add("fc" + tag);
        configure(client, "v0", LabTopology.CLIENT_IP + "/24", LabTopology.CLIENT_MAC);
        bridgePort("fc" + tag);
        // The replicas, each wired to its node's host namespace; both already know the client's MAC (as after the initial sync).
        for (String[] r : new String[][] {{pvm, primaryHost}, {svm, secondaryHost}}) {
            ip(r[1], "link", "add", VM, "type", "veth", "peer", "name", "v0", "netns", r[0]);
            configure(r[0], "v0", LabTopology.VM_IP + "/24", LabTopology.VM_MAC);
            ip(r[0], "neigh", "replace", LabTopology.CLIENT_IP, "lladdr", LabTopology.CLIENT_MAC, "dev", "v0", "nud", "permanent");
            up(r[1], VM);
        }
        // The nodes' LAN ports: the bridge end stays in the root namespace, the node's end goes into its host namespace.
        for (String[] n : new String[][] {{primaryLanBridgeEnd, primaryHost}, {secondaryLanBridgeEnd, secondaryHost}}) {
            Shell.run("ip", "link", "add", n[0], "type", "veth", "peer", "name", LAN, "netns", n[1]);
            links.add(n[0]);
            Shell.run(false, "sysctl", "-qw", "net.ipv6.conf." + n[0] + ".disable_ipv6=1");
            bridgePort(n[0]);
            up(n[1], LAN);
        }
        // The inter-node link and each node's link to the witness: small subnets of their own.
        ip(primaryHost, "link", "add", PEER, "type", "veth", "peer", "name", PEER, "netns", secondaryHost);
        address(primaryHost, PEER, PRIMARY_PEER_IP + "/30");
        address(secondaryHost, PEER, SECONDARY_PEER_IP + "/30");
        ip(witnessHost, "link", "add", "wp", "type", "veth", "peer", "name", WITNESS, "netns", primaryHost);
        address(witnessHost, "wp", WITNESS_IP_FOR_PRIMARY + "/30");
        address(primaryHost, WITNESS, "10.98.2.2/30");
        ip(witnessHost, "link", "add", "ws", "type", "veth", "peer", "name", WITNESS, "netns", secondaryHost);
        address(witnessHost, "ws", WITNESS_IP_FOR_SECONDARY + "/30");
        address(secondaryHost, WITNESS, "10.98.3.2/30");
    }

    private void configure(String ns, String dev, String cidr, String mac) throws IOException, InterruptedException {
        ip(ns, "link", "set", dev, "address", mac);
        address(ns, dev, cidr);
    }

    private void address(String ns, String dev, String cidr) throws IOException, InterruptedException {
        ip(ns, "addr", "add", cidr, "dev", dev);
        up(ns, dev);
    }

    private void up(String ns, String dev) throws IOException, InterruptedException {
        LabTopology.offloadsOff(ns, dev);
        ip(ns, "link", "set", dev, "up");
    }

    private void bridgePort(String rootEnd) throws IOException, InterruptedException {
        LabTopology.offloadsOff(null, rootEnd);
        Shell.run("ip", "link", "set", rootEnd, "master", bridge);
        Shell.run("ip", "link", "set", rootEnd, "up");
    }

    private static void ip(String ns, String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "ip";
        cmd[1] = "-n";
        cmd[2] = ns;
        System.arraycopy(args, 0, cmd, 3, args.length);
        Shell.run(cmd);
    }

    /** The command that runs {@code cmd} in namespace {@code ns} (ip netns exec: the same pid, so signals reach it). */
    public static List<String> inside(String ns, List<String> cmd) {
        return List.of(Shell.inside(ns, cmd.toArray(String[]::new)));
    }

    /** Sets interface {@code dev} of namespace {@code ns} down: its peer loses carrier, nothing is sent (no FIN). */
    public void linkDown(String ns, String dev) throws IOException, InterruptedException {
        ip(ns, "link", "set", dev, "down");
    }

    public void linkUp(String ns, String dev) throws IOException, InterruptedException {
        ip(ns, "link", "set", dev, "up");
    }

    /** Cuts a node's host off entirely: its LAN port, the inter-node link and its witness link go down at once. */
    public void cutHost(String hostNs) throws IOException, InterruptedException {
        Shell.run("sh", "-c", "ip -n " + hostNs + " link set " + LAN + " down; ip -n " + hostNs + " link set " + PEER
                + " down; ip -n " + hostNs + " link set " + WITNESS + " down");
    }

    /** Runs a command in a namespace; fails on a non-zero exit. */
    public String exec(String ns, String... cmd) throws IOException, InterruptedException {
        return Shell.run(Shell.inside(ns, cmd));
    }

    /**
     * Removes the namespaces and links a lab with this id would make (killing what runs in them): a run killed with
     * SIGKILL leaves them behind. Returns how many were found.
     */
    public static int removeLeftovers(String id) throws IOException, InterruptedException {
        int found = 0;
        List<String> present = List.of(Shell.run(false, "ip", "netns", "list").output().split("\\n"));
        for (String prefix : NAMESPACE_PREFIXES) {
            String ns = prefix + id;
            if (present.stream().anyMatch(l -> l.split("\\s+")[0].equals(ns))) {
                found++;
                Shell.removeNamespace(ns);
            }
        }
        for (String prefix : LINK_PREFIXES) {
            if (Shell.run(false, "ip", "link", "del", prefix + id).exit() == 0) {
                found++;
            }
        }
        return found;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (String ns : namespaces) {
            Shell.removeNamespace(ns);
        }
        for (String link : links) {
            Shell.run(false, "ip", "link", "del", link);
        }
    }
}
