package dev.colo.cli.node;

import dev.colo.cli.CompareOptions;
import dev.colo.compare.CheckpointModel;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.DecisionListener;
import dev.colo.compare.Divergence;
import dev.colo.compare.Side;
import dev.colo.compare.packet.FrameDecoder;
import dev.colo.compare.pipeline.InlineCompare;
import dev.colo.proxy.link.FrameLink;
import dev.colo.proxy.link.FrameReceiver;
import dev.colo.proxy.link.LinkConfig;
import dev.colo.proxy.node.NodeLoop;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "compare",
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

    @Option(names = "--stats-interval", paramLabel = "SECONDS", defaultValue = "10", description = "Default: ${DEFAULT-VALUE}.")
    int statsInterval;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
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
        LinkConfig link = new LinkConfig().vnetHdr(vnetHdr).validate();
        CommandGate gate = checkpointCommand == null ? null : new CommandGate(checkpointCommand, out);
        AtomicLong released = new AtomicLong();
        AtomicLong divergences = new AtomicLong();
        // One thread for everything, as in the nodes: the three links and the comparator share one loop.
        NodeLoop loop = NodeLoop.start("compare", java.time.Duration.ZERO);
        FrameLink outLink;
        try {
            outLink = o.open("outdev", link, frame -> { }, loop.loop());
        } catch (java.io.IOException e) {
            loop.close();
            spec.commandLine().getErr().println("colo compare: " + e.getMessage());
            return 4;
        }
        ByteBuffer releaseBuffer = ByteBuffer.allocateDirect(link.maxFrame());
        CompareConfig config = compare.toConfig(CheckpointModel.SECONDARY_RESTORED);
        InlineCompare comparator = new InlineCompare(config, gate != null ? gate : new NeverGate(), new DecisionListener() {
            @Override
            public void onRelease(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
                releaseBuffer.clear();
                releaseBuffer.put(frame, offset, length).flip();
                if (outLink.send(releaseBuffer)) {
                    released.incrementAndGet();
                }
            }

            @Override
            public void onDivergence(Divergence d) {
                out.println("divergence #" + divergences.incrementAndGet() + ": " + d);
                out.flush();
            }
        });
        FrameLink p;
        FrameLink s;
        try {
            p = pIn.open("primary-in", link, feeder(comparator, Side.PRIMARY), loop.loop());
            s = sIn.open("secondary-in", link, feeder(comparator, Side.SECONDARY), loop.loop());
        } catch (java.io.IOException e) {
            outLink.close();
            loop.close();
            spec.commandLine().getErr().println("colo compare: " + e.getMessage());
            return 4;
        }
        loop.every(Math.max(1_000_000L, config.scanIntervalNanos()), () -> comparator.tick(System.nanoTime()));
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            p.close();
            s.close();
            loop.runUnlessStopped(comparator::close);
            outLink.close();
            loop.close();
            if (gate != null) {
                gate.close();
            }
            stop.countDown();
        }, "colo-compare-shutdown"));
        out.println("colo compare: " + p.describe() + ", " + s.describe() + ", " + outLink.describe());
        out.flush();
        StatsPrinter.runUntil(stop, statsInterval, out, () -> "released " + released + ", divergences " + divergences
                + ", checkpoints " + (gate != null ? gate.committedGeneration() : 0));
        return 0;
    }

    /** On the loop: every link delivers there, so the comparator sees one thread. */
    private static FrameReceiver feeder(InlineCompare comparator, Side side) {
        return frame -> comparator.publish(side.ordinal(), System.nanoTime(), FrameDecoder.LINKTYPE_ETHERNET, frame);
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
