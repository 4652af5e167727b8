package dev.colo.cli.node;

import dev.colo.checkpoint.CheckpointConfig;
import dev.colo.checkpoint.CoordinatorListener;
import dev.colo.checkpoint.protocol.Role;
import dev.colo.cli.CompareOptions;
import dev.colo.proxy.io.FramePort;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "primary",
        defaultValueProvider = dev.colo.cli.config.ConfigDefaults.class,
        header = "Runs the primary node: forwards for the PVM, mirrors, compares, releases.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs the primary node. Take the PVM's tap off the bridge and give this node",
            "two ports: the VM's (--vm-port, the PVM's tap) and the network's (--net-port,",
            "an interface on the bridge, e.g. one end of a veth pair whose other end is a",
            "bridge port). Every frame from the network goes to the PVM and is mirrored to",
            "the secondary; the PVM's output is released to the network only when the SVM",
            "sent the same (compared per TCP stream or datagram flow) or a checkpoint made",
            "the SVM consistent with it. Until a secondary is in sync, and after it is",
            "lost, the PVM's output passes unprotected.",
            "",
            "Listens for the secondary on three ports: checkpoint protocol, mirror link,",
            "redirect link (QEMU's socket format). Turn offloads off on every interface",
            "involved:",
            "  ethtool -K IF rx off tx off tso off gso off gro off",
            "Stops on SIGINT/SIGTERM."},
        footer = {
            "%nExamples:",
            "  colo primary --vm-port afpacket:tap-pvm --net-port afpacket:veth-colo",
            "  colo primary --vm kvm --net-port afpacket:veth-colo --ignore http-date",
            "%nExit codes:",
            "  0    stopped by a signal",
            "  2    bad command line (unknown interface, bad spec)",
            "  4    cannot listen, or KVM could not start the guest"})
public final class PrimaryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    NodeOptions node = new NodeOptions();

    @Mixin
    CompareOptions compare = new CompareOptions();

    @Mixin
    dev.colo.cli.control.ControlOptions control = new dev.colo.cli.control.ControlOptions();

    @Mixin
    dev.colo.cli.config.ConfigOption config = new dev.colo.cli.config.ConfigOption();

    @Mixin
    dev.colo.cli.metrics.MetricsOption metrics = new dev.colo.cli.metrics.MetricsOption();

    @Option(names = "--net-port", paramLabel = "SPEC", required = true, description = "The network's side: afpacket:IF, tap:NAME or pcap:IF.")
    String netPort;

    @Option(names = "--listen", paramLabel = "ADDR", defaultValue = "0.0.0.0", description = "Address the three ports listen on. Default: ${DEFAULT-VALUE}.")
    String listen;

    @Option(names = "--compare-thread",
            description = "Compare on a thread of its own behind the Disruptor ring, instead of on the node's I/O thread: the I/O "
                    + "thread never waits for the comparator, at the cost of a hand-off per frame. For hosts with cores to spare.")
    boolean compareThread;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        metrics.validate(spec);
        dev.colo.cli.metrics.CheckpointPauses pauses = new dev.colo.cli.metrics.CheckpointPauses();
        CountDownLatch stop = new CountDownLatch(1);
        InetAddress host = InetAddress.getByName(listen);
        NodeAddresses at = node.addresses(host);
        NodeVm vm;
        CheckpointConfig checkpoint = node.checkpoint(spec, NodeOptions.hostName()); // checked before anything starts
        try {
            vm = NodeVm.open(node, "colo-pvm", out);
        } catch (RuntimeException | java.io.IOException e) {
            spec.commandLine().getErr().println("colo primary: cannot start the VM: " + e.getMessage());
            return 4;
        }
        FramePort vmSide = null;
        FramePort netSide = null;
        PrimaryRunner runner;
        DivergenceLog divergences = new DivergenceLog(out);
        try {
            vmSide = node.open(spec, "--vm-port", vm.portSpec(node.vmPort));
            netSide = node.open(spec, "--net-port", netPort);
            runner = new PrimaryRunner(at, vmSide, netSide, node.link(), node.tuning(spec, compareThread), compare.toConfig(vm.checkpointModel()),
                    checkpoint, vm.replicated(), node.arbiter(spec, checkpoint), divergences, Listeners.all(logTo(out), pauses));
        } catch (ParameterException | IllegalArgumentException e) {
            throw NodeOptions.usage(spec, e, vmSide, netSide, vm);
        } catch (java.io.IOException e) {
            PrimaryRunner.closeQuietly(vmSide);
            PrimaryRunner.closeQuietly(netSide);
            vm.close();
            spec.commandLine().getErr().println("colo primary: " + e.getMessage());
            return 4;
        }
        vm.startAsPrimary();
        NodeAddresses bound = runner.boundAddresses();
        out.printf("colo primary: checkpoint %s, mirror %s, redirect %s%n", bound.checkpoint(), bound.mirror(), bound.redirect());
        if (node.arbiterWarning() != null) {
            out.println(node.arbiterWarning());
        }
        out.flush();
        AutoCloseable metricsServer;
        try {
            metricsServer = metrics.start(spec, dev.colo.cli.metrics.ColoMetrics.primary(runner, vmSide, netSide, pauses), out);
        } catch (java.io.IOException e) {
            runner.close();
            vm.close();
            spec.commandLine().getErr().println("colo primary: --metrics: " + e.getMessage());
            return 4;
        }
        AutoCloseable controlSocket = control.start("primary", dev.colo.cli.control.NodeControls.primary(runner, out, compareThread), out);
        Thread hook = new Thread(() -> {
            dev.colo.cli.control.ControlOptions.close(controlSocket);
            PrimaryRunner.closeQuietly(metricsServer);
            runner.close();
            vm.close();
            stop.countDown();
        }, "colo-primary-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        StatsPrinter.runUntil(stop, node.statsInterval, out, () -> {
            divergences.reportSuppressed();
            return node.statusPrefix() + runner.coordinator().state() + ": " + runner.node().statusLine();
        });
        return 0;
    }

    static CoordinatorListener logTo(PrintWriter out) {
        return new CoordinatorListener() {
            @Override
            public void onTransition(Role role, String from, String to, String why) {
                out.println(role.toString().toLowerCase(java.util.Locale.ROOT) + ": " + from + " -> " + to + " (" + why + ")");
                out.flush();
            }
        };
    }
}
