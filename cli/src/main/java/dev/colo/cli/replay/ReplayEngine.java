package dev.colo.cli.replay;

import dev.colo.compare.CheckpointGate;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.OutputComparator;
import dev.colo.compare.Side;
import dev.colo.compare.packet.FrameDecoder;
import dev.colo.compare.packet.FrameInfo;
import dev.colo.compare.pipeline.ComparePipeline;
import dev.colo.pcap.PacketFileReader;
import dev.colo.pcap.TimestampMerge;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays a primary and a secondary output capture through the comparison pipeline, merged on their
 * capture timestamps. Time is virtual (the timestamps), so timeouts fire where they would have fired
 * live and the outcome is the same on every run.
 */
public final class ReplayEngine {
    /** Frames handed to the pipeline together: replay is batch work, latency does not matter. */
    static final int PUBLISH_BATCH = 64;
    /**
     * Small enough that the ring's frames stay in the L2 caches between the reader and the comparator
     * (measured on 2 cores: 4096 slots ran ~1.5x faster than 32768; see bench/README.md).
     */
    static final int RING_SIZE = 4096;
    private final CompareConfig config;
    private Path releasedOut;
    private Path divergencesOut;
    private int keepDivergences = 100;
    private ComparePipeline.Waiting waiting = ComparePipeline.Waiting.SLEEPING;
    private PrintStream progressTo;
    private Mode mode = Mode.PIPELINE;

    /** Where the comparison runs. */
    public enum Mode {
        /** The Disruptor pipeline: a reader thread and the parse, compare and emit stages (colo replay's default). */
        PIPELINE,
        /**
         * Decode and compare on the calling thread, no thread of its own, the same decisions as the pipeline (for
         * sweeps that run many replays on a fixed pool); the most frames held at once is tracked.
         */
        DIRECT
    }

    public ReplayEngine(CompareConfig config) {
        this.config = config;
    }

    public ReplayEngine releasedOut(Path p) { releasedOut = p; return this; }
    public ReplayEngine divergencesOut(Path p) { divergencesOut = p; return this; }
    public ReplayEngine keepDivergences(int n) { keepDivergences = n; return this; }
    public ReplayEngine waiting(ComparePipeline.Waiting w) { waiting = w; return this; }
    /** Draws a progress bar on this stream (null: none). */
    public ReplayEngine progressTo(PrintStream err) { progressTo = err; return this; }
    public ReplayEngine mode(Mode m) { mode = m; return this; }

    /** Replays the pair. Opening errors throw; a fault inside a file ends that side and is listed in the result. */
    public ReplayResult run(Path primary, Path secondary) throws IOException {
        return mode == Mode.DIRECT ? runDirect(primary, secondary) : runPipeline(primary, secondary);
    }

    private ReplayResult runPipeline(Path primary, Path secondary) throws IOException {
        List<String> errors = new ArrayList<>();
        long start = System.nanoTime();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        ReplaySink sink = new ReplaySink(releasedOut, divergencesOut, keepDivergences);
        ClockSteps steps = new ClockSteps(config);
        ComparePipeline pipeline;
        try (PacketFileReader p = PacketFileReader.open(primary); PacketFileReader s = PacketFileReader.open(secondary)) {
            pipeline = ComparePipeline.builder().config(config).sink(sink).waiting(waiting)
                    .publishBatch(PUBLISH_BATCH).ringSize(RING_SIZE).drainAtEnd(true).start();
            Progress progress = new Progress(progressTo, Files.size(primary) + Files.size(secondary), progressTo != null);
            TimestampMerge merge = new TimestampMerge(p, s);
            long frames = 0;
            for (int side; (side = merge.next()) >= 0; ) {
                PacketFileReader r = merge.reader(side);
                long ts = r.timestampNanos();
                first = Math.min(first, ts);
                last = Math.max(last, ts);
                steps.record(side, r.framesRead(), ts);
                pipeline.publish(side == 0 ? Side.P : Side.S, ts, r.linkType(), r.data(), 0, r.capturedLength());
                if ((++frames & 0xffff) == 0) {
                    progress.update(p.frameOffset() + s.frameOffset(), frames);
                }
            }
            errors.addAll(merge.errors());
            pipeline.finish(last == Long.MIN_VALUE ? 0 : last);
            progress.done();
        } finally {
            sink.closeQuietly();
        }
        OutputComparator c = pipeline.comparator();
        return new ReplayResult(primary, secondary, config, c.stats(), c.holdTimes(), c.heldBeforeDrain(), c.heldFrames(),
                List.copyOf(sink.divergences), List.copyOf(sink.checkpoints), sink.rulesFired,
                first == Long.MAX_VALUE ? 0 : first, last == Long.MIN_VALUE ? 0 : last,
                System.nanoTime() - start, List.copyOf(errors), -1, steps.steps(), steps.count(), c.clockFirings(),
                c.repeatsCollapsed());
    }

    /**
     * The direct mode: each frame decoded and compared on this thread as it is read, decisions straight to the
     * sink (divergences copied, as the pipeline's emit stage does), drained at the end of input. No allocation per
     * frame beyond the comparator's own.
     */
    private ReplayResult runDirect(Path primary, Path secondary) throws IOException {
        List<String> errors = new ArrayList<>();
        long start = System.nanoTime();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        int peak = 0;
        ReplaySink sink = new ReplaySink(releasedOut, divergencesOut, keepDivergences);
        ClockSteps steps = new ClockSteps(config);
        OutputComparator c;
        try (PacketFileReader p = PacketFileReader.open(primary); PacketFileReader s = PacketFileReader.open(secondary)) {
            c = new OutputComparator(config, CheckpointGate.immediate(), new dev.colo.compare.CopyingDecisions(sink));
            FrameDecoder decoder = new FrameDecoder();
            FrameInfo info = new FrameInfo();
            Progress progress = new Progress(progressTo, Files.size(primary) + Files.size(secondary), progressTo != null);
            TimestampMerge merge = new TimestampMerge(p, s);
            long frames = 0;
            for (int side; (side = merge.next()) >= 0; ) {
                PacketFileReader r = merge.reader(side);
                long ts = r.timestampNanos();
                first = Math.min(first, ts);
                last = Math.max(last, ts);
                steps.record(side, r.framesRead(), ts);
                int length = r.capturedLength();
                decoder.decode(r.linkType(), r.data(), 0, length, info);
                c.onFrame(side == 0 ? Side.P : Side.S, ts, r.data(), 0, length, info);
                c.pollCommit();
                peak = Math.max(peak, c.heldFrames());
                if ((++frames & 0xffff) == 0) {
                    progress.update(p.frameOffset() + s.frameOffset(), frames);
                }
            }
            errors.addAll(merge.errors());
            c.onTick(last == Long.MIN_VALUE ? 0 : last);
            c.drain();
            c.pollCommit();
            progress.done();
        } finally {
            sink.closeQuietly();
        }
        return new ReplayResult(primary, secondary, config, c.stats(), c.holdTimes(), c.heldBeforeDrain(), c.heldFrames(),
                List.copyOf(sink.divergences), List.copyOf(sink.checkpoints), sink.rulesFired,
                first == Long.MAX_VALUE ? 0 : first, last == Long.MIN_VALUE ? 0 : last,
                System.nanoTime() - start, List.copyOf(errors), peak, steps.steps(), steps.count(), c.clockFirings(),
                c.repeatsCollapsed());
    }
}
