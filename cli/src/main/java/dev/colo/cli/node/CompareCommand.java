package dev.colo.cli.node;

import dev.colo.cli.CompareOptions;
import dev.colo.compare.CheckpointModel;
import dev.colo.proxy.link.LinkConfig;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "compare",
        defaultValueProvider = dev.colo.cli.config.ConfigDefaults.class,
        header = "Stands in for QEMU's colo-compare object (three QEMU-format sockets).",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Stands in for QEMU's colo-compare object: PVM output arrives on --primary-in,",
            "SVM output on --secondary-in, and what compares equal (or was covered by a",
            "checkpoint) leaves on --outdev, all in QEMU's socket format, so QEMU's",
            "filter-redirectors connect to it as to colo-compare's chardevs.",
            "",
            "QEMU does not let an outside process order a COLO checkpoint, so give one:",
            "--checkpoint-command runs once per divergence or timeout (e.g. a QMP script);",
            "held output is released when it exits 0. Without it, held output is released",
            "only when the replicas agree again, never on a divergence."},
        footer = {
            "%nExample (the chardevs of QEMU's COLO how-to, colo-compare replaced):",
            "  colo compare --primary-in connect:127.0.0.1:9001 --secondary-in listen:0.0.0.0:9004 \\",
            "               --outdev connect:127.0.0.1:9005 --checkpoint-command ./qmp-checkpoint.sh",
            "%nExit codes:",
            "  0    stopped by a signal",
            "  2    bad command line",
            "  4    cannot listen or connect"})
public final class CompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CompareOptions compare = new CompareOptions();

    @Mixin
    dev.colo.cli.control.ControlOptions control = new dev.colo.cli.control.ControlOptions();

    @Mixin
    dev.colo.cli.config.ConfigOption config = new dev.colo.cli.config.ConfigOption();

    @Mixin
    dev.colo.cli.metrics.MetricsOption metrics = new dev.colo.cli.metrics.MetricsOption();

    @Option(names = "--primary-in", paramLabel = "LINK", required = true, description = "PVM output: listen:HOST:PORT or connect:HOST:PORT.")
    String primaryIn;

    @Option(names = "--secondary-in", paramLabel = "LINK", required = true, description = "SVM output.")
    String secondaryIn;

    @Option(names = "--outdev", paramLabel = "LINK", required = true, description = "Where released PVM output goes.")
    String outdev;

    @Option(names = "--vnet-hdr", description = "All three links carry vnet_hdr_len (QEMU's vnet_hdr_support=on).")
    boolean vnetHdr;

    @Option(names = "--checkpoint-command", paramLabel = "CMD", split = " ", description = "Run to get a checkpoint; exit 0 = committed.")
    List<String> checkpointCommand;

    @Option(names = "--compare-thread",
            description = "Compare on a thread of its own behind the Disruptor ring; the I/O thread only moves bytes. "
                    + "For hosts with a core to spare.")
    boolean compareThread;

    @Option(names = "--stats-interval", paramLabel = "SECONDS", defaultValue = "10", description = "Default: ${DEFAULT-VALUE}.")
    int statsInterval;

    @picocli.CommandLine.Mixin
    FrameDeadlineOption frameDeadline = new FrameDeadlineOption();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        metrics.validate(spec);
        LinkSpec pIn;
        LinkSpec sIn;
        LinkSpec o;
        try {
            pIn = LinkSpec.parse(primaryIn);
            sIn = LinkSpec.parse(secondaryIn);
            o = LinkSpec.parse(outdev);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        LinkConfig link = new LinkConfig().vnetHdr(vnetHdr).frameDeadline(frameDeadline.value()).validate();
        CommandGate gate = checkpointCommand == null ? null : new CommandGate(checkpointCommand, out);
        DivergenceLog divergences = new DivergenceLog(out);
        CompareNode node;
        try {
            node = new CompareNode(pIn, sIn, o, link, compare.toConfig(CheckpointModel.SECONDARY_RESTORED),
                    gate != null ? gate : new NeverGate(), divergences, compareThread);
        } catch (java.io.IOException e) {
            spec.commandLine().getErr().println("colo compare: " + e.getMessage());
            return 4;
        }
        AutoCloseable metricsServer;
        try {
            metricsServer = metrics.start(spec, dev.colo.cli.metrics.ColoMetrics.compare(node), out);
        } catch (java.io.IOException e) {
            node.close();
            spec.commandLine().getErr().println("colo compare: --metrics: " + e.getMessage());
            return 4;
        }
        CountDownLatch stop = new CountDownLatch(1);
        AutoCloseable controlSocket = control.start("compare", dev.colo.cli.control.NodeControls.compare(node, out, compareThread), out);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dev.colo.cli.control.ControlOptions.close(controlSocket);
            PrimaryRunner.closeQuietly(metricsServer);
            node.close();
            if (gate != null) {
                gate.close();
            }
            out.println("colo compare: stopped; " + node.statusLine());
            out.flush();
            stop.countDown();
        }, "colo-compare-shutdown"));
        out.println("colo compare: " + node.describe());
        out.flush();
        StatsPrinter.runUntil(stop, statsInterval, out, () -> {
            divergences.reportSuppressed();
            return node.statusLine() + (gate != null ? "; checkpoints committed " + gate.committedGeneration() : "");
        });
        return 0;
    }

    /** No checkpoint can be had: divergent output stays held (never released unchecked). */
    private static final class NeverGate implements dev.colo.compare.CheckpointGate {
        @Override
        public long request(dev.colo.compare.CheckpointReason reason) {
            return Long.MAX_VALUE;
        }

        @Override
        public long committedGeneration() {
            return 0;
        }

    }
}
