package dev.colo.bench;

import dev.colo.cli.replay.ReplayEngine;
import dev.colo.cli.replay.ReplayResult;
import dev.colo.compare.CheckpointGate;
import dev.colo.compare.CheckpointModel;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.CompareStats;
import dev.colo.compare.DecisionListener;
import dev.colo.compare.Divergence;
import dev.colo.compare.HoldTimeHistogram;
import dev.colo.compare.OutputComparator;
import dev.colo.compare.Side;
import dev.colo.compare.packet.FrameDecoder;
import dev.colo.compare.packet.FrameInfo;
import dev.colo.compare.pipeline.ComparePipeline;
import dev.colo.pcap.PacketFileReader;
import dev.colo.pcap.TimestampMerge;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * End-to-end replay benchmark: generates (once, cached) an identical bulk-TCP capture pair and replays
 * it through {@link ReplayEngine} (file reading, then the Disruptor pipeline's parse, compare and emit
 * threads) several times, reporting throughput, the comparator's verdict, hold times, GC, heap and the
 * CPU time of each thread.
 *
 * <p>Two baselines help tell where the time goes: {@code --mode read} only reads and merges the two
 * files (the input's ceiling), {@code --mode direct} reads, decodes and compares on one thread with no
 * pipeline. Run with {@code bench/run-replay-bench.sh [options]}; {@code --help} lists them. Exits 1 if a
 * run diverged, lost frames or did not see every frame: the pair is identical, so none of that may happen.
 */
public final class ReplayBench {
    static final long DEFAULT_FRAMES = 1_000_000;
    static final int DEFAULT_CONNECTIONS = 16;
    static final String DEFAULT_DIR = "/tmp/colo-bench";
    static final long SEED = 20261122L;

    /** What a run does with the pair. */
    enum Mode {
        /** ReplayEngine: reader thread + the pipeline (parse, compare, emit threads). */
        ENGINE,
        /** Reader, decoder and comparator on one thread, no pipeline, releases only counted. */
        DIRECT,
        /** Read and merge the two files only. */
        READ
    }

    static final String USAGE = String.join("\n",
            "usage: ReplayBench [--frames N] [--connections N] [--dir DIR] [--runs N] [--wait SLEEPING|YIELDING|BLOCKING]",
            "                   [--mode ENGINE|DIRECT|READ]",
            "  --frames N       frames per side (default " + DEFAULT_FRAMES + ")",
            "  --connections N  concurrent TCP connections (default " + DEFAULT_CONNECTIONS + ")",
            "  --dir DIR        where the generated pair is cached (default " + DEFAULT_DIR + ")",
            "  --runs N         replays of the pair (default 3)",
            "  --wait W         pipeline wait strategy (default YIELDING)",
            "  --mode M         ENGINE (default): ReplayEngine and its pipeline; DIRECT: read, decode and compare",
            "                   on one thread; READ: only read and merge the files (baselines)");

    long frames = DEFAULT_FRAMES;
    int connections = DEFAULT_CONNECTIONS;
    Path dir = Path.of(DEFAULT_DIR);
    int runs = 3;
    ComparePipeline.Waiting waiting = ComparePipeline.Waiting.YIELDING;
    Mode mode = Mode.ENGINE;

    public static void main(String[] args) throws IOException {
        ReplayBench bench = new ReplayBench();
        try {
            if (!bench.parse(args)) {
                return;
            }
        } catch (IllegalArgumentException e) {
            System.err.println("ReplayBench: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        System.exit(bench.run(System.out) ? 0 : 1);
    }

    /** @return false when only the usage was asked for */
    boolean parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                System.out.println(USAGE);
                return false;
            }
            int eq = a.indexOf('=');
            String name = eq > 0 ? a.substring(0, eq) : a;
            String value;
            if (eq > 0) {
                value = a.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException(a + " needs a value");
            }
            switch (name) {
                case "--frames":
                    frames = count(name, value);
                    break;
                case "--connections":
                    connections = (int) Math.min(Integer.MAX_VALUE, count(name, value));
                    break;
                case "--dir":
                    dir = Path.of(value);
                    break;
                case "--runs":
                    runs = (int) Math.min(Integer.MAX_VALUE, count(name, value));
                    break;
                case "--wait":
                    waiting = choice(name, value, ComparePipeline.Waiting.class);
                    break;
                case "--mode":
                    mode = choice(name, value, Mode.class);
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + a);
            }
        }
        return true;
    }

    private static long count(String name, String value) {
        long v;
        try {
            v = Long.parseLong(value.replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": not a number: " + value);
        }
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
        return v;
    }

    private static <E extends Enum<E>> E choice(String name, String value, Class<E> type) {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": expected one of "
                    + Arrays.toString(type.getEnumConstants()) + ", got " + value);
        }
    }

    /** What one pass over the pair saw; stats and holdTimes are null in READ mode. */
    record Outcome(long framesPrimary, long framesSecondary, long frameBytes, long wallNanos, CompareStats stats,
                   HoldTimeHistogram holdTimes, int heldAfterDrain, List<String> divergences, List<String> inputErrors) {
        double framesPerSecond() {
            return (framesPrimary + framesSecondary) * 1e9 / wallNanos;
        }

        double megabytesPerSecond() {
            return frameBytes * 1e3 / wallNanos;
        }
    }

    /** One run: its outcome and what the JVM did meanwhile. */
    record Run(int index, Outcome outcome, long gcCount, long gcMillis, long heapBefore, long heapAfter,
               List<String> gcDetail, List<ThreadCpu.Usage> threads) {
    }

    boolean run(PrintStream out) throws IOException {
        printEnvironment(out);
        BulkTcpPair pair = BulkTcpPair.ensure(dir, frames, connections, SEED, out);
        out.printf("input: %s + %s (%,d bytes each), %,d frames per side, %d connections, %d-byte segments%n",
                pair.primary, pair.secondary, Files.size(pair.primary), frames, connections, BulkTcpPair.MSS);
        out.printf("mode: %s%s, runs: %d%n%n", mode, mode == Mode.ENGINE ? ", wait strategy " + waiting : "", runs);
        out.println(" run  frames/side      wall ms  frames/s(both)   MB/s  diverg  ckpts  held  hold p50 us  p99 us"
                + "  GCs  GC ms  heap before MiB  after MiB");

        List<Run> results = new ArrayList<>();
        boolean ok = true;
        for (int i = 1; i <= runs; i++) {
            Run r = measure(i, pair);
            results.add(r);
            Outcome o = r.outcome();
            CompareStats s = o.stats();
            HoldTimeHistogram h = o.holdTimes();
            out.printf(Locale.ROOT, "%4d  %11d  %11.1f  %14.0f  %5.0f  %6s  %5s  %4s  %11s  %6s  %3d  %5d  %15.1f  %9.1f%n",
                    i, o.framesPrimary(), o.wallNanos() / 1e6, o.framesPerSecond(), o.megabytesPerSecond(),
                    s == null ? "-" : Long.toString(s.totalDivergences()),
                    s == null ? "-" : Long.toString(s.totalCheckpoints()),
                    s == null ? "-" : Integer.toString(o.heldAfterDrain()),
                    h == null ? "-" : String.format(Locale.ROOT, "%.2f", h.quantile(0.50) / 1e3),
                    h == null ? "-" : String.format(Locale.ROOT, "%.2f", h.quantile(0.99) / 1e3),
                    r.gcCount(), r.gcMillis(), r.heapBefore() / 1048576.0, r.heapAfter() / 1048576.0);
            ok &= check(out, r);
        }
        out.println();
        out.println("frames/s and MB/s count both sides (MB = 10^6 bytes of frames); hold times are in virtual"
                + " (capture) time.");
        for (Run r : results) {
            out.printf("run %d GC: %s%n", r.index(), String.join(", ", r.gcDetail()));
        }
        for (Run r : results) {
            double wallMs = r.outcome().wallNanos() / 1e6;
            StringBuilder b = new StringBuilder();
            long total = 0;
            for (ThreadCpu.Usage u : r.threads()) {
                b.append(String.format(Locale.ROOT, " %s %d+%d (%.0f%%);", u.name(), u.userNanos() / 1_000_000,
                        (u.cpuNanos() - u.userNanos()) / 1_000_000, u.cpuNanos() / 1e6 / wallMs * 100));
                total += u.cpuNanos();
            }
            out.printf(Locale.ROOT, "run %d CPU ms user+system (%% of wall) by thread:%s all: %.0f%% of one core%n",
                    r.index(), b, total / 1e6 / wallMs * 100);
        }
        double[] fps = results.stream().mapToDouble(r -> r.outcome().framesPerSecond()).sorted().toArray();
        double median = fps.length % 2 == 1 ? fps[fps.length / 2] : (fps[fps.length / 2 - 1] + fps[fps.length / 2]) / 2;
        out.printf(Locale.ROOT, "%nsummary (%s%s, %d runs): frames/s both sides: best %,.0f, median %,.0f, worst %,.0f; %s%n",
                mode, mode == Mode.ENGINE ? " " + waiting : "", runs, fps[fps.length - 1], median, fps[0],
                !ok ? "FAILED: see above"
                        : mode == Mode.READ ? "every frame read" : "no divergence, every frame compared and released");
        return ok;
    }

    private Run measure(int index, BulkTcpPair pair) throws IOException {
        System.gc(); // so that the run's collections are its own and "heap before" is where it starts from
        List<GarbageCollectorMXBean> gcs = ManagementFactory.getGarbageCollectorMXBeans();
        long[] count0 = new long[gcs.size()];
        long[] time0 = new long[gcs.size()];
        for (int g = 0; g < gcs.size(); g++) {
            count0[g] = Math.max(0, gcs.get(g).getCollectionCount());
            time0[g] = Math.max(0, gcs.get(g).getCollectionTime());
        }
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();
        ThreadCpu cpu = ThreadCpu.start();
        Outcome outcome;
        try {
            switch (mode) {
                case DIRECT:
                    outcome = direct(pair);
                    break;
                case READ:
                    outcome = readOnly(pair);
                    break;
                default:
                    outcome = engine(pair);
                    break;
            }
        } finally {
            cpu.stop();
        }
        long heapAfter = memory.getHeapMemoryUsage().getUsed();
        long count = 0;
        long millis = 0;
        List<String> detail = new ArrayList<>();
        for (int g = 0; g < gcs.size(); g++) {
            long c = Math.max(0, gcs.get(g).getCollectionCount()) - count0[g];
            long t = Math.max(0, gcs.get(g).getCollectionTime()) - time0[g];
            count += c;
            millis += t;
            detail.add(gcs.get(g).getName() + " " + c + " (" + t + " ms)");
        }
        return new Run(index, outcome, count, millis, heapBefore, heapAfter, detail, cpu.usage());
    }

    private static CompareConfig config() {
        return new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED);
    }

    private Outcome engine(BulkTcpPair pair) throws IOException {
        ReplayResult r = new ReplayEngine(config()).waiting(waiting).run(pair.primary, pair.secondary);
        CompareStats s = r.stats();
        List<String> divergences = new ArrayList<>();
        for (Divergence d : r.divergences()) {
            divergences.add(d.toString());
        }
        return new Outcome(s.get(CompareStats.FRAMES_PRIMARY), s.get(CompareStats.FRAMES_SECONDARY),
                s.get(CompareStats.BYTES_PRIMARY) + s.get(CompareStats.BYTES_SECONDARY), r.wallNanos(), s,
                r.holdTimes(), r.heldAfterDrain(), divergences, r.inputErrors());
    }

    /** Counts releases and keeps the first divergences; never copies a frame. */
    private static final class Tally implements DecisionListener {
        long released;
        final List<String> divergences = new ArrayList<>();

        @Override
        public void onRelease(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
            released++;
        }

        @Override
        public void onDivergence(Divergence d) {
            if (divergences.size() < 10) {
                divergences.add(d.toString());
            }
        }
    }

    /** The engine's loop without the pipeline: merge on timestamps, decode and compare on this thread. */
    private Outcome direct(BulkTcpPair pair) throws IOException {
        long start = System.nanoTime();
        Tally tally = new Tally();
        OutputComparator comparator = new OutputComparator(config(), CheckpointGate.immediate(), tally);
        FrameDecoder decoder = new FrameDecoder();
        FrameInfo info = new FrameInfo();
        long last = 0;
        try (PacketFileReader p = PacketFileReader.open(pair.primary); PacketFileReader s = PacketFileReader.open(pair.secondary)) {
            TimestampMerge merge = new TimestampMerge(p, s);
            for (int side; (side = merge.next()) >= 0; ) {
                PacketFileReader r = merge.reader(side);
                last = r.timestampNanos();
                decoder.decode(r.linkType(), r.data(), 0, r.capturedLength(), info);
                comparator.onFrame(side == 0 ? Side.P : Side.S, last, r.data(), 0, r.capturedLength(), info);
            }
            failOn(merge);
        }
        comparator.onTick(last);
        comparator.drain();
        CompareStats st = comparator.stats();
        return new Outcome(st.get(CompareStats.FRAMES_PRIMARY), st.get(CompareStats.FRAMES_SECONDARY),
                st.get(CompareStats.BYTES_PRIMARY) + st.get(CompareStats.BYTES_SECONDARY), System.nanoTime() - start, st,
                comparator.holdTimes(), comparator.heldFrames(), tally.divergences, List.of());
    }

    /** A damaged generated pair is a bench failure, not a slower run. */
    private static void failOn(TimestampMerge merge) throws IOException {
        if (!merge.errors().isEmpty()) {
            throw new IOException("bench input damaged: " + merge.errors());
        }
    }

    /** Only reads and merges the two files, touching one byte of each frame. */
    private Outcome readOnly(BulkTcpPair pair) throws IOException {
        long start = System.nanoTime();
        long[] frameCount = new long[2];
        long bytes = 0;
        int sink = 0;
        try (PacketFileReader p = PacketFileReader.open(pair.primary); PacketFileReader s = PacketFileReader.open(pair.secondary)) {
            TimestampMerge merge = new TimestampMerge(p, s);
            for (int side; (side = merge.next()) >= 0; ) {
                PacketFileReader r = merge.reader(side);
                int len = r.capturedLength();
                bytes += len;
                sink += r.data()[len - 1];
                frameCount[side]++;
            }
            failOn(merge);
        }
        if (sink == 42) {
            System.out.print(""); // keeps the touched bytes observable
        }
        return new Outcome(frameCount[0], frameCount[1], bytes, System.nanoTime() - start, null, null, 0,
                List.of(), List.of());
    }

    private boolean check(PrintStream out, Run r) {
        Outcome o = r.outcome();
        List<String> problems = new ArrayList<>();
        if (o.framesPrimary() != frames || o.framesSecondary() != frames) {
            problems.add("saw " + o.framesPrimary() + "/" + o.framesSecondary() + " frames, expected " + frames + " per side");
        }
        CompareStats s = o.stats();
        if (s != null) {
            if (s.totalDivergences() != 0) {
                problems.add(s.totalDivergences() + " divergences (first: "
                        + (o.divergences().isEmpty() ? "?" : o.divergences().get(0)) + ")");
            }
            if (s.get(CompareStats.LOST) != 0) {
                problems.add(s.get(CompareStats.LOST) + " frames lost");
            }
            if (s.get(CompareStats.RELEASED_COMPARED) != frames) {
                problems.add(s.get(CompareStats.RELEASED_COMPARED) + " primary frames released as compared, expected " + frames);
            }
            if (o.heldAfterDrain() != 0) {
                problems.add(o.heldAfterDrain() + " frames still held after the drain");
            }
        }
        if (!o.inputErrors().isEmpty()) {
            problems.add("input errors: " + o.inputErrors());
        }
        for (String p : problems) {
            out.println("  run " + r.index() + " FAILED: " + p);
        }
        return problems.isEmpty();
    }

    private static void printEnvironment(PrintStream out) {
        Runtime rt = Runtime.getRuntime();
        List<String> heapFlags = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-Xmx") || arg.startsWith("-XX:MaxHeapSize") || arg.startsWith("-XX:MaxRAMPercentage")) {
                heapFlags.add(arg);
            }
        }
        List<String> gcNames = new ArrayList<>();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcNames.add(gc.getName());
        }
        out.printf("ReplayBench: Java %s (%s %s), %d CPUs, max heap %d MiB (%s), GC: %s%n",
                System.getProperty("java.version"), System.getProperty("java.vm.name"), System.getProperty("java.vm.version"),
                rt.availableProcessors(), rt.maxMemory() >> 20,
                heapFlags.isEmpty() ? "no -Xmx: the JVM's default" : String.join(" ", heapFlags), String.join(" + ", gcNames));
    }
}
