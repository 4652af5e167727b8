package dev.colo.cli.node;

import dev.colo.checkpoint.CheckpointConfig;
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

@Command(name = "secondary",
        defaultValueProvider = dev.colo.cli.config.ConfigDefaults.class,
        header = "Runs the secondary node: feeds the SVM, returns its output, takes over.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs the secondary node. The SVM's tap (--vm-port) is on no bridge: this node",
            "injects the client frames the primary mirrors (TCP acks rewritten into the",
            "SVM's numbering) and sends everything the SVM outputs to the primary for",
            "comparison; nothing of the SVM reaches the network. If the primary dies (and",
            "the arbiter allows), this node takes over: the SVM is served on --net-port",
            "with the TCP offsets kept, so open client connections go on. Stops on",
            "SIGINT/SIGTERM."},
        footer = {
            "%nExamples:",
            "  colo secondary --primary 10.0.0.1 --vm-port afpacket:tap-svm --net-port afpacket:veth-colo",
            "  colo secondary --primary 10.0.0.1 --vm kvm --net-port afpacket:veth-colo",
            "%nExit codes:",
            "  0    stopped by a signal",
            "  2    bad command line",
            "  4    KVM could not start the guest"})
public final class SecondaryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    NodeOptions node = new NodeOptions();

    @Mixin
    dev.colo.cli.control.ControlOptions control = new dev.colo.cli.control.ControlOptions();

    @Mixin
    dev.colo.cli.config.ConfigOption config = new dev.colo.cli.config.ConfigOption();

    @Mixin
    dev.colo.cli.metrics.MetricsOption metrics = new dev.colo.cli.metrics.MetricsOption();

    @Option(names = "--primary", paramLabel = "HOST", required = true, description = "The primary node's address.")
    String primaryHost;

    @Option(names = "--net-port", paramLabel = "SPEC",
            description = "Where to serve clients after a failover (an interface on the bridge). Without it the SVM runs cut off after a failover.")
    String netPort;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        metrics.validate(spec);
        CountDownLatch stop = new CountDownLatch(1);
        InetAddress host;
        try {
            host = InetAddress.getByName(primaryHost);
        } catch (java.net.UnknownHostException e) {
            throw new ParameterException(spec.commandLine(), "--primary: unknown host '" + primaryHost + "'");
        }
        NodeAddresses primary = node.addresses(host);
        NodeVm vm;
        CheckpointConfig checkpoint = node.checkpoint(spec, NodeOptions.hostName()); // checked before anything starts
        try {
            vm = NodeVm.open(node, "colo-svm", out);
        } catch (RuntimeException | java.io.IOException e) {
            spec.commandLine().getErr().println("colo secondary: cannot start the VM: " + e.getMessage());
            return 4;
        }
        FramePort vmSide = null;
        FramePort netSide = null;
        SecondaryRunner runner;
        try {
            vmSide = node.open(spec, "--vm-port", vm.portSpec(node.vmPort));
            netSide = netPort != null ? node.open(spec, "--net-port", netPort) : null;
            runner = new SecondaryRunner(primary, vmSide, netSide, node.link(), node.tuning(spec, false), checkpoint,
                    vm.replicated(), vm.restoredByCheckpoints(), node.arbiter(spec, checkpoint), PrimaryCommand.logTo(out));
        } catch (ParameterException | IllegalArgumentException e) {
            throw NodeOptions.usage(spec, e, vmSide, netSide, vm);
        }
        out.printf("colo secondary: connecting to the primary at %s%n", host.getHostAddress());
        if (node.arbiterWarning() != null) {
            out.println(node.arbiterWarning());
        }
        out.flush();
        AutoCloseable metricsServer;
        try {
            metricsServer = metrics.start(spec, dev.colo.cli.metrics.ColoMetrics.secondary(runner, vmSide, netSide), out);
        } catch (java.io.IOException e) {
            runner.close();
            vm.close();
            spec.commandLine().getErr().println("colo secondary: --metrics: " + e.getMessage());
            return 4;
        }
        AutoCloseable controlSocket = control.start("secondary", dev.colo.cli.control.NodeControls.secondary(runner), out);
        Thread hook = new Thread(() -> {
            dev.colo.cli.control.ControlOptions.close(controlSocket);
            PrimaryRunner.closeQuietly(metricsServer);
            runner.close();
            vm.close();
            stop.countDown();
        }, "colo-secondary-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        StatsPrinter.runUntil(stop, node.statsInterval, out, () -> node.statusPrefix() + runner.coordinator().state() + ": " + runner.node().statusLine()
                + "; rewriter: " + runner.rewriter().stats());
        return 0;
    }
}
