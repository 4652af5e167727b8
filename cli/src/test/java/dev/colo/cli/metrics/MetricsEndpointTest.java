package dev.colo.cli.metrics;

import dev.colo.cli.demo.ColoProcesses;
import dev.colo.cli.TestFrames;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.cli.lab.CompareFeeder;
import dev.colo.cli.lab.CompareFeederResult;
import dev.colo.cli.node.CompareNode;
import dev.colo.cli.node.LinkSpec;
import dev.colo.compare.CheckpointGate;
import dev.colo.compare.CheckpointModel;
import dev.colo.compare.CheckpointReason;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.DecisionListener;
import dev.colo.proxy.link.FrameLinkClient;
import dev.colo.proxy.link.LinkConfig;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A live comparator (the wiring of {@code colo compare}) with its metrics endpoint on 127.0.0.1: fed by
 * {@link CompareFeeder}, then given one divergent datagram pair; the scrapes show the counters moving, and the
 * exposition passes {@code promtool check metrics}.
 */
@Timeout(120)
class MetricsEndpointTest {
    private static final int FRAMES = 3000;


    /** No checkpoint can be had: divergent output stays held. */
    private static final class NeverGate implements CheckpointGate {
        @Override
        public long request(CheckpointReason reason) {
            return Long.MAX_VALUE;
        }

        @Override
        public long committedGeneration() {
            return 0;
        }
    }

    static String scrape(int port) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /** "name{labels}" (as exposed) to value; comments left out. */
    static Map<String, Double> samples(String exposition) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            m.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return m;
    }

    private static double value(Map<String, Double> m, String key) {
        Double v = m.get(key);
        assertNotNull(v, key + " is exposed: " + m.keySet());
        return v;
    }


    @Test
    void countersMoveAsFramesFlowAndTheExpositionPassesPromtool() throws Exception {
        int p = ColoProcesses.freePort();
        int s = ColoProcesses.freePort();
        int o = ColoProcesses.freePort();
        CompareConfig config = new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_RESTORED).validate();
        try (CompareNode node = new CompareNode(LinkSpec.parse("listen:127.0.0.1:" + p), LinkSpec.parse("listen:127.0.0.1:" + s),
                LinkSpec.parse("listen:127.0.0.1:" + o), new LinkConfig(), config, new NeverGate(), new DecisionListener() {
                    @Override
                    public void onRelease(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
                    }
                }, false);
             MetricsServer server = MetricsServer.start(MetricsServer.parse("127.0.0.1:0"), ColoMetrics.compare(node).registry())) {
            Map<String, Double> before = samples(scrape(server.port()));
            assertEquals(0, value(before, "colo_compared_frames_total{side=\"primary\"}"));
            assertEquals(0, value(before, "colo_frames_out_total{to=\"outdev\"}"));
            assertEquals(1, value(before, "colo_state{role=\"compare\",state=\"RUNNING\"}"));

            CompareFeederResult fed = CompareFeeder.builder().frames(FRAMES).flows(4).udpFlows(1).frameSizes(60, 1000)
                    .primaryIn(CompareFeeder.Link.connect("127.0.0.1", p)).secondaryIn(CompareFeeder.Link.connect("127.0.0.1", s))
                    .outdev(CompareFeeder.Link.connect("127.0.0.1", o)).idleTimeout(Duration.ofSeconds(20)).settle(Duration.ofMillis(200))
                    .build().run();
            assertTrue(fed.ok(), fed.toString());

            Map<String, Double> after = samples(scrape(server.port()));
            assertEquals(FRAMES, value(after, "colo_compared_frames_total{side=\"primary\"}"), after.toString());
            assertEquals(FRAMES, value(after, "colo_compared_frames_total{side=\"secondary\"}"));
            assertTrue(value(after, "colo_compared_bytes_total{side=\"primary\"}") >= FRAMES * 60.0);
            assertEquals(FRAMES, value(after, "colo_frames_out_total{to=\"outdev\"}"));
            assertEquals(FRAMES, value(after, "colo_released_frames_total{kind=\"compared\"}")
                    + value(after, "colo_released_frames_total{kind=\"checkpoint\"}")
                    + value(after, "colo_released_frames_total{kind=\"unprotected\"}"));
            assertEquals(0, value(after, "colo_divergences_total{reason=\"mismatch\"}"));
            assertEquals(0, value(after, "colo_dropped_frames_total{cause=\"lost\"}"));
            assertEquals(0, value(after, "colo_held_frames"));
            double held = value(after, "colo_hold_time_seconds_count");
            assertTrue(held > 0, "hold times were recorded");
            assertEquals(held, value(after, "colo_hold_time_seconds_bucket{le=\"+Inf\"}"));
            assertTrue(value(after, "colo_hold_time_seconds_bucket{le=\"1.0\"}") <= held);
            assertTrue(after.containsKey("colo_backpressure_pauses_total{source=\"primary-in\"}"), after.keySet().toString());
            assertTrue(after.containsKey("colo_link_queue_bytes{link=\"outdev\"}"));

            // One divergent datagram pair: a MISMATCH, a checkpoint asked for, the PVM's frame held (no checkpoint can commit).
            // An outdev reader first: while outdev is down, back-pressure keeps both inputs paused.
            LinkConfig link = new LinkConfig();
            try (FrameLinkClient outdev = new FrameLinkClient("outdev", new InetSocketAddress("127.0.0.1", o), link, f -> { });
                 FrameLinkClient pvm = new FrameLinkClient("pvm", new InetSocketAddress("127.0.0.1", p), link, f -> { });
                 FrameLinkClient svm = new FrameLinkClient("svm", new InetSocketAddress("127.0.0.1", s), link, f -> { })) {
                assertTrue(outdev.awaitConnected(Duration.ofSeconds(10)) && pvm.awaitConnected(Duration.ofSeconds(10))
                        && svm.awaitConnected(Duration.ofSeconds(10)));
                pvm.send(ByteBuffer.wrap(TestFrames.udp("pvm says 1")));
                svm.send(ByteBuffer.wrap(TestFrames.udp("svm says 2")));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                Map<String, Double> diverged;
                do {
                    Thread.sleep(20);
                    diverged = samples(scrape(server.port()));
                } while (diverged.get("colo_divergences_total{reason=\"mismatch\"}") < 1 && System.nanoTime() < deadline);
                assertEquals(1, value(diverged, "colo_divergences_total{reason=\"mismatch\"}"), diverged.toString());
                assertEquals(1, value(diverged, "colo_checkpoint_requests_total{reason=\"mismatch\"}"));
                assertEquals(1, value(diverged, "colo_held_primary_frames"));
                assertEquals(FRAMES + 1, value(diverged, "colo_compared_frames_total{side=\"primary\"}"));
                assertEquals(1, value(diverged, "colo_link_connected{link=\"outdev\"}"));
                assertTrue(value(after, "colo_backpressure_pauses_total{source=\"primary-in\"}") >= 1, "outdev down paused the inputs");
            }

            String exposition = scrape(server.port());
            System.out.println(exposition);
            promtool(exposition);
        }
    }

    /** {@code promtool check metrics} on the exposition: no problem, no lint warning. Skipped without promtool. */
    static void promtool(String exposition) throws Exception {
        File tool = null;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            File f = new File(dir, "promtool");
            if (f.canExecute()) {
                tool = f;
                break;
            }
        }
        Assumptions.assumeTrue(tool != null, "promtool is not installed (Debian package prometheus): exposition not linted");
        Process pr = new ProcessBuilder(tool.getPath(), "check", "metrics").redirectErrorStream(true).start();
        pr.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
        pr.getOutputStream().close();
        String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(pr.waitFor(30, TimeUnit.SECONDS));
        System.out.println("promtool check metrics: exit " + pr.exitValue() + (out.isBlank() ? ", no output" : ":\n" + out));
        assertEquals(0, pr.exitValue(), out);
        assertTrue(out.isBlank(), "promtool has no lint remark: " + out);
    }
}
