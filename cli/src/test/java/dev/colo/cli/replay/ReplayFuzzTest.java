package dev.colo.cli.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.colo.compare.CheckpointModel;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.CompareStats;
import dev.colo.pcap.PacketFileReader;
import dev.colo.pcap.PcapFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Coverage-guided fuzzing of replay end to end (JAZZER_FUZZ=1, see bench/run-fuzz.sh): two capture files through the
 * readers, the decoder and the comparator. In the suite the corpus in ReplayFuzzTestInputs (cuts of the bundled pairs)
 * runs as regression tests.
 *
 * <p>Input: a control byte (bit 0: the Disruptor pipeline instead of the direct mode; bit 1: tight limits: 100 ms
 * compare timeout, 8 frames per queue, no ACK thinning, no checkpoint coalescing), two bytes giving the primary
 * file's length (big-endian), the primary file, then the secondary file. Only a PcapFormatException may escape (a file
 * that does not open); each input must finish within {@link #DEADLINE_SECONDS} (a hang is a finding), every frame the
 * readers deliver reaches the comparator, and nothing stays held after the drain (a secondary frame with no twin is
 * dropped and counted there: see ReplayDrainTest).
 */
class ReplayFuzzTest {
    static final int DEADLINE_SECONDS = 2;
    private static ExecutorService watchdog = newWatchdog();

    @FuzzTest(maxDuration = "5m")
    void replay(byte[] input) throws Exception {
        replayAndCheck(input);
    }

    /** Replays one input (see the class comment) and checks the result; null when it is too short or a file did not open. */
    static ReplayResult replayAndCheck(byte[] input) throws Exception {
        if (input.length < 3) {
            return null;
        }
        int control = input[0];
        int primaryLength = Math.min(input.length - 3, (input[1] & 0xff) << 8 | (input[2] & 0xff));
        Path dir = Files.createTempDirectory("colo-fuzz-replay-");
        try {
            Path primary = Files.write(dir.resolve("pvm.pcap"), Arrays.copyOfRange(input, 3, 3 + primaryLength));
            Path secondary = Files.write(dir.resolve("svm.pcap"), Arrays.copyOfRange(input, 3 + primaryLength, input.length));
            ReplayEngine engine = new ReplayEngine(config((control & 2) != 0))
                    .mode((control & 1) != 0 ? ReplayEngine.Mode.PIPELINE : ReplayEngine.Mode.DIRECT);
            ReplayResult result = withinDeadline(() -> engine.run(primary, secondary));
            if (result != null) {
                assertConsistent(result, primary, secondary);
            }
            return result;
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    /** Small stores (the defaults reserve 68 MB per replay) so that many inputs a second fit, and store-full paths run. */
    private static CompareConfig config(boolean tight) {
        CompareConfig c = new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED)
                .smallSlots(256).largeSlots(8).storeFullWaitNanos(TimeUnit.MILLISECONDS.toNanos(200));
        if (tight) {
            c.compareTimeoutNanos(TimeUnit.MILLISECONDS.toNanos(100)).maxQueuedPackets(8).thinAcksAfter(0).minCheckpointIntervalNanos(0);
        }
        return c;
    }

    /** The replay's result, or null when a file did not open; fails when the replay takes longer than the deadline. */
    private static ReplayResult withinDeadline(java.util.concurrent.Callable<ReplayResult> replay) throws Exception {
        Future<ReplayResult> run = watchdog.submit(replay);
        try {
            return run.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            run.cancel(true);
            watchdog.shutdownNow();
            watchdog = newWatchdog(); // the stuck thread may never return
            throw new AssertionError("one replay took more than " + DEADLINE_SECONDS + " s: a hang", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PcapFormatException) {
                return null;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw (Exception) e.getCause();
        }
    }

    private static ExecutorService newWatchdog() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "replay-fuzz");
            t.setDaemon(true);
            return t;
        });
    }

    private static void assertConsistent(ReplayResult r, Path primary, Path secondary) throws IOException {
        CompareStats s = r.stats();
        assertEquals(framesBeforeAnyError(primary), s.get(CompareStats.FRAMES_PRIMARY), "primary frames compared");
        assertEquals(framesBeforeAnyError(secondary), s.get(CompareStats.FRAMES_SECONDARY), "secondary frames compared");
        assertEquals(0, r.heldAfterDrain(), "nothing left held after the drain");
        assertTrue(s.released() + s.get(CompareStats.SUPERSEDED_ACKS) + s.get(CompareStats.LOST) <= s.get(CompareStats.FRAMES_PRIMARY),
                "released more primary frames than came in");
    }

    private static long framesBeforeAnyError(Path file) throws IOException {
        long n = 0;
        try (PacketFileReader reader = PacketFileReader.open(file)) {
            while (reader.next()) {
                n++;
            }
        } catch (PcapFormatException e) {
            // the replay ends that side at the same frame and lists the error
        }
        return n;
    }
}
