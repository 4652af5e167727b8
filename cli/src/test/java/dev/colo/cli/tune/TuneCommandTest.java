package dev.colo.cli.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.colo.cli.ExitCodes;
import dev.colo.cli.Main;
import dev.colo.cli.replay.BundledPairs;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** colo tune as a user runs it: --pair, --dir over the corpus, --json, and bad input. */
class TuneCommandTest {
    static final Path CORPUS = Path.of("..", "pcaps", "src", "main", "resources", "dev", "colo", "pcap", "corpus");

    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {
    }

    static Run colo(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void dirOverTheCorpusFindsTheDateRuleAndTheRealDifference() throws Exception {
        assertTrue(Files.isDirectory(CORPUS), CORPUS.toAbsolutePath().toString());
        Run r = colo("tune", "--no-progress", "--json", "--dir", CORPUS.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("[\"http-date\"]", j.get("candidateRules").toString());
        assertEquals("[\"http-date\"]", j.get("recommended").get("setting").get("rules").toString());
        assertEquals("colo primary ... --ignore http-date", j.get("command").asText());
        assertEquals(1, j.get("realDifferences").size(), j.get("realDifferences").toString());
        assertTrue(j.get("realDifferences").get(0).asText().contains("payload byte 12534")
                && j.get("realDifferences").get(0).asText().contains("in pair http-one-byte"));
        assertEquals(4 * 3 * 3 * 3 * 2, j.get("outcomes").size());
        // every bundled pair was replayed: the one real difference is left at the recommendation
        assertEquals(1, j.get("recommended").get("checkpointsByReason").get("MISMATCH").asLong());
        assertTrue(j.get("why").asText().contains("http-date removes 5 MISMATCH checkpoints on http-date"), j.get("why").asText());
    }

    @Test
    void pairOfFilesAndBundledNameGiveTheSameTable() throws IOException {
        BundledPairs.Pair p = BundledPairs.extract("http-date");
        Path dir = Files.createDirectories(tmp.resolve("http-date"));
        Files.copy(p.primary(), dir.resolve("pvm.pcap"));
        Files.copy(p.secondary(), dir.resolve("svm.pcapng.not"));
        Files.copy(p.secondary(), dir.resolve("svm.pcap"));
        Run byName = colo("tune", "--no-progress", "--pair", "http-date");
        Run byFiles = colo("tune", "--no-progress", "--pair", dir.resolve("pvm.pcap").toString(), dir.resolve("svm.pcap").toString());
        Run byDir = colo("tune", "--no-progress", "--dir", tmp.toString());
        assertEquals(0, byName.exit(), byName.err());
        assertEquals(0, byFiles.exit(), byFiles.err());
        assertEquals(0, byDir.exit(), byDir.err());
        String table = byName.out().substring(0, byName.out().indexOf("Real differences"));
        assertEquals(table, byFiles.out().substring(0, byFiles.out().indexOf("Real differences")));
        assertEquals(table, byDir.out().substring(0, byDir.out().indexOf("Real differences")));
        assertTrue(byName.out().contains("Apply: colo primary ... --ignore http-date"), byName.out());
    }

    @Test
    void aMissingFileIsBadInput() {
        Run r = colo("tune", "--pair", tmp.resolve("pvm.pcap").toString(), tmp.resolve("svm.pcap").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.exit());
        assertTrue(r.err().contains("no such file: " + tmp.resolve("pvm.pcap")), r.err());
        assertEquals("", r.out(), "nothing recommended");
    }

    @Test
    void aTruncatedCaptureIsBadInputWithThePairAndOffset() throws IOException {
        BundledPairs.Pair p = BundledPairs.extract("http-identical");
        byte[] whole = Files.readAllBytes(p.secondary());
        Path cut = tmp.resolve("cut.pcap");
        Files.write(cut, Arrays.copyOf(whole, whole.length - 700));
        Run r = colo("tune", "--no-progress", "--pair", p.primary().toString(), cut.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("cut.pcap") && r.err().contains("offset"), r.err());
        assertEquals("", r.out(), "nothing recommended from a partial replay");
    }

    @Test
    void notAPcapIsBadInput() throws IOException {
        Path junk = tmp.resolve("junk.pcap");
        Files.writeString(junk, "this is no capture file\n");
        Run r = colo("tune", "--no-progress", "--pair", junk.toString(), junk.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.exit(), r.out() + r.err());
        assertTrue(r.err().startsWith("colo tune: pair junk.pcap+junk.pcap: "), r.err());
    }

    @Test
    void usageErrorsExitWithTwoAndSayWhy() {
        Run negative = colo("tune", "--pair", "http-date", "--max-hold-p99", "-1");
        assertEquals(ExitCodes.USAGE, negative.exit());
        assertTrue(negative.err().contains("--max-hold-p99"), negative.err());
        Run zero = colo("tune", "--pair", "http-date", "--max-hold-p99", "0");
        assertEquals(ExitCodes.USAGE, zero.exit());
        assertTrue(zero.err().contains("--max-hold-p99 must be positive"), zero.err());
        Run nothing = colo("tune");
        assertEquals(ExitCodes.USAGE, nothing.exit());
        assertTrue(nothing.err().contains("give --pair PVM SVM, --pair NAME or --dir DIR"), nothing.err());
        Run unknown = colo("tune", "--pair", "no-such-pair");
        assertEquals(ExitCodes.USAGE, unknown.exit());
        assertTrue(unknown.err().contains("no bundled pair of that name"), unknown.err());
    }

    @Test
    void anEmptyOrMissingDirIsBadInput() throws IOException {
        Run missing = colo("tune", "--dir", tmp.resolve("none").toString());
        assertEquals(ExitCodes.BAD_INPUT, missing.exit());
        assertTrue(missing.err().contains("no such directory"), missing.err());
        Files.createDirectories(tmp.resolve("empty/sub"));
        Run empty = colo("tune", "--dir", tmp.resolve("empty").toString());
        assertEquals(ExitCodes.BAD_INPUT, empty.exit());
        assertTrue(empty.err().contains("holds pvm.pcap(ng) and svm.pcap(ng)"), empty.err());
    }

    @Test
    void helpExplainsTheGridTheObjectiveAndTheExitCodes() {
        Run r = colo("tune", "--help");
        assertEquals(0, r.exit());
        for (String s : new String[] {"--pair", "--dir", "--max-hold-p99", "--json", "--plot", "--write-config", "--apply",
                "100ms 300ms 1s 3s", "thin-acks-after          0 16 64", "header:Name", "hold p99", "Exit codes", "default 10ms"}) {
            assertTrue(r.out().contains(s), s + " in\n" + r.out());
        }
    }
}
