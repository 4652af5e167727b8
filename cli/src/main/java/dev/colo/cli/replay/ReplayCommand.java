package dev.colo.cli.replay;

import dev.colo.cli.CompareOptions;

import dev.colo.cli.ExitCodes;
import dev.colo.compare.CheckpointModel;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.pipeline.ComparePipeline;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "replay",
        header = "Replays a PVM/SVM capture pair through the comparator and reports.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Replays a primary and a secondary output capture (pcap or pcapng) through the comparator,",
            "on their capture timestamps (virtual time: timeouts fire as they would have live, and every",
            "run gives the same result), and reports what would have been released, held and checkpointed.",
            "",
            "With no --primary/--secondary it replays a bundled regression pair (default: "
                + BundledPairs.DEFAULT_PAIR + ").",
            "The captures should hold each replica's OUTPUT only (e.g. tcpdump -Q out on its interface)."},
        footer = {
            "%nExamples:",
            "  colo replay",
            "  colo replay --pair http-date --ignore http-date",
            "  colo replay -p pvm.pcap -s svm.pcapng --compare-timeout 500ms --json",
            "  colo replay -p pvm.pcap -s svm.pcap --released out.pcap --divergences div.pcap --fail-on-divergence",
            ExitCodes.HELP})
public final class ReplayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-p", "--primary"}, paramLabel = "FILE", description = "The primary's output capture.")
    Path primary;

    @Option(names = {"-s", "--secondary"}, paramLabel = "FILE", description = "The secondary's output capture.")
    Path secondary;

    @Option(names = "--pair", paramLabel = "NAME",
            description = "Replay a bundled pair: ${COMPLETION-CANDIDATES}.", completionCandidates = PairNames.class)
    String pair;

    @Mixin
    CompareOptions compare = new CompareOptions();

    @Option(names = "--checkpoint-model", paramLabel = "MODEL",
            description = {"What a checkpoint does to the secondary in the replay: ${COMPLETION-CANDIDATES}.",
                "SECONDARY_UNCHANGED (default) fits recorded captures: the secondary's recording goes on."})
    CheckpointModel model = CheckpointModel.SECONDARY_UNCHANGED;

    @Option(names = "--json", description = "Print the report as one JSON object.")
    boolean json;

    @Option(names = "--released", paramLabel = "OUT.pcap",
            description = "Write the released primary frames, stamped with their release time.")
    Path releasedOut;

    @Option(names = "--divergences", paramLabel = "DIV.pcap",
            description = "Write the primary and secondary frames of each divergence.")
    Path divergencesOut;

    @Option(names = "--fail-on-divergence", description = "Exit with 1 if the replicas diverged.")
    boolean failOnDivergence;

    @Option(names = "--show-divergences", paramLabel = "N", description = "Divergences detailed in the report (default 10).")
    int showDivergences = 10;

    @Option(names = "--no-progress", description = "No progress bar on stderr (it is shown only on a terminal anyway).")
    boolean noProgress;

    @Option(names = "--wait", paramLabel = "STRATEGY",
            description = "How pipeline threads wait for work: ${COMPLETION-CANDIDATES} (default SLEEPING).")
    ComparePipeline.Waiting waiting = ComparePipeline.Waiting.SLEEPING;

    static final class PairNames extends ArrayList<String> {
        PairNames() {
            super(BundledPairs.NAMES);
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if ((primary == null) != (secondary == null)) {
            return usage("give both --primary and --secondary, or neither (to replay a bundled pair)");
        }
        if (primary != null && pair != null) {
            return usage("--pair and --primary/--secondary exclude each other");
        }
        CompareConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        }
        Path p = primary;
        Path s = secondary;
        if (p == null) {
            BundledPairs.Pair bundled;
            try {
                bundled = BundledPairs.extract(pair == null ? BundledPairs.DEFAULT_PAIR : pair);
            } catch (IllegalArgumentException e) {
                return usage(e.getMessage());
            }
            p = bundled.primary();
            s = bundled.secondary();
            if (!json) {
                out.println("Replaying bundled pair '" + bundled.name() + "': " + bundled.expected().getProperty("description", ""));
            }
        }
        ReplayResult result;
        try {
            result = new ReplayEngine(config)
                    .releasedOut(releasedOut)
                    .divergencesOut(divergencesOut)
                    .keepDivergences(Math.max(showDivergences, 1))
                    .waiting(waiting)
                    .progressTo(!noProgress && System.console() != null ? System.err : null)
                    .run(p, s);
        } catch (NoSuchFileException e) {
            err.println("colo replay: no such file: " + e.getFile());
            return ExitCodes.BAD_INPUT;
        } catch (IOException e) {
            err.println("colo replay: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        } catch (java.io.UncheckedIOException e) {
            err.println("colo replay: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        if (json) {
            JsonReport.print(result, out);
        } else {
            TextReport.print(result, showDivergences, out);
        }
        out.flush();
        for (String e : result.inputErrors()) {
            err.println("colo replay: input error: " + e);
        }
        err.flush();
        if (!result.inputErrors().isEmpty()) {
            return ExitCodes.BAD_INPUT;
        }
        return failOnDivergence && result.diverged() ? ExitCodes.DIVERGED : ExitCodes.OK;
    }

    private int usage(String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("colo replay: " + message);
        err.println("Try 'colo replay --help'.");
        err.flush();
        return ExitCodes.USAGE;
    }

    CompareConfig config() {
        return compare.toConfig(model);
    }
}
