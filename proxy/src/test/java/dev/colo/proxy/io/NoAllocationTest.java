package dev.colo.proxy.io;

import dev.colo.lab.Netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The AF_PACKET and TAP paths allocate nothing per frame: the heap this thread allocates stays flat. */
class NoAllocationTest {
    private static final int FRAMES = 20_000;

    @Test
    void sendReceiveAwaitAllocateNothing() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Netns.missing("python3") == null, Netns.missing("python3"));
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun (modprobe tun)");
        Assumptions.assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "needs a JVM that counts allocated bytes per thread");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (RootTap link = RootTap.open()) {
            ByteBuffer frame = Frames.direct(Frames.test(200, 11));
            ByteBuffer buffer = ByteBuffer.allocateDirect(FramePorts.MAX_FRAME);
            ByteBuffer small = ByteBuffer.allocateDirect(1600); // the tap's scratch path
            roundTrips(link, frame, buffer, small, FRAMES); // warm up: JIT, first-use lookups
            long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            int moved = roundTrips(link, frame, buffer, small, FRAMES);
            long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            System.out.printf("[alloc] %d frames each way through tap and AF_PACKET: %d bytes allocated%n", moved, allocated);
            assertEquals(2 * FRAMES, moved);
            assertTrue(allocated < 16 * 1024, allocated + " bytes allocated for " + moved + " frames");
        }
    }

    /** Tap to AF_PACKET and back, one frame at a time; returns the frames that arrived. */
    private static int roundTrips(RootTap link, ByteBuffer frame, ByteBuffer buffer, ByteBuffer small, int count) throws Exception {
        int moved = 0;
        for (int i = 0; i < count; i++) {
            link.tap.send(frame);
            moved += receiveOne(link.host, buffer);
            link.host.send(frame);
            moved += receiveOne(link.tap, (i & 1) == 0 ? buffer : small);
        }
        return moved;
    }

    private static int receiveOne(FramePort port, ByteBuffer into) throws Exception {
        for (int tries = 0; tries < 100; tries++) {
            into.clear();
            if (port.receive(into) > 0) {
                return 1;
            }
            port.awaitFrame(50);
        }
        return 0;
    }
}
