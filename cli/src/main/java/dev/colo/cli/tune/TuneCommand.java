package dev.colo.cli.tune;

import dev.colo.cli.ExitCodes;
import dev.colo.cli.replay.BundledPairs;
import dev.colo.cli.replay.DurationConverter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Stack;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "tune",
        header = "Replays capture pairs over a grid of comparator settings and recommends one.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Replays PVM/SVM output capture pairs in virtual time (deterministic: the",
            "same input gives the same report) over a grid of settings, on one thread",
            "per core:",
            "  compare timeout          100ms 300ms 1s 3s",
            "  thin-acks-after          0 16 64",
            "  min checkpoint interval  0 20ms 100ms",
            "  max queued packets       256 1024 4096",
            "  rule sets                none, each candidate rule, all of them",
            "Candidate rules come from a baseline replay (the defaults, no rule): a",
            "MISMATCH whose differing bytes lie in the value of one header line",
            "'Name: value' (CRLF-terminated), with the bytes around that line equal,",
            "offers header:Name (http-date for Date). A candidate is kept only if",
            "replaying with it removes divergences and excuses nothing else. Every other",
            "MISMATCH is a real difference, reported with its byte offset and hexdumps.",
            "",
            "Recommended: the fewest checkpoints in all, with hold p99 <= --max-hold-p99",
            "and no MISMATCH hidden except by a named candidate rule; ties go to the",
            "defaults (fewer rules, then the default compare timeout). The report shows",
            "every setting, the recommendation, why, and the colo primary options that",
            "apply it."},
        footer = {
            "%nExamples:",
            "  colo tune --pair http-date",
            "  colo tune --pair pvm.pcap svm.pcap --max-hold-p99 5ms",
            "  colo tune --dir pcaps/src/main/resources/dev/colo/pcap/corpus --json",
            "%nExit codes:",
            "  0  a setting was recommended (and written / applied, if asked)",
            "  1  no setting meets --max-hold-p99 (the report is still printed),",
            "     or --apply was refused",
            "  2  bad command line (e.g. --max-hold-p99 -1, no pair given)",
            "  3  a capture is missing, unreadable or malformed (no recommendation",
            "     from a partial replay), a file to write cannot be written, or",
            "     --apply found no node or got no answer",
            "  4  internal error"})
public final class TuneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--pair", paramLabel = "PVM SVM|NAME", parameterConsumer = PairConsumer.class,
            description = {"A capture pair (repeatable): the primary's and the secondary's output capture (pcap or pcapng),",
                "or the name of a bundled pair (http-date, http-one-byte, ...: see colo replay --help)."})
    List<List<String>> pairs = new ArrayList<>();

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Every subfolder of DIR holding pvm.pcap(ng) and svm.pcap(ng) is a pair, named by the folder.")
    Path dir;

    @Option(names = "--max-hold-p99", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "The most the 99th percentile of hold time (virtual time) may be (default 10ms).")
    long maxHoldP99 = TuneSweep.DEFAULT_MAX_HOLD_P99;

    @Option(names = "--json", description = "Print the report as one JSON object.")
    boolean json;

    @Option(names = "--plot", paramLabel = "FILE", arity = "0..1", fallbackValue = TunePlot.DEFAULT_FILE,
            description = "Also draw checkpoints and hold p99 against the compare timeout, one line per rule set, to FILE"
                    + " (.svg or .png; without FILE: " + TunePlot.DEFAULT_FILE + " here).")
    Path plot;

    @Option(names = "--write-config", paramLabel = "FILE", description = "Also write the recommendation as a colo TOML config file.")
    Path writeConfig;

    @Option(names = "--apply", paramLabel = "SOCKET", description = "Also apply the recommendation live to the node on this control socket.")
    Path apply;

    @Option(names = "--threads", paramLabel = "N", description = "Replays run at once (default: one per core). The report does not depend on it.")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--no-progress", description = "No progress bar on stderr (it is shown only on a terminal anyway).")
    boolean noProgress;

    /** --pair takes one value (a bundled name) or two (PVM SVM): a second value is taken unless it is an option. */
    static final class PairConsumer implements IParameterConsumer {
        @Override
        @SuppressWarnings("unchecked")
        public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec commandSpec) {
            if (args.isEmpty()) {
                throw new picocli.CommandLine.ParameterException(commandSpec.commandLine(),
                        "--pair needs PVM SVM (two captures) or NAME (a bundled pair)");
            }
            List<String> pair = new ArrayList<>();
            pair.add(args.pop());
            if (!args.isEmpty() && !args.peek().startsWith("-")) {
                pair.add(args.pop());
            }
            List<List<String>> all = argSpec.getValue();
            all.add(pair);
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (maxHoldP99 <= 0) {
            return usage("--max-hold-p99 must be positive");
        }
        if (threads < 1) {
            return usage("--threads must be at least 1");
        }
        if (pairs.isEmpty() && dir == null) {
            return usage("give --pair PVM SVM, --pair NAME or --dir DIR");
        }
        if (plot != null) {
            try {
                TunePlot.isSvg(plot); // a bad name is refused before the sweep, not after it
            } catch (IllegalArgumentException e) {
                return usage(e.getMessage());
            }
        }
        List<TuneSweep.Pair> list = new ArrayList<>();
        try {
            for (List<String> p : pairs) {
                if (p.size() == 1) {
                    if (!BundledPairs.NAMES.contains(p.get(0))) {
                        return usage("--pair " + p.get(0) + ": no bundled pair of that name (bundled: "
                                + String.join(", ", BundledPairs.NAMES) + "); or give two captures, PVM SVM");
                    }
                    BundledPairs.Pair b = BundledPairs.extract(p.get(0));
                    list.add(new TuneSweep.Pair(b.name(), b.primary(), b.secondary()));
                } else {
                    Path pvm = Path.of(p.get(0));
                    Path svm = Path.of(p.get(1));
                    for (Path f : List.of(pvm, svm)) {
                        if (!Files.isRegularFile(f)) {
                            return badInput("no such file: " + f);
                        }
                        if (!Files.isReadable(f)) {
                            return badInput("cannot read " + f);
                        }
                    }
                    list.add(new TuneSweep.Pair(name(pvm, svm), pvm, svm));
                }
            }
            if (dir != null) {
                if (!Files.isDirectory(dir)) {
                    return badInput("no such directory: " + dir);
                }
                List<TuneSweep.Pair> found = scan(dir);
                if (found.isEmpty()) {
                    return badInput("no subfolder of " + dir + " holds pvm.pcap(ng) and svm.pcap(ng)");
                }
                list.addAll(found);
            }
        } catch (IOException | UncheckedIOException e) {
            return badInput(e.getMessage());
        }
        TuneReport report;
        try {
            report = new TuneSweep(list, maxHoldP99).threads(threads)
                    .progressTo(!noProgress && System.console() != null ? System.err : null).run();
        } catch (IOException e) {
            return badInput(e.getMessage());
        } catch (RuntimeException e) {
            err.println("colo tune: internal error: " + e);
            err.flush();
            return ExitCodes.INTERNAL_ERROR;
        }
        if (json) {
            TuneOutput.json(report, out);
        } else {
            TuneOutput.text(report, out);
        }
        out.flush();
        try {
            if (plot != null) {
                TunePlot.write(report, plot);
                err.println("colo tune: plot written to " + plot);
            }
            if (writeConfig != null && report.recommended() == null) {
                err.println("colo tune: no config written to " + writeConfig + ": no setting meets the hold bound");
            } else if (writeConfig != null) {
                TuneConfigWriter.write(report, writeConfig);
                err.println("colo tune: recommendation written to " + writeConfig);
            }
            err.flush();
        } catch (IllegalArgumentException e) {
            return badInput("cannot write: " + e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            return badInput("cannot write: " + e.getMessage());
        } catch (UnsupportedOperationException e) {
            err.println("colo tune: " + e.getMessage());
            err.flush();
            return ExitCodes.INTERNAL_ERROR;
        }
        if (apply != null && report.recommended() == null) {
            err.println("colo tune: nothing applied to " + apply + ": no setting meets the hold bound");
            err.flush();
            return 1;
        }
        if (apply != null) {
            int code = TuneApply.apply(report, apply, out);
            out.flush();
            if (code != 0) {
                return code;
            }
        }
        return report.recommended() == null ? 1 : ExitCodes.OK;
    }

    /** A pair's name in the report: its folder's, for DIR/pvm.pcap DIR/svm.pcap (the corpus layout); else "PVM+SVM". */
    static String name(Path pvm, Path svm) {
        Path dir = pvm.toAbsolutePath().normalize().getParent();
        if (dir != null && dir.getFileName() != null && dir.equals(svm.toAbsolutePath().normalize().getParent())
                && pvm.getFileName().toString().startsWith("pvm.") && svm.getFileName().toString().startsWith("svm.")) {
            return dir.getFileName().toString();
        }
        return pvm.getFileName() + "+" + svm.getFileName();
    }

    /** The subfolders of {@code dir} (sorted by name) holding a pvm and an svm capture. */
    static List<TuneSweep.Pair> scan(Path dir) throws IOException {
        List<TuneSweep.Pair> out = new ArrayList<>();
        List<Path> subs;
        try (Stream<Path> s = Files.list(dir)) {
            subs = s.filter(Files::isDirectory).sorted().toList();
        }
        for (Path sub : subs) {
            Path pvm = capture(sub, "pvm");
            Path svm = capture(sub, "svm");
            if (pvm != null && svm != null) {
                out.add(new TuneSweep.Pair(sub.getFileName().toString(), pvm, svm));
            }
        }
        return out;
    }

    private static Path capture(Path dir, String name) {
        for (String ext : new String[] {".pcap", ".pcapng"}) {
            Path p = dir.resolve(name + ext);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private int usage(String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("colo tune: " + message);
        err.println("Try 'colo tune --help'.");
        err.flush();
        return ExitCodes.USAGE;
    }

    private int badInput(String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("colo tune: " + message);
        err.flush();
        return ExitCodes.BAD_INPUT;
    }
}
