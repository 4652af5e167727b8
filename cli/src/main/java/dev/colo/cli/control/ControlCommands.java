package dev.colo.cli.control;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The client subcommands that talk to a running node's control socket: status, set, checkpoint, failover. */
public final class ControlCommands {
    static final String[] EXIT_CODES = {
        "%nExit codes:",
        "  0    done (checkpoint: committed; failover: promoted)",
        "  1    the node refused, or the checkpoint aborted (the reason is printed)",
        "  2    bad command line",
        "  3    no node found, cannot reach it, or no answer in time"};

    private ControlCommands() {
    }

    /** What every client command shares: which socket, and sending one request. */
    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--socket", paramLabel = "PATH",
                description = "The node's control socket. Default: the only one under /run/colo/.")
        Path socket;

        int send(String request, Duration deadline) {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            String name = "colo " + spec.name();
            Reply r;
            try {
                r = ControlClient.call(ControlClient.resolve(socket), request, deadline);
            } catch (IOException e) {
                err.println(name + ": " + e.getMessage());
                err.flush();
                return 3;
            }
            for (String line : r.body()) {
                out.println(line);
            }
            out.flush();
            if (!r.ok()) {
                err.println(name + ": " + r.text());
                err.flush();
                return 1;
            }
            if (!r.text().isEmpty()) {
                out.println(r.text());
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            header = "Shows a running node's mode, counters and thresholds (over its control socket).",
            description = {"What QEMU's query-colo-status says (mode primary/secondary/none, last mode, reason), the",
                "coordinator's status (state, checkpoints by trigger, aborts, last pause and transfer), the node's",
                "counters (released, held, divergences and checkpoints by reason, back-pressure per source) and the",
                "thresholds in force."},
            footer = {"%nExamples:", "  colo status", "  colo status --json --socket /run/colo/primary-1234.sock",
                "%nExit codes:", "  0    done", "  2    bad command line", "  3    no node found, cannot reach it, or no answer in time"})
    public static final class Status extends Base {
        @Option(names = "--json", description = "One JSON object instead of text.")
        boolean json;

        @Override
        public Integer call() {
            return send(json ? "status json" : "status", Duration.ofSeconds(10));
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            header = "Changes a threshold or rule of a running node (over its control socket).",
            description = {"Applied live on the node (the comparator takes it on its own thread at its next tick),",
                "validated as the command-line option is (an invalid value changes nothing), logged by the node",
                "and shown by the next colo status. Keys:",
                "  compare-timeout, scan-interval, min-checkpoint-interval   DURATION (3000ms, 3s, 250us)",
                "  max-queued-packets, max-queued-bytes, thin-acks-after     N",
                "  checkpoint-interval   DURATION, 0: off (primary: periodic checkpoints, from the next one on)",
                "  ignore+ RULE, ignore- RULE   add or remove a rule (http-date, header:NAME, line:PREFIX)"},
            footer = {"%nExamples:", "  colo set compare-timeout 500ms", "  colo set ignore+ http-date", "  colo set checkpoint-interval 5s",
                "%nExit codes:", "  0    applied", "  1    refused (the reason is printed)", "  2    bad command line",
                "  3    no node found, cannot reach it, or no answer in time"})
    public static final class Set extends Base {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Parameters(index = "1", paramLabel = "VALUE")
        String value;

        @Override
        public Integer call() {
            if (value.isBlank() || value.contains("\n") || key.contains(" ") || value.contains(" ")) {
                spec.commandLine().getErr().println("colo set: KEY and VALUE must be single words");
                return 2;
            }
            return send("set " + key + " " + value, Duration.ofSeconds(15));
        }
    }

    @Command(name = "checkpoint", mixinStandardHelpOptions = true,
            header = "Asks the primary for a checkpoint now and waits for its result.",
            description = {"Asks the primary's coordinator for a manual checkpoint, waits for it (at most 60 s) and",
                "prints whether it committed or aborted, with the pause it cost."},
            footer = {"%nExit codes:", "  0    committed", "  1    aborted, or refused (no secondary in sync, not a primary)",
                "  2    bad command line", "  3    no node found, cannot reach it, or no answer in time"})
    public static final class Checkpoint extends Base {
        @Override
        public Integer call() {
            return send("checkpoint", Duration.ofSeconds(70));
        }
    }

    @Command(name = "failover", mixinStandardHelpOptions = true,
            header = "Asks a secondary to take over, as if its primary were lost.",
            description = {"The secondary asks its arbiter for promotion; a witness that still sees the primary's lease",
                "refuses, and the refusal is printed. With --arbiter always the takeover is granted even while the",
                "primary lives (two primaries: use it only to test). Refused on a primary."},
            footer = {"%nExit codes:", "  0    promoted", "  1    refused (the reason is printed)", "  2    bad command line",
                "  3    no node found, cannot reach it, or no answer in time"})
    public static final class Failover extends Base {
        @Override
        public Integer call() {
            return send("failover", Duration.ofSeconds(40));
        }
    }
}
