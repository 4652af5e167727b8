package dev.colo.cli.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.compare.packet.FrameBuilder;
import dev.colo.proxy.link.FrameLinkClient;
import dev.colo.proxy.link.LinkConfig;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static byte[] udp(String text) {
        byte[] f = new byte[256];
        byte[] p = text.getBytes();
        int n = new FrameBuilder().udp4(f, 0, FrameBuilder.ipv4(10, 0, 0, 2), FrameBuilder.ipv4(10, 0, 0, 1), 7, 4000, p, 0, p.length);
        return Arrays.copyOf(f, n);
    }

    @Test
    void identicalOutputLeavesAndADivergenceWaitsForTheCheckpointCommand() throws Exception {
        int pIn = freePort();
        int sIn = freePort();
        int out = freePort();
        Path marker = tmp.resolve("checkpointed");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "dev.colo.cli.Main", "compare",
                "--primary-in", "listen:127.0.0.1:" + pIn, "--secondary-in", "listen:127.0.0.1:" + sIn,
                "--outdev", "listen:127.0.0.1:" + out, "--checkpoint-command", "touch " + marker, "--stats-interval", "0"));
        Process compare = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("compare.log").toFile()).start();
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
            byte[] same = udp("same answer");
            primary.send(ByteBuffer.wrap(same));
            secondary.send(ByteBuffer.wrap(same));
            byte[] first = released.poll(10, TimeUnit.SECONDS);
            assertNotNull(first, "the agreed datagram left on outdev\n" + Files.readString(tmp.resolve("compare.log")));
            assertArrayEquals(same, first);

            byte[] pvm = udp("pvm says 1");
            primary.send(ByteBuffer.wrap(pvm));
            secondary.send(ByteBuffer.wrap(udp("svm says 2")));
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
