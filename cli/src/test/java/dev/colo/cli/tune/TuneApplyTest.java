package dev.colo.cli.tune;

import dev.colo.cli.demo.ColoProcesses;
import dev.colo.cli.TestFrames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.cli.ColoCommand;
import dev.colo.proxy.link.FrameLinkClient;
import dev.colo.proxy.link.LinkConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --apply} against a live {@code colo compare} process (started with --control): the recommendation is set
 * through the control socket, only what differs, each change printed; {@code colo status} then shows it, and a held
 * frame's TIMEOUT fires after the change (the order of events in the node's log). A value the node refuses
 * returns 1 and leaves every setting as it was; a socket with no node returns 3.
 */
@Timeout(90)
class TuneApplyTest {
    @TempDir
    Path tmp;



    /** `colo ARGS` in this JVM: its stdout (stderr appended), and the exit code checked. */
    private static String colo(int expectedExit, String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new ColoCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        int code = cl.execute(args);
        assertEquals(expectedExit, code, String.join(" ", args) + ": " + out);
        return out.toString();
    }

    private String log() throws Exception {
        return Files.readString(tmp.resolve("compare.log"));
    }

    private void awaitLog(String text) throws Exception {
        long end = System.currentTimeMillis() + 10_000;
        while (!log().contains(text)) {
            assertTrue(System.currentTimeMillis() < end, "'" + text + "' in the log:\n" + log());
            Thread.sleep(20);
        }
    }

    private static TuneReport recommending(long timeoutNanos, int thin, long minIntervalNanos, int queued, List<String> rules) {
        TuneOutcome o = new TuneOutcome(new TuneSetting(timeoutNanos, thin, minIntervalNanos, queued, rules), Map.of(), 2, 1_000_000,
                150_000_000, 3, 0);
        return new TuneReport(List.of(o), o, "by hand", List.of(), List.of(), 500_000_000);
    }

    /** apply(), its exit code and what it printed. */
    private record Applied(int exit, String out) {
    }

    private static Applied apply(TuneReport r, Path sock) {
        StringWriter w = new StringWriter();
        int exit = TuneApply.apply(r, sock, new PrintWriter(w));
        return new Applied(exit, w.toString());
    }

    private static String thresholds(String sock) {
        return colo(0, "status", "--json", sock).replaceAll("(?s).*\"thresholds\":(\\{[^}]*\\}).*", "$1");
    }

    @Test
    void appliesTheRecommendationToALiveNode() throws Exception {
        int pIn = ColoProcesses.freePort();
        int sIn = ColoProcesses.freePort();
        int out = ColoProcesses.freePort();
        Path sock = tmp.resolve("compare.sock");
        List<String> cmd = List.of("compare", "--primary-in", "listen:127.0.0.1:" + pIn, "--secondary-in", "listen:127.0.0.1:" + sIn,
                "--outdev", "listen:127.0.0.1:" + out, "--stats-interval", "0", "--control", sock.toString());
        Process compare = ColoProcesses.startColo(tmp.resolve("compare.log"), List.of(), cmd);
        LinkConfig config = new LinkConfig();
        try (FrameLinkClient outdev = new FrameLinkClient("outdev", new InetSocketAddress("127.0.0.1", out), config, f -> { });
             FrameLinkClient primary = new FrameLinkClient("pvm", new InetSocketAddress("127.0.0.1", pIn), config, f -> { });
             FrameLinkClient secondary = new FrameLinkClient("svm", new InetSocketAddress("127.0.0.1", sIn), config, f -> { })) {
            for (FrameLinkClient c : new FrameLinkClient[] {outdev, primary, secondary}) {
                assertTrue(c.awaitConnected(Duration.ofSeconds(20)), "connected " + c.describe() + "\n" + log());
            }
            awaitLog("control socket " + sock);
            String s = "--socket=" + sock;
            String before = colo(0, "status", s);
            assertTrue(before.contains("compare-timeout: 3000 ms") && before.contains("thin-acks-after: 64"), before);

            // A primary frame with no twin is held; at the default 3000 ms it would wait 3 s for its TIMEOUT.
            primary.send(ByteBuffer.wrap(TestFrames.udp("pvm alone")));
            long until = System.currentTimeMillis() + 10_000;
            while (!colo(0, "status", "--json", s).contains("\"held-frames\":1")) {
                assertTrue(System.currentTimeMillis() < until, "the frame is held\n" + log());
                Thread.sleep(20);
            }
            assertFalse(log().contains("TIMEOUT"), log());

            // max-queued-packets is already 1024: not sent.
            TuneReport rec = recommending(200_000_000L, 32, 5_000_000L, 1024, List.of("http-date", "header:Server"));
            Applied a = apply(rec, sock);
            assertEquals(0, a.exit(), a.out());
            for (String line : new String[] {"compare-timeout 3000 ms -> 200 ms", "thin-acks-after 64 -> 32",
                    "min-checkpoint-interval 20 ms -> 5 ms", "ignore rule http-date added", "ignore rule header:Server added",
                    "max-queued-packets 1024 (unchanged)"}) {
                assertTrue(a.out().contains(line), "'" + line + "' printed:\n" + a.out());
            }
            assertFalse(a.out().contains("max-queued-packets 1024 ->"), a.out());

            String after = colo(0, "status", s);
            for (String v : new String[] {"compare-timeout: 200 ms", "thin-acks-after: 32", "min-checkpoint-interval: 5 ms",
                    "max-queued-packets: 1024", "ignore: http-date,header:Server"}) {
                assertTrue(after.contains(v), v + " in\n" + after);
            }
            awaitLog("TIMEOUT");
            String logged = log();
            int changed = logged.indexOf("compare-timeout 3000 ms -> 200 ms (control socket)");
            int timeout = logged.indexOf("TIMEOUT");
            assertTrue(changed >= 0 && changed < timeout, "the change is logged, then the held frame times out:\n" + logged);

            // Applied again: nothing differs, nothing is sent.
            int setsLogged = logged.split("\\(control socket\\)", -1).length;
            Applied again = apply(rec, sock);
            assertEquals(0, again.exit(), again.out());
            assertTrue(again.out().contains("nothing differs") && again.out().contains("compare-timeout 200 ms (unchanged)")
                    && again.out().contains("ignore rule http-date (unchanged)"), again.out());
            assertEquals(setsLogged, log().split("\\(control socket\\)", -1).length, "no set was sent:\n" + log());

            // A rule the node has beyond the recommendation is kept and said so.
            Applied fewer = apply(recommending(200_000_000L, 32, 5_000_000L, 1024, List.of("http-date")), sock);
            assertEquals(0, fewer.exit(), fewer.out());
            assertTrue(fewer.out().contains("ignore rule header:Server kept"), fewer.out());

            // Refused by the node: max-queued-packets 0. compare-timeout was set before it and is set back.
            String thresholdsBefore = thresholds(s);
            Applied refused = apply(recommending(1_000_000_000L, 32, 5_000_000L, 0, List.of("http-date")), sock);
            assertEquals(1, refused.exit(), refused.out());
            assertTrue(refused.out().contains("max-queued-packets 0 refused by colo compare: max-queued-packets: max queued packets must be >= 1"),
                    refused.out());
            assertTrue(refused.out().contains("undone: compare-timeout 1000 ms -> 200 ms"), refused.out());
            assertTrue(refused.out().contains("nothing changed"), refused.out());
            assertEquals(thresholdsBefore, thresholds(s), "the refusal left every setting as it was");

            // A rule the node does not know, after a timeout below the scan interval (which the node lowers with it):
            // both are set back.
            Applied badRule = apply(recommending(50_000_000L, 32, 5_000_000L, 1024, List.of("http-date", "xml-ids")), sock);
            assertEquals(1, badRule.exit(), badRule.out());
            assertTrue(badRule.out().contains("ignore+ xml-ids refused by colo compare: ignore+: unknown ignore rule 'xml-ids'"), badRule.out());
            assertTrue(badRule.out().contains("compare-timeout 200 ms -> 50 ms; scan-interval 100 ms -> 50 ms"), badRule.out());
            assertTrue(badRule.out().contains("undone: scan-interval 50 ms -> 100 ms"), badRule.out());
            assertEquals(thresholdsBefore, thresholds(s), "the refusal left every setting as it was");
            assertTrue(compare.isAlive());
        } finally {
            compare.destroy();
            assertTrue(compare.waitFor(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void noNodeNoAnswer() {
        Applied a = apply(recommending(200_000_000L, 32, 5_000_000L, 1024, List.of()), tmp.resolve("nobody.sock"));
        assertEquals(3, a.exit(), a.out());
        assertTrue(a.out().contains("cannot reach " + tmp.resolve("nobody.sock")), a.out());
    }

    @Test
    void noRecommendationNothingSent() {
        TuneReport g = TuneFixtures.grid();
        TuneReport none = new TuneReport(g.outcomes(), null, "no setting met the hold bound", List.of(), List.of(), g.maxHoldP99Nanos());
        Applied a = apply(none, tmp.resolve("nobody.sock"));
        assertEquals(1, a.exit(), a.out());
        assertTrue(a.out().contains("nothing to apply") && a.out().contains("no setting met the hold bound"), a.out());
    }
}
