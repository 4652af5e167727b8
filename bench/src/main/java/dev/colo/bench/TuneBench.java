package dev.colo.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.colo.cli.replay.BundledPairs;
import dev.colo.cli.replay.ReplayEngine;
import dev.colo.cli.replay.ReplayResult;
import dev.colo.cli.tune.TuneReport;
import dev.colo.cli.tune.TuneSweep;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What {@code colo tune} costs: the wall time of a whole sweep ({@link TuneSweep#run()}: baseline, candidate rule
 * checks and the grid, settings x pairs replays on a pool of {@code --threads} threads) over the bundled corpus
 * pairs, against the wall time of one replay of the same pairs at the default setting, each pair once, as
 * {@code colo replay} runs it (the Disruptor pipeline) and single-threaded ({@link ReplayEngine.Mode#DIRECT}, what
 * the sweep runs per setting). Also the process CPU time of each, so the cores the sweep kept busy show.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.colo.bench.TuneBench [--threads 2] [--runs 3] [--pairs a,b,...]
 * </pre>
 *
 * One unmeasured round of each first (JIT), then {@code --runs} measured rounds; each line of output is one round,
 * then the medians. Exits 1 if a sweep recommends nothing or its outcomes are not settings x pairs.
 */
public final class TuneBench {
    private TuneBench() {
    }

    public static void main(String[] args) throws IOException {
        int threads = 2;
        int runs = 3;
        List<String> names = new ArrayList<>(BundledPairs.NAMES);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--pairs" -> names = Arrays.asList(args[++i].split(","));
                case "-h", "--help" -> {
                    System.out.println("TuneBench [--threads N (2)] [--runs N (3)] [--pairs NAME,NAME (all bundled: "
                            + String.join(",", BundledPairs.NAMES) + ")]");
                    return;
                }
                default -> {
                    System.err.println("TuneBench: unknown argument " + args[i] + " (--help)");
                    System.exit(2);
                }
            }
        }
        List<TuneSweep.Pair> pairs = new ArrayList<>();
        for (String n : names) {
            BundledPairs.Pair p = BundledPairs.extract(n);
            pairs.add(new TuneSweep.Pair(p.name(), p.primary(), p.secondary()));
        }
        System.out.printf(Locale.ROOT, "TuneBench: %d pairs (%s), sweep on %d threads, %d cores available, JDK %s%n", pairs.size(),
                String.join(",", names), threads, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

        long[] sweepWall = new long[runs];
        long[] sweepCpu = new long[runs];
        long[] pipeWall = new long[runs];
        long[] directWall = new long[runs];
        long[] directCpu = new long[runs];
        int settings = 0;
        for (int r = -1; r < runs; r++) {
            long[] pipe = replayOnce(pairs, ReplayEngine.Mode.PIPELINE);
            long[] direct = replayOnce(pairs, ReplayEngine.Mode.DIRECT);
            long cpu0 = cpu();
            long t0 = System.nanoTime();
            TuneReport report = new TuneSweep(pairs, TuneSweep.DEFAULT_MAX_HOLD_P99).threads(threads).run();
            long wall = System.nanoTime() - t0;
            long cpu = cpu() - cpu0;
            settings = report.outcomes().size();
            if (report.recommended() == null) {
                System.out.println("TuneBench: the sweep recommended nothing: " + report.why());
                System.exit(1);
            }
            String tag = r < 0 ? "warm-up" : "run " + (r + 1);
            System.out.printf(Locale.ROOT,
                    "%-8s sweep %d settings x %d pairs = %d grid replays (+ baseline and rule checks): %.0f ms wall, %.0f ms CPU (%.2f cores) | one replay of the pairs:"
                            + " pipeline %.1f ms, direct %.1f ms wall (%.1f ms CPU) | sweep / direct replay: x%.0f, per grid replay %.3f ms%n",
                    tag, settings, pairs.size(), settings * pairs.size(), wall / 1e6, cpu / 1e6, (double) cpu / wall, pipe[0] / 1e6,
                    direct[0] / 1e6, direct[1] / 1e6, (double) wall / direct[0], wall / 1e6 * threads / (settings * (double) pairs.size()));
            if (r >= 0) {
                sweepWall[r] = wall;
                sweepCpu[r] = cpu;
                pipeWall[r] = pipe[0];
                directWall[r] = direct[0];
                directCpu[r] = direct[1];
            }
        }
        long sw = median(sweepWall);
        long dw = median(directWall);
        System.out.printf(Locale.ROOT,
                "median   sweep %.0f ms wall (%.0f ms CPU) for %d settings x %d pairs; one replay of the pairs %.1f ms (pipeline) /"
                        + " %.1f ms (direct); the sweep costs x%.0f one direct replay, x%.0f one pipeline replay%n",
                sw / 1e6, median(sweepCpu) / 1e6, settings, pairs.size(), median(pipeWall) / 1e6, dw / 1e6, (double) sw / dw,
                (double) sw / median(pipeWall));
    }

    /** One replay of each pair at the default setting: {wall, process CPU} nanoseconds. */
    private static long[] replayOnce(List<TuneSweep.Pair> pairs, ReplayEngine.Mode mode) throws IOException {
        long cpu0 = cpu();
        long t0 = System.nanoTime();
        for (TuneSweep.Pair p : pairs) {
            ReplayResult r = new ReplayEngine(TuneSweep.config(TuneSweep.defaults())).mode(mode).run(p.primary(), p.secondary());
            if (r.heldAfterDrain() != 0) {
                throw new IllegalStateException(p.name() + ": " + r.heldAfterDrain() + " frames still held after the drain");
            }
        }
        return new long[] {System.nanoTime() - t0, cpu() - cpu0};
    }

    private static long cpu() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
