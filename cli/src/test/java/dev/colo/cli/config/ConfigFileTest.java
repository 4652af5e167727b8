package dev.colo.cli.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.cli.ColoCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/** {@code --config FILE}: the file's values are the defaults, flags override them, unknown keys and bad values are refused. */
class ConfigFileTest {
    @TempDir
    Path tmp;

    private Path write(String toml) throws Exception {
        Path f = tmp.resolve("colo.toml");
        Files.writeString(f, toml);
        return f;
    }

    /** Parses like {@code colo ARGS} and returns the subcommand's spec (its options hold the parsed values). */
    private static CommandSpec parse(String... args) {
        CommandLine colo = new CommandLine(new ColoCommand()).setCaseInsensitiveEnumValuesAllowed(true); // as Main has it
        ParseResult r = colo.parseArgs(args);
        return r.subcommand().commandSpec();
    }

    private static <T> T value(CommandSpec spec, String option) {
        return spec.findOption(option).getValue();
    }

    private static final String COMPARE_LINKS = "primary-in = \"listen:127.0.0.1:9001\"\nsecondary-in = \"listen:127.0.0.1:9004\"\n"
            + "outdev = \"connect:127.0.0.1:9005\"\n";

    @Test
    void theFileGivesTheValuesAndRequiredOptionsToo() throws Exception {
        Path f = write("[compare]\n" + COMPARE_LINKS + "compare-timeout = \"500ms\"\nstats-interval = 3\nvnet-hdr = true\n"
                + "ignore = [\"http-date\", \"header:X-Id\"]\ncheckpoint-command = [\"./qmp.sh\", \"--host\", \"h\"]\n"
                + "[primary]\nnet-port = \"afpacket:veth0\"\n");
        CommandSpec c = parse("compare", "--config", f.toString());
        assertEquals("listen:127.0.0.1:9001", value(c, "--primary-in"));
        assertEquals(500_000_000L, (Long) value(c, "--compare-timeout"));
        assertEquals(3, (Integer) value(c, "--stats-interval"));
        assertTrue((Boolean) value(c, "--vnet-hdr"));
        assertEquals(List.of("http-date", "header:X-Id"), value(c, "--ignore"));
        assertEquals(List.of("./qmp.sh", "--host", "h"), value(c, "--checkpoint-command"));
        CommandSpec p = parse("primary", "--config", f.toString());
        assertEquals("afpacket:veth0", value(p, "--net-port"));
        assertEquals(10, (Integer) value(p, "--stats-interval"), "the primary's own default: [compare] is not its table");
    }

    @Test
    void aFlagOverridesTheFile() throws Exception {
        Path f = write("[compare]\n" + COMPARE_LINKS + "compare-timeout = \"500ms\"\nstats-interval = 3\nignore = [\"http-date\"]\n");
        CommandSpec c = parse("compare", "--stats-interval", "7", "--config", f.toString(), "--ignore", "line:X", "--outdev",
                "listen:0.0.0.0:1");
        assertEquals(7, (Integer) value(c, "--stats-interval"));
        assertEquals(List.of("line:X"), value(c, "--ignore"), "a list on the command line replaces the file's");
        assertEquals("listen:0.0.0.0:1", value(c, "--outdev"));
        assertEquals(500_000_000L, (Long) value(c, "--compare-timeout"), "what the flags do not give still comes from the file");
    }

    @Test
    void withoutConfigTheBuiltInDefaultsHold() {
        CommandSpec c = parse("compare", "--primary-in", "listen:h:1", "--secondary-in", "listen:h:2", "--outdev", "listen:h:3");
        assertEquals(10, (Integer) value(c, "--stats-interval"));
        assertNull(value(c, "--compare-timeout"));
        assertFalse((Boolean) value(c, "--vnet-hdr"));
    }

    @Test
    void anUnknownKeyIsRefusedWithTheFileAndTheKey() throws Exception {
        Path f = write("[compare]\n" + COMPARE_LINKS + "compare-timout = \"5s\"\n");
        ParameterException e = assertThrows(ParameterException.class, () -> parse("compare", "--config", f.toString()));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("[compare] compare-timout")
                && e.getMessage().contains("unknown key"), e.getMessage());
    }

    @Test
    void aTypoInAnotherCommandsTableIsRefusedToo() throws Exception {
        Path f = write("[compare]\n" + COMPARE_LINKS + "[secondary]\nprimary = \"10.0.0.1\"\nnet-prot = \"afpacket:x\"\n");
        ParameterException e = assertThrows(ParameterException.class, () -> parse("compare", "--config", f.toString()));
        assertTrue(e.getMessage().contains("[secondary] net-prot"), e.getMessage());
    }

    @Test
    void anUnknownTableIsRefused() throws Exception {
        Path f = write("stats-interval = 3\n");
        ParameterException e = assertThrows(ParameterException.class,
                () -> parse("compare", "--config", f.toString(), "--primary-in", "listen:h:1", "--secondary-in", "listen:h:2",
                        "--outdev", "listen:h:3"));
        assertTrue(e.getMessage().contains("unknown key or table 'stats-interval'"), e.getMessage());
    }

    @Test
    void aBadValueIsRefusedWithItsKeyAndReason() throws Exception {
        Path port = write("[compare]\n" + COMPARE_LINKS + "[primary]\ncheckpoint-port = \"seven\"\n");
        ParameterException e = assertThrows(ParameterException.class, () -> parse("compare", "--config", port.toString()));
        assertTrue(e.getMessage().contains(port.toString()) && e.getMessage().contains("[primary] checkpoint-port")
                && e.getMessage().contains("'seven' is not an int"), e.getMessage());

        Path duration = write("[compare]\n" + COMPARE_LINKS + "compare-timeout = \"3 fortnights\"\n");
        e = assertThrows(ParameterException.class, () -> parse("compare", "--config", duration.toString()));
        assertTrue(e.getMessage().contains("[compare] compare-timeout") && e.getMessage().contains("unknown unit"), e.getMessage());

        Path flag = write("[compare]\n" + COMPARE_LINKS + "vnet-hdr = \"yes\"\n");
        e = assertThrows(ParameterException.class, () -> parse("compare", "--config", flag.toString()));
        assertTrue(e.getMessage().contains("[compare] vnet-hdr: expects true or false"), e.getMessage());

        Path list = write("[compare]\n" + COMPARE_LINKS + "stats-interval = [1, 2]\n");
        e = assertThrows(ParameterException.class, () -> parse("compare", "--config", list.toString()));
        assertTrue(e.getMessage().contains("[compare] stats-interval: takes one value, not a list"), e.getMessage());
    }

    @Test
    void theCommandSaysWhatIsWrongAndExitsWithTwo() throws Exception {
        Path f = write("[compare]\n" + COMPARE_LINKS + "max-connections = \"many\"\n");
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = dev.colo.cli.Main.run(new java.io.PrintWriter(out), new java.io.PrintWriter(err), "compare", "--config", f.toString());
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().startsWith("config " + f + ": [compare] max-connections: Invalid value for option '--max-connections': "
                + "'many' is not an int"), err.toString());
    }

    @Test
    void brokenTomlAndAMissingFileAreRefused() throws Exception {
        Path f = write("[compare\nstats-interval = 3\n");
        ParameterException e = assertThrows(ParameterException.class, () -> parse("compare", "--config", f.toString()));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("not valid TOML"), e.getMessage());
        Path missing = tmp.resolve("nope.toml");
        e = assertThrows(ParameterException.class, () -> parse("compare", "--config", missing.toString()));
        assertTrue(e.getMessage().contains("cannot read"), e.getMessage());
    }

    /** examples/colo.toml parses as it is, and with every commented key uncommented (so each documented key is a real option). */
    @Test
    void theExampleFileParsesWithEveryKeyInForce() throws Exception {
        Path example = Path.of("..", "examples", "colo.toml");
        assertTrue(Files.exists(example), example.toAbsolutePath().toString());
        CommandSpec asIs = parse("compare", "--config", example.toString(), "--primary-in", "listen:h:1", "--secondary-in", "listen:h:2",
                "--outdev", "listen:h:3");
        assertEquals(10, (Integer) value(asIs, "--stats-interval"));

        List<String> lines = new ArrayList<>();
        int keys = 0;
        for (String line : Files.readAllLines(example)) {
            if (line.matches("# [a-z-]+ = .*")) {
                line = line.substring(2);
                keys++;
            }
            lines.add(line);
        }
        assertTrue(keys > 40, "the example documents every key: " + keys);
        Path all = write(lines.stream().collect(Collectors.joining("\n")));
        CommandSpec c = parse("compare", "--config", all.toString());
        assertEquals(List.of("./qmp-checkpoint.sh"), value(c, "--checkpoint-command"));
        assertEquals(List.of("http-date"), value(c, "--ignore"));
        CommandSpec p = parse("primary", "--config", all.toString());
        assertEquals("afpacket:veth-colo", value(p, "--net-port"));
        assertEquals(250_000_000L, (Long) value(p, "--lease"), "failover timing keys are options too");
        assertEquals(4, (Integer) value(p, "--heartbeat-misses"));
        assertEquals(7477, (Integer) value(p, "--checkpoint-port"));
        assertEquals("127.0.0.1:9464", value(p, "--metrics"));
        CommandSpec s = parse("secondary", "--config", all.toString());
        assertEquals("10.0.0.1", value(s, "--primary"));
        assertEquals("witness:10.0.0.3:7478", value(s, "--arbiter"));

        // every option of the three commands (but help, version, config) is documented in the example
        for (String command : ConfigFile.SECTIONS) {
            CommandSpec spec = new CommandLine(new ColoCommand()).getSubcommands().get(command).getCommandSpec();
            String text = Files.readString(example);
            String table = text.substring(text.indexOf("\n[" + command + "]\n"));
            int next = table.indexOf("\n[", 1);
            String section = command.equals("primary") ? table.substring(0, next) + text : next < 0 ? table : table.substring(0, next);
            for (CommandLine.Model.OptionSpec o : spec.options()) {
                String key = o.longestName().substring(2);
                if (!List.of("help", "version", "config", "control").contains(key)) {
                    assertTrue(section.contains("# " + key + " = "), command + ": the example documents " + key);
                }
            }
        }
    }
}
