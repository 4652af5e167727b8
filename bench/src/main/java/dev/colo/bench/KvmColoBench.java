package dev.colo.bench;

import dev.colo.checkpoint.CheckpointConfig;
import dev.colo.checkpoint.CoordinatorListener;
import dev.colo.checkpoint.PrimaryState;
import dev.colo.checkpoint.arbiter.AlwaysArbiter;
import dev.colo.lab.LabTopology;
import dev.colo.lab.Shell;
import dev.colo.cli.node.NodeAddresses;
import dev.colo.cli.node.PrimaryRunner;
import dev.colo.cli.node.SecondaryRunner;
import dev.colo.cli.vm.KvmReplicatedVm;
import dev.colo.compare.CheckpointModel;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.DecisionListener;
import dev.colo.kvm.MicroVm;
import dev.colo.kvm.MicroVmConfig;
import dev.colo.kvm.devices.TapDevice;
import dev.colo.kvm.guest.GuestImage;
import dev.colo.proxy.io.FramePortType;
import dev.colo.proxy.io.FramePorts;
import dev.colo.proxy.io.PortOptions;
import dev.colo.proxy.link.LinkConfig;
import dev.colo.proxy.node.NodeTuning;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * COLO with real VMs: the bundled KVM guest serving `BLOB n` (and answering ping) to a client namespace,
 * first alone on a tap plugged into the bridge (direct), then as a COLO pair (two KVM guests, both nodes
 * in this process, real checkpoints). Against the guest's own speed, this is what COLO costs a real VM.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.colo.bench.KvmColoBench [--mib N] [--pings N]</pre>
 */
public final class KvmColoBench {
    private KvmColoBench() {
    }

    public static void main(String[] args) throws Exception {
        int mib = 8;
        int pings = 100;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mib" -> mib = Integer.parseInt(args[++i]);
                case "--pings" -> pings = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: KvmColoBench [--mib N] [--pings N]");
                    System.exit(2);
                }
            }
        }
        Path client = Files.createTempFile("blob-client", ".py");
        Files.writeString(client, String.join("\n", "import socket, sys, time",
                "s = socket.create_connection((sys.argv[1], 9000), timeout=60)",
                "n = int(sys.argv[2]); t = time.time(); s.sendall(b'BLOB %d\\n' % n); got = 0",
                "while got < n + 1:", "    d = s.recv(1 << 20)", "    if not d: break", "    got += len(d)",
                "print('%.1f' % (got / (time.time() - t) / 1e6)); s.sendall(b'QUIT\\n')"));
        int bytes = mib << 20;
        try (LabTopology net = new LabTopology()) {
            int ip = ipv4(LabTopology.VM_IP);
            double directMBps;
            double directRtt;
            try (MicroVm vm = MicroVm.create(MicroVmConfig.of(GuestImage.bundled(), TapDevice.open("kd" + net.tag)).withAddress(ip, 24))) {
                String tap = ((TapDevice) vm.net().backend()).name();
                Shell.run("ip", "link", "set", tap, "master", net.bridge);
                Shell.run("ip", "link", "set", tap, "up");
                vm.resume();
                Thread.sleep(300);
                directRtt = rtt(net, pings);
                directMBps = Double.parseDouble(net.ns(net.client, "python3", client.toString(), LabTopology.VM_IP, "" + bytes).trim());
            }
            net.ns(net.client, "ip", "neigh", "flush", "all");
            try (MicroVm pvm = MicroVm.create(MicroVmConfig.of(GuestImage.bundled(), TapDevice.open("kp" + net.tag)).withAddress(ip, 24));
                 MicroVm svm = MicroVm.create(MicroVmConfig.of(GuestImage.bundled(), TapDevice.open("ks" + net.tag)).withAddress(ip, 24))) {
                for (MicroVm v : new MicroVm[] {pvm, svm}) {
                    Shell.run("ip", "link", "set", ((TapDevice) v.net().backend()).name(), "up");
                }
                PortOptions o = PortOptions.defaults();
                CompareConfig compare = new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_RESTORED);
                pvm.resume();
                try (PrimaryRunner primary = new PrimaryRunner(NodeAddresses.on(InetAddress.getLoopbackAddress(), true),
                        FramePorts.open(FramePortType.AFPACKET, ((TapDevice) pvm.net().backend()).name(), o),
                        FramePorts.open(FramePortType.AFPACKET, net.primaryNet, o), new LinkConfig(), NodeTuning.DEFAULT, compare, config("pvm"),
                        new KvmReplicatedVm(pvm), new AlwaysArbiter(), new DecisionListener() {
                            @Override
                            public void onRelease(byte[] f, int off, int len, long c, long n) {
                            }
                        }, CoordinatorListener.NONE);
                     SecondaryRunner secondary = new SecondaryRunner(primary.boundAddresses(),
                             FramePorts.open(FramePortType.AFPACKET, ((TapDevice) svm.net().backend()).name(), o), null, new LinkConfig(),
                             NodeTuning.DEFAULT, config("svm"), new KvmReplicatedVm(svm), true, new AlwaysArbiter(), CoordinatorListener.NONE)) {
                    long deadline = System.currentTimeMillis() + 20_000;
                    while (primary.coordinator().state() != PrimaryState.PROTECTED && System.currentTimeMillis() < deadline) {
                        Thread.sleep(20);
                    }
                    double coloRtt = rtt(net, pings);
                    double coloMBps = Double.parseDouble(net.ns(net.client, "python3", client.toString(), LabTopology.VM_IP, "" + bytes).trim());
                    System.out.printf(Locale.ROOT, "KVM guest, BLOB %d MiB and %d pings: direct (tap on the bridge) vs COLO (two KVM replicas)%n", mib, pings);
                    System.out.printf(Locale.ROOT, "%-24s %10s %10s %8s%n", "", "direct", "COLO", "ratio");
                    System.out.printf(Locale.ROOT, "%-24s %10.1f %10.1f %7.0f%%%n", "TCP server->client MB/s", directMBps, coloMBps, 100 * coloMBps / directMBps);
                    System.out.printf(Locale.ROOT, "%-24s %8.3fms %8.3fms %+7.3fms%n", "ping RTT median", directRtt, coloRtt, coloRtt - directRtt);
                    System.out.println("primary node: " + primary.node().stats().line());
                    System.out.println("checkpoints: " + primary.coordinator().status().checkpoints() + ", rewriter: " + secondary.rewriter().stats());
                }
            }
        }
    }

    private static double rtt(LabTopology net, int pings) throws Exception {
        // Unmeasured warm-up first: the JIT compiles the nodes' path, as on a node up for a while.
        net.ns(net.client, "ping", "-q", "-c", "500", "-i", "0.002", "-W", "1", "-n", LabTopology.VM_IP);
        String out = net.ns(net.client, "ping", "-c", "" + pings, "-i", "0.01", "-W", "1", "-n", LabTopology.VM_IP);
        double[] rtts = java.util.regex.Pattern.compile("time=([0-9.]+) ms").matcher(out).results()
                .mapToDouble(m -> Double.parseDouble(m.group(1))).sorted().toArray();
        return rtts.length == 0 ? Double.NaN : rtts[rtts.length / 2];
    }

    private static CheckpointConfig config(String node) {
        return new CheckpointConfig().nodeId(node).heartbeatInterval(Duration.ofMillis(100)).heartbeatMisses(5).leaseTtl(Duration.ofSeconds(2))
                .syncTimeout(Duration.ofSeconds(2)).periodicInterval(Duration.ZERO).minInterval(Duration.ZERO);
    }

    private static int ipv4(String dotted) {
        int v = 0;
        for (String b : dotted.split("\\.")) {
            v = (v << 8) | Integer.parseInt(b);
        }
        return v;
    }
}
