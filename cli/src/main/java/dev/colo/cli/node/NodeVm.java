package dev.colo.cli.node;

import dev.colo.checkpoint.vm.InMemoryVm;
import dev.colo.checkpoint.vm.ReplicatedVm;
import dev.colo.cli.vm.KvmReplicatedVm;
import dev.colo.compare.CheckpointModel;
import dev.colo.kvm.MicroVm;
import dev.colo.kvm.MicroVmConfig;
import dev.colo.kvm.devices.TapDevice;
import dev.colo.kvm.guest.GuestImage;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * The VM a node protects: the bundled guest run here on KVM (checkpointed for real), or an external VM
 * (a one-page stand-in for the protocol: colo cannot copy its state).
 */
final class NodeVm implements AutoCloseable {
    private final ReplicatedVm replicated;
    private final MicroVm kvm;
    private final String tap;

    private NodeVm(ReplicatedVm replicated, MicroVm kvm, String tap) {
        this.replicated = replicated;
        this.kvm = kvm;
        this.tap = tap;
    }

    static NodeVm open(NodeOptions o, String defaultTap, PrintWriter out) throws IOException, InterruptedException {
        if (o.vm == NodeOptions.VmKind.EXTERNAL) {
            out.println("VM: external. colo cannot checkpoint it: a divergence is reported and held output is released at the"
                    + " checkpoint, but the SVM is not made consistent with the PVM.");
            return new NodeVm(new InMemoryVm("external", 1), null, null);
        }
        String name = o.vmTap != null ? o.vmTap : defaultTap;
        String[] ip = o.vmIp.split("/", 2);
        String[] octets = ip[0].split("\\.");
        if (octets.length != 4) {
            throw new IllegalArgumentException("--vm-ip: '" + o.vmIp + "' is not ADDR/PREFIX");
        }
        int address = 0;
        for (String b : octets) {
            address = (address << 8) | Integer.parseInt(b);
        }
        int prefix = ip.length == 2 ? Integer.parseInt(ip[1]) : 24;
        TapDevice device = TapDevice.open(name);
        MicroVm vm = MicroVm.create(MicroVmConfig.of(GuestImage.bundled(), device).withAddress(address, prefix)
                .withConsole(line -> {
                    out.println("guest: " + line);
                    out.flush();
                }));
        Process up = new ProcessBuilder("ip", "link", "set", "dev", device.name(), "up").redirectErrorStream(true).start();
        String why = new String(up.getInputStream().readAllBytes());
        if (up.waitFor() != 0) {
            vm.close();
            throw new IOException("cannot bring tap " + device.name() + " up: " + why.trim());
        }
        return new NodeVm(new KvmReplicatedVm(vm), vm, device.name());
    }

    ReplicatedVm replicated() {
        return replicated;
    }

    /** The port spec for the VM's side: the user's, or the KVM guest's tap. */
    String portSpec(String given) {
        if (given != null) {
            return given;
        }
        if (tap != null) {
            return "afpacket:" + tap;
        }
        throw new IllegalArgumentException("--vm-port is required with --vm external");
    }

    CheckpointModel checkpointModel() {
        return kvm != null ? CheckpointModel.SECONDARY_RESTORED : CheckpointModel.SECONDARY_UNCHANGED;
    }

    boolean restoredByCheckpoints() {
        return kvm != null;
    }

    /** The primary's guest starts at once; a secondary's waits for its first checkpoint. */
    void startAsPrimary() {
        if (kvm != null) {
            kvm.resume();
        }
    }

    @Override
    public void close() {
        if (kvm != null) {
            kvm.close();
        }
    }
}
