package dev.colo.cli.node;

import dev.colo.checkpoint.CheckpointConfig;
import dev.colo.checkpoint.arbiter.Arbiter;
import dev.colo.proxy.io.FramePort;
import dev.colo.proxy.io.PortException;
import dev.colo.proxy.io.PortOptions;
import dev.colo.proxy.io.PortSpec;
import dev.colo.proxy.link.LinkConfig;
import dev.colo.proxy.node.NodeTuning;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Options every node has: its ports, the links' ports and format, the VM kind, the arbiter. */
public final class NodeOptions {
    /** What the VM is to this appliance. */
    public enum VmKind {
        /** Not checkpointed by colo (a network namespace, another hypervisor's VM): checkpoints run the protocol on an empty state. */
        EXTERNAL,
        /** The bundled guest, run here on KVM: checkpoints copy its whole state. */
        KVM
    }

    @Option(names = "--vm-port", paramLabel = "SPEC",
            description = {"The VM's side: afpacket:IF (default kind), tap:NAME or pcap:IF. With --vm kvm, default afpacket:<the VM's tap>."})
    String vmPort;

    @Option(names = "--vm", paramLabel = "KIND", defaultValue = "external",
            description = {"external (default): the VM runs elsewhere and cannot be checkpointed by colo; divergences are",
                "reported and held output released, but the SVM is not made consistent. kvm: run the bundled guest",
                "here and checkpoint it for real."})
    VmKind vm;

    @Option(names = "--vm-tap", paramLabel = "NAME", description = "With --vm kvm: the TAP device to create for the guest (default colo-pvm / colo-svm).")
    String vmTap;

    @Option(names = "--vm-ip", paramLabel = "ADDR/PREFIX", defaultValue = "10.77.0.2/24", description = "With --vm kvm: the guest's address (both replicas alike). Default: ${DEFAULT-VALUE}.")
    String vmIp;

    @Option(names = "--checkpoint-port", defaultValue = "" + NodeAddresses.DEFAULT_CHECKPOINT_PORT, description = "Default: ${DEFAULT-VALUE}.")
    int checkpointPort;

    @Option(names = "--mirror-port", defaultValue = "" + NodeAddresses.DEFAULT_MIRROR_PORT, description = "Default: ${DEFAULT-VALUE}.")
    int mirrorPort;

    @Option(names = "--redirect-port", defaultValue = "" + NodeAddresses.DEFAULT_REDIRECT_PORT, description = "Default: ${DEFAULT-VALUE}.")
    int redirectPort;

    @Option(names = "--vnet-hdr", description = "Links carry QEMU's vnet_hdr_len field (as with vnet_hdr_support=on): both ends must agree.")
    boolean vnetHdr;

    @Option(names = "--arbiter", paramLabel = "SPEC", defaultValue = "none",
            description = {"Who decides a takeover: witness:HOST:PORT (see colo witness: a takeover only once the",
                "primary's lease ran out, so a broken link never makes two primaries); none (default: a secondary",
                "never takes over by itself); always (no witness: a broken link between two live nodes makes both",
                "primary - split brain; only where the link cannot fail independently of the nodes; warned)."})
    String arbiter;

    @Option(names = "--node-id", paramLabel = "NAME", description = "This node's name in logs and in the peer's (default: the host name).")
    String nodeId;

    @Option(names = "--stats-interval", paramLabel = "SECONDS", defaultValue = "10",
            description = "Print the live counters every so many seconds (0: never). Default: ${DEFAULT-VALUE}.")
    int statsInterval;

    @Option(names = "--busy-poll", paramLabel = "MICROS", defaultValue = "0",
            description = "Keep the node's I/O thread polling for so many microseconds after its last event before it sleeps: a frame "
                    + "that follows within that time costs no wake-up (0.1-0.3 ms each on a small VM), at the price of a busy CPU. "
                    + "Worth it with a core to spare per node. Default: ${DEFAULT-VALUE} (sleep at once).")
    long busyPollMicros;

    NodeTuning tuning(CommandSpec spec, boolean compareOnOwnThread) {
        if (busyPollMicros < 0) {
            throw new ParameterException(spec.commandLine(), "--busy-poll must be >= 0 microseconds, got " + busyPollMicros);
        }
        return new NodeTuning(java.time.Duration.ofNanos(busyPollMicros * 1000), compareOnOwnThread);
    }

    FramePort open(CommandSpec spec, String what, String specText) {
        try {
            return PortSpec.parse(specText).open(PortOptions.defaults());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), what + ": " + e.getMessage());
        } catch (PortException e) {
            throw new ParameterException(spec.commandLine(), what + ": " + e.getMessage());
        }
    }

    @Mixin
    FrameDeadlineOption frameDeadline = new FrameDeadlineOption();

    LinkConfig link() {
        return new LinkConfig().vnetHdr(vnetHdr).frameDeadline(frameDeadline.value()).validate();
    }

    @Mixin
    FailoverOptions failover = new FailoverOptions();

    /** The checkpoint settings: node id and failover timing, validated (a bad combination is a usage error). */
    CheckpointConfig checkpoint(CommandSpec spec, String defaultId) {
        return failover.apply(spec, new CheckpointConfig().nodeId(nodeId != null ? nodeId : defaultId));
    }

    /** The warning `--arbiter always` deserves, at start and on every status line; null for the other arbiters. */
    String arbiterWarning() {
        return Arbiter.ALWAYS.equalsIgnoreCase(arbiter == null ? "" : arbiter.trim())
                ? "WARNING: --arbiter always: a broken link between two live nodes makes both primary (split brain)" : null;
    }

    /** The status line's prefix: the arbiter's warning, if any. */
    String statusPrefix() {
        String w = arbiterWarning();
        return w == null ? "" : "[arbiter always: split-brain risk] ";
    }

    /** The arbiter named by --arbiter, a witness with the lease of {@code config}. */
    Arbiter arbiter(CommandSpec spec, CheckpointConfig config) {
        try {
            return Arbiter.parse(arbiter, config.leaseTtl());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--arbiter: " + e.getMessage());
        }
    }

    /** The three endpoints on {@code host}, at the ports given (or their defaults). */
    NodeAddresses addresses(java.net.InetAddress host) {
        return new NodeAddresses(new java.net.InetSocketAddress(host, checkpointPort),
                new java.net.InetSocketAddress(host, mirrorPort), new java.net.InetSocketAddress(host, redirectPort));
    }

    /** Closes what was opened so far and turns a setup failure into a usage error. */
    static ParameterException usage(CommandSpec spec, RuntimeException e, AutoCloseable... opened) {
        for (AutoCloseable a : opened) {
            PrimaryRunner.closeQuietly(a);
        }
        return e instanceof ParameterException p ? p : new ParameterException(spec.commandLine(), e.getMessage());
    }

    static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "node";
        }
    }
}
