package dev.colo.cli.load;

import dev.colo.cli.demo.ColoProcesses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.cli.lab.CompareFeeder;
import dev.colo.cli.lab.CompareFeederResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `colo compare` at full rate, as QEMU's filter-redirectors would feed it: the feeder writes identical
 * primary and secondary streams (TCP and UDP flows, unique payloads) as fast as the sockets take them and
 * checks outdev. Every primary frame must leave exactly once, in order per flow, unchanged; nothing may
 * stay held or be lost; the log stays a few lines whatever the rate. No timing is asserted (see bench/).
 */
@Timeout(240)
class CompareLoadTest {
    @TempDir
    Path tmp;


    /** Runs colo compare in its own JVM, feeds it, stops it with SIGTERM, and returns what it printed. */
    private Run run(CompareFeeder.Builder feed, String... extraArgs) throws Exception {
        int p = ColoProcesses.freePort();
        int s = ColoProcesses.freePort();
        int o = ColoProcesses.freePort();
        Path log = tmp.resolve("compare-" + p + ".log");
        List<String> cmd = new ArrayList<>(List.of("compare",
                "--primary-in", "listen:127.0.0.1:" + p, "--secondary-in", "listen:127.0.0.1:" + s,
                "--outdev", "listen:127.0.0.1:" + o, "--stats-interval", "1"));
        cmd.addAll(List.of(extraArgs));
        Process compare = ColoProcesses.startColo(log, List.of("-Xmx512m"), cmd);
        try {
            CompareFeederResult r = feed
                    .primaryIn(CompareFeeder.Link.connect("127.0.0.1", p))
                    .secondaryIn(CompareFeeder.Link.connect("127.0.0.1", s))
                    .outdev(CompareFeeder.Link.connect("127.0.0.1", o))
                    .idleTimeout(Duration.ofSeconds(20))
                    .settle(Duration.ofMillis(300))
                    .build().run();
            Thread.sleep(1500); // one more status line after the feed
            compare.destroy();
            assertTrue(compare.waitFor(20, TimeUnit.SECONDS), "colo compare stops on SIGTERM");
            return new Run(r, Files.readAllLines(log));
        } finally {
            compare.destroyForcibly();
        }
    }

    private record Run(CompareFeederResult feed, List<String> log) {
        String lastStatus() {
            for (int i = log.size() - 1; i >= 0; i--) {
                if (log.get(i).contains("released ")) {
                    return log.get(i);
                }
            }
            return "";
        }

        String text() {
            return feed + "\n" + String.join("\n", log.subList(Math.max(0, log.size() - 40), log.size()));
        }
    }

    private static void assertEverythingReleasedOnce(Run run, long frames) {
        CompareFeederResult f = run.feed();
        assertTrue(f.ok(), run.text());
        assertEquals(frames, f.distinct(), run.text());
        assertEquals(0, f.missing(), run.text());
        String status = run.lastStatus();
        assertTrue(status.contains("released " + frames + " "), "the status line counts every release: " + status);
        assertTrue(status.contains("held 0 frames"), "nothing held at the end: " + status);
        assertTrue(status.contains("refused by outdev 0, lost 0,"), "nothing refused or lost: " + status);
    }

    @Test
    void aMillionFramesOfMixedSizesAtFullRateAllLeaveOnceInOrder() throws Exception {
        long frames = 1_000_000;
        Run run = run(CompareFeeder.builder().frames(frames).flows(8).udpFlows(2).frameSizes(60, 1514));
        assertEverythingReleasedOnce(run, frames);
        assertTrue(run.lastStatus().contains("divergences: none"), run.lastStatus());
        // Reports, not floods: a status line a second and a few lines around them, whatever the rate.
        assertTrue(run.log().size() < 200, run.log().size() + " lines: " + run.text());
    }

    @Test
    void withTheComparatorOnItsOwnThreadNothingIsLostEither() throws Exception {
        // Behind the Disruptor the loop counts the frames still in the ring against the store's room.
        long frames = 300_000;
        Run run = run(CompareFeeder.builder().frames(frames).flows(4).udpFlows(1).frameSizes(60, 1514).primaryLead(20_000),
                "--compare-thread");
        assertEverythingReleasedOnce(run, frames);
        assertTrue(run.lastStatus().contains("divergences: none"), run.lastStatus());
    }

    @Test
    void smallFramesAtFullRateDoNotStall() throws Exception {
        // 118-byte frames: the feed that once stopped for good after 67,249 frames with a full store.
        long frames = 300_000;
        Run run = run(CompareFeeder.builder().frames(frames).flows(1).udpFlows(0).frameSize(118));
        assertEverythingReleasedOnce(run, frames);
        assertTrue(run.lastStatus().contains("divergences: none"), run.lastStatus());
    }

    @Test
    void aSlowOutdevReaderSlowsTheFeedAndLosesNothing() throws Exception {
        long frames = 60_000;
        // 8 MB/s: the whole feed (~55 MB) takes ~7 s to read, far longer than the inputs take to arrive.
        Run run = run(CompareFeeder.builder().frames(frames).flows(4).udpFlows(1).frameSize(1000).outdevBytesPerSecond(8_000_000));
        assertEverythingReleasedOnce(run, frames);
        assertTrue(run.log().stream().anyMatch(l -> l.matches(".*primary-in paused [1-9]\\d* times.*")),
                "the inputs were paused for outdev: " + run.lastStatus());
    }

    @Test
    void aPrimaryFarAheadWaitsForItsTwinsAndACheckpointMidwayLosesNothing() throws Exception {
        long frames = 200_000;
        // The primary writes 60,000 frames before the secondary starts: more than its half of the store, so
        // primary-in is paused; each connection's queue passes its limit, and the checkpoint command commits:
        // held output leaves by the flush, the secondary's late twins are then old news.
        Run run = run(CompareFeeder.builder().frames(frames).flows(4).udpFlows(0).frameSize(200).primaryLead(60_000),
                "--checkpoint-command", "true");
        assertEverythingReleasedOnce(run, frames);
        assertTrue(run.lastStatus().matches(".*primary-in paused [1-9]\\d* times.*"), run.lastStatus());
    }

    @Test
    void aSecondaryFarAheadIsHeldBackAndLosesNothing() throws Exception {
        long frames = 200_000;
        Run run = run(CompareFeeder.builder().frames(frames).flows(4).udpFlows(1).frameSize(200).secondaryLead(30_000),
                "--max-queued-packets", "100000");
        assertEverythingReleasedOnce(run, frames);
        assertTrue(run.lastStatus().contains("divergences: none"), run.lastStatus());
        assertTrue(run.lastStatus().matches(".*secondary-in paused [1-9]\\d* times.*"), run.lastStatus());
    }
}
