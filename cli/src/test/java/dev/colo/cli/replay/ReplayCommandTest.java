package dev.colo.cli.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.colo.cli.ExitCodes;
import dev.colo.cli.Main;
import dev.colo.pcap.PacketFileReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayCommandTest {
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
    void theDefaultRunReplaysABundledPairAndShowsItsDivergence() {
        Run r = colo("replay", "--no-progress");
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        assertTrue(r.out().contains("Replaying bundled pair 'http-one-byte'"), r.out());
        assertTrue(r.out().contains("divergence #1"), r.out());
        assertTrue(r.out().contains("MISMATCH TCP"), r.out());
        assertTrue(r.out().matches("(?s).*\\[6[23]\\].*"), "the differing byte is marked in the hexdump");
    }

    @Test
    void failOnDivergenceExitsWithOne() {
        assertEquals(ExitCodes.DIVERGED, colo("replay", "--no-progress", "--fail-on-divergence").exit());
        assertEquals(ExitCodes.OK, colo("replay", "--no-progress", "--fail-on-divergence", "--pair", "http-identical").exit());
    }

    @Test
    void jsonIsOneValidObject() throws Exception {
        Run r = colo("replay", "--json", "--pair", "http-one-byte");
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        assertTrue(r.out().trim().startsWith("{") && r.out().trim().endsWith("}"));
        assumeTrue(new ProcessBuilder("python3", "--version").start().waitFor() == 0, "python3 missing: JSON not validated");
        Path f = tmp.resolve("r.json");
        Files.writeString(f, r.out());
        Process p = new ProcessBuilder("python3", "-c",
                "import json,sys; d=json.load(open(sys.argv[1])); print(d['divergences']['mismatch'], d['divergenceList'][0]['reason'])",
                f.toString()).redirectErrorStream(true).start();
        String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), o);
        assertEquals("1 MISMATCH", o);
    }

    @Test
    void releasedAndDivergencePcapsAreWrittenAndReadable() throws IOException {
        Path released = tmp.resolve("released.pcap");
        Path div = tmp.resolve("div.pcap");
        BundledPairs.Pair pair = BundledPairs.extract("http-one-byte");
        Run r = colo("replay", "--no-progress", "-p", pair.primary().toString(), "-s", pair.secondary().toString(),
                "--released", released.toString(), "--divergences", div.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        assertEquals(count(pair.primary()), count(released), "every primary frame released exactly once");
        assertEquals(2, count(div), "the primary and the secondary frame of the one divergence");
    }

    @Test
    void usageErrorsExitWithTwoAndSayWhy() {
        Run r = colo("replay", "--primary", "x.pcap");
        assertEquals(ExitCodes.USAGE, r.exit());
        assertTrue(r.err().contains("give both --primary and --secondary"), r.err());
        r = colo("replay", "--compare-timeout", "soon");
        assertEquals(ExitCodes.USAGE, r.exit());
        assertTrue(r.err().contains("is not a duration"), r.err());
        r = colo("replay", "--ignore", "everything");
        assertEquals(ExitCodes.USAGE, r.exit());
        assertTrue(r.err().contains("unknown ignore rule 'everything'"), r.err());
        r = colo("replay", "--pair", "nope");
        assertEquals(ExitCodes.USAGE, r.exit());
        assertTrue(r.err().contains("bundled pairs:"), r.err());
        r = colo("replay", "--compare-timeout", "100ms", "--scan-interval", "1s");
        assertEquals(ExitCodes.USAGE, r.exit());
        assertTrue(r.err().contains("scan interval must not exceed the compare timeout"), r.err());
    }

    @Test
    void missingFileIsBadInput() {
        Run r = colo("replay", "-p", tmp.resolve("none.pcap").toString(), "-s", tmp.resolve("none2.pcap").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.exit());
        assertTrue(r.err().contains("no such file"), r.err());
    }

    @Test
    void aTruncatedCaptureIsReportedWithItsOffsetAndWhatCameBeforeIsStillReplayed() throws IOException {
        BundledPairs.Pair pair = BundledPairs.extract("http-identical");
        byte[] whole = Files.readAllBytes(pair.secondary());
        Path cut = tmp.resolve("cut.pcap");
        Files.write(cut, Arrays.copyOf(whole, whole.length - 700));
        Run r = colo("replay", "--no-progress", "--json", "-p", pair.primary().toString(), "-s", cut.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.exit());
        assertTrue(r.err().contains(cut.toString()) && r.err().contains("offset"), r.err());
        assertTrue(r.out().contains("\"inputErrors\":[\""), r.out());
        // The primary's frames whose twins were cut off are released after a timeout checkpoint, not lost.
        long primaryFrames = count(pair.primary());
        assertTrue(r.out().contains("\"released\":{\"total\":" + primaryFrames + ","), r.out());
    }

    @Test
    void helpListsOptionsDefaultsAndExitCodes() {
        Run r = colo("replay", "--help");
        assertEquals(0, r.exit());
        for (String s : new String[] {"--compare-timeout", "--ignore", "--released", "--fail-on-divergence", "Exit codes", "default 3000ms"}) {
            assertTrue(r.out().contains(s), s);
        }
    }

    @Test
    void releasedPcapOpensInTshark() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/tshark")), "tshark missing (apt-get install tshark): skipped");
        Path released = tmp.resolve("rel.pcap");
        Run r = colo("replay", "--no-progress", "--pair", "udp-echo", "--released", released.toString());
        assertEquals(ExitCodes.OK, r.exit(), r.err());
        Process p = new ProcessBuilder("tshark", "-r", released.toString(), "-T", "fields", "-e", "udp.length")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(count(released), o.lines().filter(l -> !l.isBlank()).count());
    }

    static long count(Path pcap) throws IOException {
        try (PacketFileReader r = PacketFileReader.open(pcap)) {
            long n = 0;
            while (r.next()) {
                n++;
            }
            return n;
        }
    }
}
