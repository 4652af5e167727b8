package dev.colo.cli.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.cli.ColoCommand;
import dev.colo.cli.CompareOptions;
import dev.colo.compare.CheckpointModel;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.rules.IgnoreRule;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** {@code --write-config}: the file loads with colo's own config loader and gives the commands the recommended setting. */
class TuneConfigWriterTest {
    @TempDir
    Path tmp;

    /** The comparator configuration `colo COMMAND --config FILE ...` would run with (parsed as Main parses). */
    private static CompareConfig loaded(Path file, String... command) {
        CommandLine colo = new CommandLine(new ColoCommand()).setCaseInsensitiveEnumValuesAllowed(true);
        String[] args = new String[command.length + 2];
        System.arraycopy(command, 0, args, 0, command.length);
        args[command.length] = "--config";
        args[command.length + 1] = file.toString();
        CommandSpec spec = colo.parseArgs(args).subcommand().commandSpec();
        CompareOptions options = (CompareOptions) spec.mixins().get("compare").userObject();
        return options.toConfig(CheckpointModel.SECONDARY_RESTORED);
    }

    private static List<String> ruleNames(CompareConfig c) {
        return c.rules().lineRules().stream().map(IgnoreRule::name).toList();
    }

    private static TuneReport recommending(TuneSetting s) {
        TuneOutcome o = new TuneOutcome(s, Map.of(), 3, 1_000_000, 2_000_000, 5, 0);
        return new TuneReport(List.of(o), o, "only one tried\nsecond line of why", List.of(), List.of(), 500_000_000);
    }

    @Test
    void theWrittenFileRoundTripsThroughTheConfigLoader() throws Exception {
        TuneReport r = TuneFixtures.grid();
        Path f = tmp.resolve("tuned.toml");
        TuneConfigWriter.write(r, f);
        String text = Files.readString(f);
        assertTrue(text.startsWith("# colo config file written by `colo tune --write-config`"), text);
        assertTrue(text.contains("# why: the fewest checkpoints with hold p99 under 500 ms"), text);
        assertTrue(text.contains("#   - real difference: payload byte 12"), text);
        assertTrue(text.contains("#       0000  41 42 43"), "a multi-line difference stays in the comment:\n" + text);
        assertTrue(text.contains("\n[primary]\n") && text.contains("\n[compare]\n"), text);

        for (String[] cmd : new String[][] {
                {"compare", "--primary-in", "listen:127.0.0.1:1", "--secondary-in", "listen:127.0.0.1:2", "--outdev", "listen:127.0.0.1:3"},
                {"primary", "--net-port", "afpacket:veth0"}}) {
            CompareConfig c = loaded(f, cmd);
            assertEquals(300_000_000L, c.compareTimeoutNanos(), cmd[0]);
            assertEquals(64, c.thinAcksAfter(), cmd[0]);
            assertEquals(20_000_000L, c.minCheckpointIntervalNanos(), cmd[0]);
            assertEquals(1024, c.maxQueuedPackets(), cmd[0]);
            assertEquals(List.of("http-date", "header:Server"), ruleNames(c), cmd[0]);
        }
    }

    @Test
    void oddValuesSurviveTheTrip() throws Exception {
        // sub-millisecond durations, thin-acks off, a rule with a quote, a backslash (the rule's own \t escape) and '#'
        TuneSetting s = new TuneSetting(250_000, 0, 1_500, 7, List.of("line:X-Say: \"hi\" #1\\t", "header:X-Id"));
        Path f = tmp.resolve("odd.toml");
        TuneConfigWriter.write(recommending(s), f);
        CompareConfig c = loaded(f, "compare", "--primary-in", "listen:h:1", "--secondary-in", "listen:h:2", "--outdev", "listen:h:3");
        assertEquals(250_000L, c.compareTimeoutNanos());
        assertEquals(0, c.thinAcksAfter());
        assertEquals(1_500L, c.minCheckpointIntervalNanos());
        assertEquals(7, c.maxQueuedPackets());
        assertEquals(List.of("line:X-Say: \"hi\" #1\\t", "header:X-Id"), ruleNames(c));
        byte[] line = "X-Say: \"hi\" #1\t".getBytes();
        assertTrue(c.rules().lineRules().get(0).matches(line, 0, line.length), "the rule's \\t escape reached the rule");
        assertTrue(Files.readString(f).contains("# why: only one tried\n#      second line of why\n"), Files.readString(f));
    }

    @Test
    void noRuleMeansNoIgnoreKey() throws Exception {
        Path f = tmp.resolve("norules.toml");
        TuneConfigWriter.write(recommending(new TuneSetting(3_000_000_000L, 64, 20_000_000, 1024, List.of())), f);
        String text = Files.readString(f);
        assertTrue(text.contains("# ignore: no rule needed") && !text.contains("\nignore ="), text);
        CompareConfig c = loaded(f, "primary", "--net-port", "afpacket:veth0");
        assertEquals(List.of(), ruleNames(c));
        assertEquals(3_000_000_000L, c.compareTimeoutNanos());
    }

    @Test
    void anExistingFileIsKeptUnlessOverwriteIsAsked() throws Exception {
        Path f = tmp.resolve("colo.toml");
        Files.writeString(f, "# mine\n");
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class, () -> TuneConfigWriter.write(TuneFixtures.grid(), f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("not overwritten"), e.getMessage());
        assertEquals("# mine\n", Files.readString(f));
        TuneConfigWriter.write(TuneFixtures.grid(), f, true);
        assertTrue(Files.readString(f).contains("compare-timeout = \"300ms\""));
    }

    @Test
    void noRecommendationNoFile() {
        TuneReport g = TuneFixtures.grid();
        TuneReport none = new TuneReport(g.outcomes(), null, "no setting kept hold p99 under 500 ms", List.of(), List.of(), g.maxHoldP99Nanos());
        Path f = tmp.resolve("none.toml");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TuneConfigWriter.write(none, f));
        assertTrue(e.getMessage().contains("recommended none") && e.getMessage().contains("hold p99 under 500 ms"), e.getMessage());
        assertTrue(!Files.exists(f));
    }
}
