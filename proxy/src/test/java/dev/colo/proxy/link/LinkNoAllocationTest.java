package dev.colo.proxy.link;

import static dev.colo.proxy.link.LinkTestSupport.await;
import static dev.colo.proxy.link.LinkTestSupport.loopback;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.ResourceLeakDetector;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Frames through a link allocate nothing per frame on the links' threads: the receiving loop copies each
 * frame into one reused buffer, the sending loop (which queues them, as a node's loop does) writes buffers
 * from its own pool cache. Leak detection is off here (it
 * allocates a trace for sampled buffers by design); FrameLinkTest runs with it at its strictest.
 */
class LinkNoAllocationTest {
    private static final int FRAMES = 20_000;
    private static ResourceLeakDetector.Level previous;

    @BeforeAll
    static void noLeakTracking() {
        LinkTestSupport.loopback(0); // its static set-up turns tracking to paranoid: let it run first
        previous = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }

    @AfterAll
    static void restore() {
        ResourceLeakDetector.setLevel(previous);
    }

    @Test
    void receivingAndWritingFramesAllocateNothingPerFrame() throws Exception {
        Assumptions.assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "needs a JVM that counts allocated bytes per thread");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        AtomicLong received = new AtomicLong();
        FrameReceiver counting = new FrameReceiver() {
            @Override
            public void onFrame(ByteBuffer frame) {
                received.addAndGet(frame.remaining() == 200 ? 1 : 1_000_000); // a wrong length shows as a huge count
            }
        };
        LinkConfig cfg = new LinkConfig();
        try (FrameLinkServer server = new FrameLinkServer("alloc-server", loopback(0), cfg, counting);
             FrameLinkClient client = new FrameLinkClient("alloc-client", server.boundAddress(), cfg, new LinkTestSupport.RecordingReceiver())) {
            assertTrue(client.awaitConnected(Duration.ofSeconds(5)));
            await(server::isConnected, 5000, server::describe);
            long serverThread = server.loop.submit(() -> Thread.currentThread().getId()).get();
            long clientThread = client.loop.submit(() -> Thread.currentThread().getId()).get();
            ByteBuffer frame = ByteBuffer.allocateDirect(200);
            send(client, frame, received, FRAMES); // warm up: JIT, pool chunks, epoll arrays
            long serverBefore = threads.getThreadAllocatedBytes(serverThread);
            long clientBefore = threads.getThreadAllocatedBytes(clientThread);
            send(client, frame, received, FRAMES);
            long serverAllocated = threads.getThreadAllocatedBytes(serverThread) - serverBefore;
            long clientAllocated = threads.getThreadAllocatedBytes(clientThread) - clientBefore;
            System.out.printf("[alloc] %d frames over a link: receiving loop %d bytes, sending loop %d bytes%n",
                    FRAMES, serverAllocated, clientAllocated);
            assertEquals(2L * FRAMES, received.get(), "every frame arrived with its length");
            assertTrue(serverAllocated < 16 * 1024, "receiving loop allocated " + serverAllocated + " bytes for " + FRAMES + " frames");
            // What remains on the sending loop (~13 bytes per frame, found with JFR) is Netty's Recycler growing the
            // queue of its returned buffer objects in chunks. A ByteBuffer view per frame (48 bytes) would fail this.
            assertTrue(clientAllocated < 24L * FRAMES, "sending loop allocated " + clientAllocated + " bytes for " + FRAMES + " frames");
        }
    }

    /** Sends from the link's own loop, as a node does (its buffers are then allocated and freed on one thread). */
    private static void send(FrameLinkClient link, ByteBuffer frame, AtomicLong received, int count) throws Exception {
        int chunk = 200;
        for (int sent = 0; sent < count; sent += chunk) {
            long target = received.get() + chunk;
            link.loop.submit(() -> {
                for (int i = 0; i < chunk; i++) {
                    frame.clear();
                    assertTrue(link.send(frame), "refused below the high-water mark");
                }
                link.flush();
            }).get();
            await(() -> received.get() >= target, 10_000, () -> "frames received: " + received.get() + " of " + target);
        }
    }
}
