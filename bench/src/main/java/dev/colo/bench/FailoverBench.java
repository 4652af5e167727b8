package dev.colo.bench;

import dev.colo.cli.lab.FailoverRun;
import dev.colo.cli.lab.FailoverScenario;
import dev.colo.cli.lab.Fault;
import dev.colo.lab.FailoverLab;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * The failover bench of issue 17: the primary killed, frozen and cut, with the witness and with {@code always}, N runs
 * each, every run a fresh {@link FailoverScenario} (`colo witness`, `colo primary`, `colo secondary` as processes in
 * their own host namespaces, one TCP session and a 10 ms ping at the client). Prints one line per run and a table:
 * sessions survived, single releaser (LAN captures and counters), longest reply gap, ping gap, time to a working new
 * connection, detection and promotion (all ms after the fault), p50 and max.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.colo.bench.FailoverBench [--runs 5] [--faults killed,frozen,cut]
 *      [--arbiters witness,always] [--log-dir /tmp/colo-failover-bench] [--node-args "--lease 120ms --heartbeat-interval 25ms"]
 * </pre>
 * Needs root, ip, ethtool, tcpdump, ping and socat. Exits 1 if a run failed to set up or a session broke.
 */
public final class FailoverBench {
    /** The lab's names end in this id; a new run first clears what a killed run left under it. */
    private static final String LAB_ID = "fobench";

    private FailoverBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = 5;
        List<String> faults = List.of("killed", "frozen", "cut");
        List<String> arbiters = List.of(FailoverScenario.ARBITER_WITNESS, FailoverScenario.ARBITER_ALWAYS);
        Path logs = Path.of("/tmp/colo-failover-bench");
        List<String> nodeArgs = List.of();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--faults" -> faults = Arrays.asList(args[++i].split(","));
                case "--arbiters" -> arbiters = Arrays.asList(args[++i].split(","));
                case "--log-dir" -> logs = Path.of(args[++i]);
                case "--node-args" -> nodeArgs = Arrays.asList(args[++i].trim().split("\\s+"));
                default -> {
                    System.err.println("usage: FailoverBench [--runs N] [--faults killed,frozen,cut] [--arbiters witness,always] [--log-dir DIR]"
                            + " [--node-args \"--lease 120ms ...\"]");
                    System.exit(2);
                }
            }
        }
        String missing = FailoverScenario.missing();
        if (missing != null) {
            System.err.println("FailoverBench: " + missing);
            System.exit(2);
        }
        int left = FailoverLab.removeLeftovers(LAB_ID);
        if (left > 0) {
            System.out.println("removed " + left + " namespaces and links an earlier run left behind");
        }
        boolean failed = false;
        List<List<FailoverRun>> rows = new ArrayList<>();
        for (String arbiter : arbiters) {
            for (String f : faults) {
                Fault fault = Fault.valueOf(f.toUpperCase(Locale.ROOT));
                List<FailoverRun> row = new ArrayList<>();
                for (int r = 1; r <= runs; r++) {
                    Path dir = logs.resolve(arbiter + "-" + f + "-" + r);
                    try {
                        FailoverRun run = new FailoverScenario(fault, arbiter, dir, LAB_ID).nodeArgs(nodeArgs).run();
                        row.add(run);
                        failed |= !run.sessionSurvived();
                        System.out.println("run " + r + ": " + run.summary());
                    } catch (IOException e) {
                        failed = true;
                        System.out.println("run " + r + ": " + fault.label + " (" + arbiter + "): did not run: " + e.getMessage());
                    }
                    System.out.flush();
                }
                rows.add(row);
            }
        }
        printTable(rows, runs);
        System.out.println("logs, captures and pings of every run: " + logs);
        System.exit(failed ? 1 : 0);
    }

    private static void printTable(List<List<FailoverRun>> rows, int runs) {
        System.out.println();
        System.out.println("All times in ms after the fault, p50 / max over the runs (-: never happened).");
        String head = String.format(Locale.ROOT, "%-8s %-8s %9s %9s %13s %13s %13s %13s %13s", "fault", "arbiter", "survived",
                "1 sender", "reply gap", "ping gap", "new conn", "detected", "promoted");
        System.out.println(head);
        System.out.println("-".repeat(head.length()));
        for (List<FailoverRun> row : rows) {
            if (row.isEmpty()) {
                continue;
            }
            FailoverRun first = row.get(0);
            long survived = row.stream().filter(FailoverRun::sessionSurvived).count();
            long single = row.stream().filter(r -> r.captureSingleReleaser() && r.countersSingleReleaser() && r.oldPrimaryLate() == 0).count();
            System.out.printf(Locale.ROOT, "%-8s %-8s %9s %9s %13s %13s %13s %13s %13s%n", first.fault().name().toLowerCase(Locale.ROOT),
                    first.arbiter(), survived + "/" + runs, single + "/" + runs, stat(row, FailoverRun::replyGapMillis),
                    stat(row, FailoverRun::pingGapMillis), stat(row, FailoverRun::newConnectionMillis),
                    stat(row, FailoverRun::detectionMillis), stat(row, FailoverRun::promotionMillis));
        }
    }

    /** "p50 / max" of the measured values (negative ones: not measured, left out; all of them: "-"). */
    private static String stat(List<FailoverRun> row, ToLongFunction<FailoverRun> what) {
        long[] v = row.stream().mapToLong(what).filter(x -> x >= 0).sorted().toArray();
        if (v.length == 0) {
            return "-";
        }
        long p50 = v[(v.length - 1) / 2];
        return p50 + " / " + v[v.length - 1];
    }
}
