package dev.colo.cli.node;

import dev.colo.cli.demo.ColoProcesses;
import dev.colo.cli.TestFrames;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.proxy.link.FrameLinkClient;
import dev.colo.proxy.link.LinkConfig;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `colo compare` as QEMU's filter-redirectors see colo-compare: three sockets in QEMU's format.
 * Identical PVM/SVM output leaves on outdev; a divergent datagram waits until the checkpoint command
 * has run and exited 0, then the PVM's version leaves.
 */
@Timeout(60)
class CompareCommandTest {
    @TempDir
    Path tmp;



    @Test
    void identicalOutputLeavesAndADivergenceWaitsForTheCheckpointCommand() throws Exception {
        int pIn = ColoProcesses.freePort();
        int sIn = ColoProcesses.freePort();
        int out = ColoProcesses.freePort();
        Path marker = tmp.resolve("checkpointed");
        List<String> cmd = new ArrayList<>(List.of("compare",
                "--primary-in", "listen:127.0.0.1:" + pIn, "--secondary-in", "listen:127.0.0.1:" + sIn,
                "--outdev", "listen:127.0.0.1:" + out, "--checkpoint-command", "touch " + marker, "--stats-interval", "0"));
        Process compare = ColoProcesses.startColo(tmp.resolve("compare.log"), List.of(), cmd);
        LinkedBlockingQueue<byte[]> released = new LinkedBlockingQueue<>();
        LinkConfig config = new LinkConfig();
        try (FrameLinkClient outdev = new FrameLinkClient("outdev", new InetSocketAddress("127.0.0.1", out), config, frame -> {
                 byte[] b = new byte[frame.remaining()];
                 frame.get(frame.position(), b);
                 released.add(b);
             });
             FrameLinkClient primary = new FrameLinkClient("pvm", new InetSocketAddress("127.0.0.1", pIn), config, f -> { });
             FrameLinkClient secondary = new FrameLinkClient("svm", new InetSocketAddress("127.0.0.1", sIn), config, f -> { })) {
            for (FrameLinkClient c : new FrameLinkClient[] {outdev, primary, secondary}) {
                assertTrue(c.awaitConnected(Duration.ofSeconds(20)), "connected " + c.describe() + "\n" + Files.readString(tmp.resolve("compare.log")));
            }
            byte[] same = TestFrames.udp("same answer");
            primary.send(ByteBuffer.wrap(same));
            secondary.send(ByteBuffer.wrap(same));
            byte[] first = released.poll(10, TimeUnit.SECONDS);
            assertNotNull(first, "the agreed datagram left on outdev\n" + Files.readString(tmp.resolve("compare.log")));
            assertArrayEquals(same, first);

            byte[] pvm = TestFrames.udp("pvm says 1");
            primary.send(ByteBuffer.wrap(pvm));
            secondary.send(ByteBuffer.wrap(TestFrames.udp("svm says 2")));
            byte[] second = released.poll(10, TimeUnit.SECONDS);
            assertNotNull(second, "released after the checkpoint\n" + Files.readString(tmp.resolve("compare.log")));
            assertTrue(Files.exists(marker), "the checkpoint command ran before the release");
            assertArrayEquals(pvm, second, "the PVM's version, never the SVM's");
            assertTrue(Files.readString(tmp.resolve("compare.log")).contains("divergence #1"));
            assertEquals(0, released.size());
        } finally {
            compare.destroy();
            compare.waitFor(10, TimeUnit.SECONDS);
            compare.destroyForcibly();
        }
    }
}
