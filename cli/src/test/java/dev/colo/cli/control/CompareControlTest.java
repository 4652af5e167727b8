package dev.colo.cli.control;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The control socket of a running `colo compare` process, driven by the client subcommands: status, set
 * (applied live, logged, refused when invalid), checkpoint and failover refused with a reason, garbage on the
 * socket answered with an error while the node runs on; a held frame fires its TIMEOUT once the compare
 * timeout is lowered, long before the default 3 s.
 */
@Timeout(90)
class CompareControlTest {
    @TempDir
    Path tmp;



    /** One client subcommand in this JVM: exit code, stdout, stderr. */
    record Run(int exit, String out, String err) {
    }

    static Run colo(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new ColoCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private String log() throws Exception {
        return Files.readString(tmp.resolve("compare.log"));
    }

    private void awaitLog(String text, long millis) throws Exception {
        long end = System.currentTimeMillis() + millis;
        while (!log().contains(text)) {
            assertTrue(System.currentTimeMillis() < end, "'" + text + "' in the log:\n" + log());
            Thread.sleep(20);
        }
    }

    @ParameterizedTest(name = "compare-thread {0}")
    @ValueSource(booleans = {false, true})
    void everyCommandOnALiveComparator(boolean compareThread) throws Exception {
        int pIn = ColoProcesses.freePort();
        int sIn = ColoProcesses.freePort();
        int out = ColoProcesses.freePort();
        Path sock = tmp.resolve("compare.sock");
        List<String> cmd = new ArrayList<>(List.of("compare",
                "--primary-in", "listen:127.0.0.1:" + pIn, "--secondary-in", "listen:127.0.0.1:" + sIn,
                "--outdev", "listen:127.0.0.1:" + out, "--stats-interval", "0", "--control", sock.toString()));
        if (compareThread) {
            cmd.add("--compare-thread");
        }
        Process compare = ColoProcesses.startColo(tmp.resolve("compare.log"), List.of(), cmd);
        LinkConfig config = new LinkConfig();
        try (FrameLinkClient outdev = new FrameLinkClient("outdev", new InetSocketAddress("127.0.0.1", out), config, f -> { });
             FrameLinkClient primary = new FrameLinkClient("pvm", new InetSocketAddress("127.0.0.1", pIn), config, f -> { });
             FrameLinkClient secondary = new FrameLinkClient("svm", new InetSocketAddress("127.0.0.1", sIn), config, f -> { })) {
            for (FrameLinkClient c : new FrameLinkClient[] {outdev, primary, secondary}) {
                assertTrue(c.awaitConnected(Duration.ofSeconds(20)), "connected " + c.describe() + "\n" + log());
            }
            awaitLog("control socket " + sock, 10_000);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
            String s = "--socket=" + sock;

            Run status = colo("status", s);
            assertEquals(0, status.exit(), status.err());
            assertTrue(status.out().contains("node: compare"), status.out());
            assertTrue(status.out().contains("compare-timeout: 3000 ms"), status.out());
            Run json = colo("status", "--json", s);
            assertEquals(0, json.exit(), json.err());
            assertTrue(json.out().startsWith("{\"node\":\"compare\""), json.out());
            assertTrue(json.out().contains("\"held-frames\":0"), json.out());

            // A primary frame with no twin is held; the default timeout would fire after 3 s.
            primary.send(ByteBuffer.wrap(TestFrames.udp("pvm alone")));
            long until = System.currentTimeMillis() + 10_000;
            while (!colo("status", "--json", s).out().contains("\"held-frames\":1")) {
                assertTrue(System.currentTimeMillis() < until, "the frame is held\n" + log());
                Thread.sleep(20);
            }
            Run set = colo("set", "compare-timeout", "200ms", s);
            assertEquals(0, set.exit(), set.err() + "\n" + log());
            assertTrue(set.out().contains("compare-timeout 3000 ms -> 200 ms"), set.out());
            awaitLog("TIMEOUT", 10_000);
            String logged = log();
            int changed = logged.indexOf("compare-timeout 3000 ms -> 200 ms (control socket)");
            int timeout = logged.indexOf("TIMEOUT");
            assertTrue(changed >= 0 && changed < timeout, "the change is logged, then the held frame times out:\n" + logged);
            Matcher waited = Pattern.compile("primary frame waited (\\d+) ms").matcher(logged.substring(timeout));
            assertTrue(waited.find(), logged);
            assertTrue(Long.parseLong(waited.group(1)) < 3000, "fired before the old 3 s: " + waited.group());
            assertTrue(colo("status", s).out().contains("compare-timeout: 200 ms"));

            // Invalid values are refused with the command line's reason, and change nothing.
            String before = colo("status", "--json", s).out().replaceAll(".*\"thresholds\":(\\{[^}]*\\}).*", "$1");
            for (String[] bad : new String[][] {{"scan-interval", "5s"}, {"compare-timeout", "soon"}, {"compare-timeout", "0"},
                    {"max-queued-packets", "0"}, {"max-queued-bytes", "-1"}, {"thin-acks-after", "-3"}, {"bogus", "1"},
                    {"ignore+", "xml-ids"}, {"ignore-", "http-date"}, {"checkpoint-interval", "5s"}}) {
                Run r = colo("set", bad[0], bad[1], s);
                assertEquals(1, r.exit(), Arrays.toString(bad) + ": " + r.out() + r.err());
                assertTrue(r.err().startsWith("colo set: "), r.err());
            }
            assertTrue(colo("set", "scan-interval", "5s", s).err().contains("scan interval must not exceed the compare timeout"));
            String after = colo("status", "--json", s).out().replaceAll(".*\"thresholds\":(\\{[^}]*\\}).*", "$1");
            assertEquals(before, after, "refused changes changed nothing");

            // Rules come and go; each change is logged.
            assertEquals(0, colo("set", "ignore+", "http-date", s).exit());
            assertEquals(1, colo("set", "ignore+", "http-date", s).exit(), "already in force");
            assertTrue(colo("status", s).out().contains("ignore: http-date"));
            assertEquals(0, colo("set", "ignore-", "http-date", s).exit());
            for (String[] good : new String[][] {{"scan-interval", "50ms"}, {"max-queued-packets", "2048"},
                    {"max-queued-bytes", "1048576"}, {"thin-acks-after", "0"}, {"min-checkpoint-interval", "5ms"}}) {
                Run r = colo("set", good[0], good[1], s);
                assertEquals(0, r.exit(), Arrays.toString(good) + ": " + r.err());
            }
            String st = colo("status", s).out();
            for (String v : new String[] {"scan-interval: 50 ms", "max-queued-packets: 2048", "max-queued-bytes: 1048576",
                    "thin-acks-after: 0", "min-checkpoint-interval: 5 ms", "ignore: \n"}) {
                assertTrue(st.contains(v.replace(" \n", "")), v + " in\n" + st);
            }
            awaitLog("ignore rule http-date added (control socket)", 1000);
            awaitLog("ignore rule http-date removed (control socket)", 1000);

            // No coordinator here: checkpoint and failover are refused with a reason.
            Run ck = colo("checkpoint", s);
            assertEquals(1, ck.exit());
            assertTrue(ck.err().contains("no coordinator"), ck.err());
            Run fo = colo("failover", s);
            assertEquals(1, fo.exit());
            assertTrue(fo.err().contains("cannot fail over"), fo.err());

            // Garbage on the socket gets an error; the node keeps comparing and answering.
            String g = ControlServerTest.raw(sock, new byte[] {0, (byte) 0xc3, (byte) 0x28, '\n'}, false);
            assertTrue(g.startsWith("error "), g);
            assertTrue(ControlServerTest.raw(sock, "hello there\n".getBytes(StandardCharsets.UTF_8), false).startsWith("error unknown request"));
            assertTrue(compare.isAlive());
            assertEquals(0, colo("status", s).exit());

            Run noNode = colo("status", "--socket=" + tmp.resolve("nobody.sock"));
            assertEquals(3, noNode.exit());
            assertTrue(noNode.err().contains("cannot reach"), noNode.err());
        } finally {
            compare.destroy();
            assertTrue(compare.waitFor(20, TimeUnit.SECONDS));
        }
        assertFalse(Files.exists(sock), "the socket is removed at exit\n" + log());
    }
}
