package dev.colo.proxy.io;

import dev.colo.lab.Netns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A tap in this namespace with an AF_PACKET port on it: what only a quiet local link can show. */
class RootTapTest {
    @BeforeAll
    static void facilities() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Netns.missing("python3") == null, Netns.missing("python3"));
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun (modprobe tun)");
    }

    /**
     * A frame longer than the MTU (what GRO hands AF_PACKET when offloads are on): a tap accepts one written
     * to it, so an AF_PACKET socket on the tap sees it; it is delivered whole and counted as oversize.
     */
    @Test
    void framesAboveTheMtuAreDeliveredAndCounted() throws Exception {
        try (RootTap link = RootTap.open()) {
            byte[] big = Frames.test(3000, 9);
            byte[] normal = Frames.test(1514, 10);
            link.tap.send(Frames.direct(big));
            link.tap.send(Frames.direct(normal));
            List<byte[]> got = Frames.receive(link.host, Frames.TEST_ETHERTYPE, 2, 3000);
            assertEquals(2, got.size(), link.host.stats().toString());
            assertArrayEquals(big, got.get(0));
            assertArrayEquals(normal, got.get(1));
            assertEquals(1, link.host.stats().oversize(), link.host.stats().toString());
            assertEquals(0, link.host.stats().truncated());
        }
    }

    @Test
    void framesTheKernelDropsForAFullQueueAreCounted() throws Exception {
        try (RootTap link = RootTap.open(PortOptions.defaults().withSocketBufferBytes(16 * 1024))) {
            ByteBuffer frame = Frames.direct(Frames.test(1000, 12));
            int sent = 0;
            for (int i = 0; i < 500; i++) {
                sent += link.tap.send(frame) ? 1 : 0; // nobody receives meanwhile: the small queue overflows
            }
            int received = Frames.receive(link.host, Frames.TEST_ETHERTYPE, sent, 500).size();
            long drops = link.host.kernelDrops();
            assertTrue(drops > 0, "no drops with a 16 KiB queue; received " + received + " of " + sent);
            assertEquals(sent, received + drops, "every frame either received or counted as dropped");
        }
    }
}
