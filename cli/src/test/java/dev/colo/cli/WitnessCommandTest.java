package dev.colo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.checkpoint.arbiter.LeaseEvent;
import dev.colo.checkpoint.arbiter.WitnessServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class WitnessCommandTest {
    private static final Pattern LISTENING = Pattern.compile("witness listening on 127\\.0\\.0\\.1:(\\d+)");

    record Run(int exit, String out, String err) {
    }

    private static Run witness(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new WitnessCommand())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void helpExplainsTheRiskAndTheDefaultAddress() {
        Run r = witness("--help");
        assertEquals(ExitCodes.OK, r.exit());
        assertTrue(r.out().contains("split brain"), r.out());
        assertTrue(r.out().contains("--listen=HOST:PORT"), r.out());
        assertTrue(r.out().contains("Default: 0.0.0.0:" + WitnessServer.DEFAULT_PORT), r.out());
    }

    @Test
    void aBadListenAddressIsAUsageError() {
        for (String bad : new String[] {"nohost", "host:70000", "::1:7478", ":7478", "host:port"}) {
            Run r = witness("--listen", bad);
            assertEquals(ExitCodes.USAGE, r.exit(), bad);
            assertTrue(r.err().contains("--listen"), r.err());
        }
    }

    @Test
    void formatsOneTimestampedLinePerLeaseChange() {
        Instant at = Instant.parse("2030-01-02T03:04:05.678901Z");
        assertEquals("2030-01-02T03:04:05.678Z lease granted: cluster=web holder=pvm ttl=3000ms",
                WitnessCommand.format(at, new LeaseEvent(LeaseEvent.Kind.GRANTED, "web", "pvm", 3000)));
        assertEquals("2030-01-02T03:04:05.678Z lease released: cluster=web holder=pvm",
                WitnessCommand.format(at, new LeaseEvent(LeaseEvent.Kind.RELEASED, "web", "pvm", 0)));
    }

    @Test
    void servesLeasesLogsChangesAndStopsWhenInterrupted() throws Exception {
        StringWriter out = new StringWriter();
        AtomicInteger exit = new AtomicInteger(-1);
        Thread runner = new Thread(() -> exit.set(new CommandLine(new WitnessCommand())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(new StringWriter(), true))
                .execute("--listen", "127.0.0.1:0")));
        runner.start();
        try {
            int port = awaitPort(out);
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(5_000);
                OutputStream to = s.getOutputStream();
                BufferedReader from = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                // Just started: no takeover for 1.5 x the ttl (a lease of a previous run may be live), renewals only.
                to.write("CLAIM web svm 3000\n".getBytes(StandardCharsets.US_ASCII));
                String refused = from.readLine();
                assertTrue(refused.startsWith("DENIED web (witness-restarted) "), refused);
                to.write("RENEW web pvm 3000\nRELEASE web pvm\n".getBytes(StandardCharsets.US_ASCII));
                assertEquals("GRANTED web pvm 3000", from.readLine());
                assertEquals("RELEASED", from.readLine());
            }
        } finally {
            runner.interrupt();
            runner.join(5_000);
        }
        assertEquals(ExitCodes.OK, exit.get());
        String log = out.toString();
        assertTrue(log.contains("lease granted: cluster=web holder=pvm ttl=3000ms"), log);
        assertTrue(log.contains("lease released: cluster=web holder=pvm"), log);
        assertTrue(log.contains("witness stopped"), log);
        assertTrue(log.contains("quiet period"), log);
    }

    private static int awaitPort(StringWriter out) throws InterruptedException {
        long giveUp = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < giveUp) {
            Matcher m = LISTENING.matcher(out.toString());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the witness did not start: " + out);
    }
}
