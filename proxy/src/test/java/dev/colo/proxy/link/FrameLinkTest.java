package dev.colo.proxy.link;

import static dev.colo.proxy.link.LinkTestSupport.await;
import static dev.colo.proxy.link.LinkTestSupport.loopback;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.proxy.link.LinkTestSupport.RecordingReceiver;
import dev.colo.proxy.link.LinkTestSupport.SequenceReceiver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Links over real loopback sockets: our two ends, QEMU's format from an independent peer, and bad peers. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FrameLinkTest {

    @BeforeAll
    static void strictLeakDetection() {
        LinkTestSupport.installLeakDetector();
    }

    @AfterAll
    static void noBufferLeaked() throws InterruptedException {
        assertEquals(java.util.List.of(), LinkTestSupport.collectLeaks(), "buffers dropped without release");
    }

    private static LinkConfig config(boolean vnet) {
        return new LinkConfig().vnetHdr(vnet).reconnectDelay(Duration.ofMillis(50));
    }

    @ParameterizedTest(name = "vnet_hdr {0}")
    @ValueSource(booleans = {false, true})
    void framesOfEverySizeCrossBothWaysByteExact(boolean vnet) throws Exception {
        LinkConfig cfg = config(vnet);
        int frames = 3000;
        int[] up = LinkTestSupport.sizes(11, frames, cfg.maxPayload());
        int[] down = LinkTestSupport.sizes(22, frames, cfg.maxPayload());
        SequenceReceiver atServer = new SequenceReceiver(11, up);
        SequenceReceiver atClient = new SequenceReceiver(22, down);
        try (FrameLinkServer server = new FrameLinkServer("rt-server", loopback(0), cfg, atServer);
             FrameLinkClient client = new FrameLinkClient("rt-client", server.boundAddress(), cfg, atClient)) {
            assertTrue(client.awaitConnected(Duration.ofSeconds(5)), client.describe());
            await(server::isConnected, 5000, server::describe);
            Thread toServer = new Thread(() -> LinkTestSupport.sendSequence(client, 11, up), "to-server");
            AtomicReference<Throwable> failed = new AtomicReference<>();
            toServer.setUncaughtExceptionHandler((t, e) -> failed.set(e));
            toServer.start();
            LinkTestSupport.sendSequence(server, 22, down); // the other direction at the same time
            toServer.join(15_000);
            assertNull(failed.get(), () -> String.valueOf(failed.get()));
            await(() -> atServer.complete() && atClient.complete(), 10_000,
                    () -> "all frames; server " + server.stats() + "; client " + client.stats());
            assertNull(atServer.mismatch);
            assertNull(atClient.mismatch);
            assertEquals(frames, server.stats().framesReceived.get());
            assertEquals(frames, client.stats().framesSent.get());
            long upBytes = java.util.Arrays.stream(up).asLongStream().sum();
            assertEquals(upBytes, server.stats().bytesReceived.get());
            assertEquals(upBytes, client.stats().bytesSent.get());
            assertEquals(0, server.stats().protocolErrors.get() + client.stats().protocolErrors.get());
            assertTrue(server.describe().startsWith("rt-server on 127.0.0.1:" + server.boundAddress().getPort() + " (connected to 127.0.0.1:"),
                    server.describe());
            assertEquals("rt-client to 127.0.0.1:" + server.boundAddress().getPort() + " (connected)", client.describe());
        }
    }

    /**
     * A node's links share its loop: frames sent on the loop and flushed arrive whole and in order, and
     * closing the links closes their connections but leaves the loop running for the node's other work.
     */
    @Test
    void linksOnASharedLoopCarryFramesAndLeaveTheLoopRunningWhenClosed() throws Exception {
        LinkConfig cfg = config(false);
        int frames = 500;
        int[] sizes = LinkTestSupport.sizes(33, frames, 1514); // all queued in one task: well under the high-water mark
        SequenceReceiver atServer = new SequenceReceiver(33, sizes);
        io.netty.channel.MultiThreadIoEventLoopGroup group = new io.netty.channel.MultiThreadIoEventLoopGroup(1,
                io.netty.channel.epoll.EpollIoHandler.newFactory());
        io.netty.channel.EventLoop shared = group.next();
        try {
            FrameLinkServer server = new FrameLinkServer("shared-server", loopback(0), cfg, atServer, shared);
            FrameLinkClient client = new FrameLinkClient("shared-client", server.boundAddress(), cfg, new RecordingReceiver(), shared);
            assertTrue(client.awaitConnected(Duration.ofSeconds(5)), client.describe());
            await(server::isConnected, 5000, server::describe);
            shared.submit(() -> {
                ByteBuffer buf = ByteBuffer.allocateDirect(cfg.maxPayload());
                for (int i = 0; i < frames; i++) {
                    assertTrue(client.send(LinkTestSupport.fill(buf, 33, i, sizes[i])), "frame " + i + " refused");
                    if (i % 7 == 6) {
                        client.flush(); // written now, in the same task
                    }
                }
                client.flush();
            }).syncUninterruptibly();
            await(atServer::complete, 10_000, () -> "all frames; server " + server.stats());
            assertNull(atServer.mismatch);
            client.close();
            server.close();
            assertTrue(!client.isConnected() && !server.isConnected());
            assertEquals("still running", shared.submit(() -> "still running").get(5, java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(!group.isShuttingDown(), "closing a link stopped the node's loop");
        } finally {
            group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest(name = "vnet_hdr {0}")
    @ValueSource(booleans = {false, true})
    void anIndependentPeerInQemuFormatIsUnderstoodAndUnderstandsUs(boolean vnet, @TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(python3Available(), "python3 is needed for the interop peer");
        Path script = dir.resolve("link-qemu-peer.py");
        try (InputStream in = FrameLinkTest.class.getResourceAsStream("/link-qemu-peer.py")) {
            Files.write(script, in.readAllBytes());
        }
        RecordingReceiver echo = new RecordingReceiver();
        LinkConfig cfg = config(vnet);
        try (FrameLinkServer server = new FrameLinkServer("interop", loopback(0), cfg, echo)) {
            echo.echo = server;
            Process p = new ProcessBuilder("python3", script.toString(), "127.0.0.1", String.valueOf(server.boundAddress().getPort()),
                    vnet ? "1" : "0", String.valueOf(cfg.vnetHdrLen()), "400", "7", String.valueOf(cfg.maxFrame()))
                    .redirectErrorStream(true).start();
            try {
                assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the python peer did not finish");
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(0, p.exitValue(), out + "\nserver: " + server.stats());
                assertTrue(out.contains("ok: 400 frames"), out);
            } finally {
                p.destroyForcibly();
            }
            assertEquals(0, echo.echoRefused.get());
            assertEquals(400, server.stats().framesReceived.get());
            await(() -> echo.downs() == 1, 5000, () -> "the peer's disconnect; " + echo.events);
            assertEquals(0, server.stats().protocolErrors.get(), echo.events::toString);
        }
    }

    @Test
    void garbagePeersAreCutOffWithAClearReasonAndTheNextGoodPeerIsServed() throws Exception {
        RecordingReceiver r = new RecordingReceiver();
        try (FrameLinkServer server = new FrameLinkServer("garbage", loopback(0), config(false), r)) {
            int port = server.boundAddress().getPort();
            int errors = 0;

            // A huge length: refused as soon as its four bytes arrive (never waiting for, or allocating, 4 GiB).
            String reason = misbehave(server, r, new byte[] {-1, -1, -1, -1}, false);
            assertTrue(reason.matches("protocol error from 127\\.0\\.0\\.1:\\d+: frame length 4294967295 exceeds the maximum 69632"), reason);
            assertEquals(++errors, server.stats().protocolErrors.get());

            reason = misbehave(server, r, new byte[] {0, 0, 0, 0, 1, 2, 3}, false);
            assertTrue(reason.endsWith(": frame length 0 (QEMU never sends an empty frame)"), reason);
            assertEquals(++errors, server.stats().protocolErrors.get());

            // A length within the maximum is waited for; the peer closing first cuts the frame short.
            reason = misbehave(server, r, new byte[] {0, 1, 0, 1}, true);
            assertTrue(reason.endsWith(": connection closed in the middle of a frame (4 of 65541 bytes received)"), reason);
            assertEquals(++errors, server.stats().protocolErrors.get());

            ByteBuffer half = ByteBuffer.allocate(4 + 400).putInt(1000);
            reason = misbehave(server, r, half.array(), true);
            assertTrue(reason.endsWith(": connection closed in the middle of a frame (404 of 1004 bytes received)"), reason);
            assertEquals(++errors, server.stats().protocolErrors.get());

            reason = misbehave(server, r, new byte[] {0, 0}, true);
            assertTrue(reason.endsWith(": connection closed after 2 bytes of a frame header"), reason);
            assertEquals(++errors, server.stats().protocolErrors.get());

            byte[] noise = new byte[3000];
            new Random(5).nextBytes(noise);
            reason = misbehave(server, r, noise, true);
            assertTrue(reason.startsWith("protocol error from 127.0.0.1:"), reason);
            assertEquals(++errors, server.stats().protocolErrors.get());

            // Still listening, still serving: a good peer gets through both ways.
            RecordingReceiver atClient = new RecordingReceiver();
            try (FrameLinkClient good = new FrameLinkClient("good", loopback(port), config(false), atClient)) {
                assertTrue(good.awaitConnected(Duration.ofSeconds(5)));
                await(server::isConnected, 5000, server::describe);
                assertTrue(good.send(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14})));
                await(() -> r.frames.size() == 1, 5000, () -> "the good frame; " + r.events);
                assertTrue(server.send(ByteBuffer.wrap(new byte[60])));
                await(() -> atClient.frames.size() == 1, 5000, () -> "the reply");
                assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}, r.frames.get(0));
            }
            assertEquals(errors, server.stats().protocolErrors.get());
        }
    }

    @Test
    void aVnetHeaderThatLeavesNoFrameIsAProtocolError() throws Exception {
        RecordingReceiver r = new RecordingReceiver();
        try (FrameLinkServer server = new FrameLinkServer("vnet", loopback(0), config(true), r)) {
            byte[] bad = ByteBuffer.allocate(8 + 60).putInt(60).putInt(100).array();
            String reason = misbehave(server, r, bad, false);
            assertTrue(reason.endsWith(": vnet header length 100 leaves no room in a frame of length 60"), reason);
            assertEquals(1, server.stats().protocolErrors.get());
            // A well-formed frame in QEMU's layout: the length counts the header, which is stripped.
            byte[] good = ByteBuffer.allocate(8 + 10 + 20).putInt(30).putInt(10).put(new byte[10]).put(new byte[20]).array();
            good[8 + 10] = 42;
            try (Socket s = new Socket("127.0.0.1", server.boundAddress().getPort())) {
                s.setTcpNoDelay(true);
                // In pieces cut inside the length, the vnet_hdr_len and the header: partial frames wait for the rest.
                int[] cuts = {0, 2, 6, 13, good.length};
                for (int k = 0; k + 1 < cuts.length; k++) {
                    s.getOutputStream().write(good, cuts[k], cuts[k + 1] - cuts[k]);
                    s.getOutputStream().flush();
                    if (k + 2 < cuts.length) {
                        Thread.sleep(20); // gives a wrong early delivery the chance to show
                        assertEquals(0, r.frames.size(), "a frame delivered before its last piece " + k);
                    }
                }
                await(() -> r.frames.size() == 1, 5000, () -> "the frame; " + r.events);
            }
            assertEquals(20, r.frames.get(0).length);
            assertEquals(42, r.frames.get(0)[0]);
        }
    }

    @Test
    void aSecondPeerIsRefusedWhileTheFirstIsServed() throws Exception {
        RecordingReceiver r = new RecordingReceiver();
        try (FrameLinkServer server = new FrameLinkServer("single", loopback(0), config(false), r);
             FrameLinkClient first = new FrameLinkClient("first", server.boundAddress(), config(false), new RecordingReceiver())) {
            assertTrue(first.awaitConnected(Duration.ofSeconds(5)));
            await(server::isConnected, 5000, server::describe);
            try (Socket second = new Socket("127.0.0.1", server.boundAddress().getPort())) {
                second.setSoTimeout(5000);
                assertEquals(-1, second.getInputStream().read(), "the second peer is closed at once");
            }
            assertEquals(1, server.stats().refusedPeers.get());
            assertTrue(first.send(ByteBuffer.wrap(new byte[64])));
            await(() -> r.frames.size() == 1, 5000, () -> "the first peer's frame");
            assertEquals(1, server.stats().connects.get());
            assertEquals(0, r.downs());
        }
    }

    @Test
    void aPeerThatDoesNotReadMeetsBackPressureThenAStallReport() throws Exception {
        LinkConfig cfg = config(false).writeHighWater(256 << 10).writeLowWater(128 << 10).queueLimit(1 << 20)
                .writeStallTimeout(Duration.ofMillis(400));
        RecordingReceiver r = new RecordingReceiver();
        try (FrameLinkServer server = new FrameLinkServer("stall", loopback(0), cfg, r);
             Socket deaf = new Socket()) {
            java.util.concurrent.atomic.AtomicInteger changes = new java.util.concurrent.atomic.AtomicInteger();
            server.onWritabilityChange(changes::incrementAndGet);
            deaf.setReceiveBufferSize(4096);
            deaf.connect(server.boundAddress());
            await(server::isConnected, 5000, server::describe);
            ByteBuffer frame = ByteBuffer.allocateDirect(9000);
            // A feeder that respects back-pressure: sends while writable, then waits for the listener.
            long accepted = 0;
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline) {
                if (server.isWritable()) {
                    assertTrue(server.send(frame), "a writable link takes the frame");
                    accepted++;
                    assertTrue(accepted < 100_000, "the link never stopped being writable");
                } else {
                    Thread.sleep(20);
                    if (!server.isWritable()) {
                        break;
                    }
                }
            }
            assertFalse(server.isWritable(), "not writable while the peer reads nothing");
            assertTrue(changes.get() >= 2, "the listener heard the connection and the high-water mark: " + changes);
            assertEquals(0, server.stats().sendDropped.get(), "nothing refused while the feeder respected it");
            assertTrue(server.queuedBytes() <= (256 << 10) + 2 * 9008, "queued " + server.queuedBytes() + " stays near the high-water mark");
            // A sender that ignores it is refused at the hard limit: the buffer cannot grow without bound.
            int refused = 0;
            for (int i = 0; i < 1000 && server.isConnected(); i++) {
                if (!server.send(frame)) {
                    refused++;
                }
            }
            // (a send from another thread may overshoot by the few frames the loop is moving at that moment)
            assertTrue(refused > 0 && server.queuedBytes() <= (1 << 20) + 4 * 9008, "refused " + refused + ", queued " + server.queuedBytes());
            await(() -> r.downs() == 1, 5000, () -> "the stall report; " + r.events + "; " + server.stats());
            String reason = r.lastDown();
            assertTrue(reason.matches("link to 127\\.0\\.0\\.1:\\d+ stalled: \\d+ bytes unsent for 400 ms"), reason);
            assertFalse(server.isConnected());
            assertFalse(server.send(frame), "refused while disconnected");
        }
    }

    @Test
    void aPausedLinkReadsNothingMoreAndDeliversEverythingOnceResumedEvenAfterThePeerClosed() throws Exception {
        CountingReceiver r = new CountingReceiver();
        try (FrameLinkServer server = new FrameLinkServer("paused", loopback(0), config(false), r)) {
            server.pauseReceiving(true);
            int frames = 200_000; // 20 MB: more than the sockets' buffers hold
            try (Socket peer = new Socket()) {
                peer.connect(server.boundAddress());
                await(server::isConnected, 5000, server::describe);
                java.io.DataOutputStream out = new java.io.DataOutputStream(new java.io.BufferedOutputStream(peer.getOutputStream()));
                Thread writer = new Thread(() -> {
                    try {
                        for (int i = 0; i < frames; i++) {
                            out.writeInt(100);
                            out.writeInt(i);
                            out.write(new byte[96]);
                        }
                        out.flush();
                    } catch (java.io.IOException e) {
                        // the test fails on the count below
                    }
                });
                writer.start();
                Thread.sleep(500);
                assertEquals(0, r.count.get(), "nothing delivered while paused");
                assertTrue(writer.isAlive(), "the peer is held back by TCP while the link reads nothing");
                server.pauseReceiving(false);
                writer.join(20_000);
                assertFalse(writer.isAlive());
                server.pauseReceiving(true);
                Thread.sleep(200);
                int seen = r.count.get();
                Thread.sleep(200);
                assertEquals(seen, r.count.get(), "paused again: nothing more delivered");
            } // the peer closes while frames may still wait in the paused link
            Thread.sleep(200);
            server.pauseReceiving(false);
            await(() -> r.count.get() == frames, 10_000, () -> r.count.get() + " of " + frames + "; " + r.downs);
            assertEquals(0, r.outOfOrder.get(), "in order");
            await(() -> r.downs.size() == 1, 5000, () -> "the peer's close, after its frames");
            assertEquals(0, server.stats().protocolErrors.get(), r.downs.toString());
        }
    }

    /** Counts frames and checks that each carries the next number. */
    private static final class CountingReceiver implements FrameReceiver {
        final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger outOfOrder = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.List<String> downs = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void onFrame(ByteBuffer frame) {
            if (frame.getInt(frame.position()) != count.getAndIncrement()) {
                outOfOrder.incrementAndGet();
            }
        }

        @Override
        public void onLinkDown(String reason) {
            downs.add(reason);
        }
    }

    @Test
    void theClientReconnectsAfterTheServerRestarts() throws Exception {
        RecordingReceiver atClient = new RecordingReceiver();
        RecordingReceiver atServer1 = new RecordingReceiver();
        FrameLinkServer server1 = new FrameLinkServer("restart-1", loopback(0), config(false), atServer1);
        int port = server1.boundAddress().getPort();
        FrameLinkClient client = new FrameLinkClient("restart-client", loopback(port), config(false), atClient);
        try (client) {
            try {
                assertTrue(client.awaitConnected(Duration.ofSeconds(5)));
                assertTrue(client.send(ByteBuffer.wrap(new byte[100])));
                await(() -> atServer1.frames.size() == 1, 5000, () -> "the first frame");
            } finally {
                server1.close();
            }
            await(() -> atClient.downs() == 1, 5000, () -> "the client's link down; " + atClient.events);
            assertTrue(atClient.lastDown().startsWith("link to 127.0.0.1:" + port), atClient.lastDown());
            assertEquals(1, atServer1.downs());
            assertTrue(atServer1.lastDown().endsWith(" closed locally"), atServer1.lastDown());
            assertFalse(client.send(ByteBuffer.wrap(new byte[100])), "no server: refused");

            RecordingReceiver atServer2 = new RecordingReceiver();
            try (FrameLinkServer server2 = new FrameLinkServer("restart-2", loopback(port), config(false), atServer2)) {
                assertTrue(client.awaitConnected(Duration.ofSeconds(5)), client.describe());
                await(server2::isConnected, 5000, server2::describe);
                assertTrue(client.send(ByteBuffer.wrap(new byte[200])));
                assertTrue(server2.send(ByteBuffer.wrap(new byte[300])));
                await(() -> atServer2.frames.size() == 1 && atClient.frames.size() == 1, 5000, () -> "frames after the restart");
                assertEquals(200, atServer2.frames.get(0).length);
                assertEquals(300, atClient.frames.get(0).length);
                assertEquals(2, client.stats().connects.get());
            }
        }
        assertEquals("restart-client to 127.0.0.1:" + port + " (closed)", client.describe());
        client.close(); // twice: harmless
    }

    @Test
    void framesTheLinkCannotCarryAreDroppedNotSent() throws Exception {
        LinkConfig cfg = config(true);
        RecordingReceiver r = new RecordingReceiver();
        try (FrameLinkServer server = new FrameLinkServer("sizes", loopback(0), cfg, r);
             FrameLinkClient client = new FrameLinkClient("sizes-client", server.boundAddress(), cfg, new RecordingReceiver())) {
            assertTrue(client.awaitConnected(Duration.ofSeconds(5)));
            assertFalse(client.send(ByteBuffer.allocate(0)), "empty");
            assertFalse(client.send(ByteBuffer.allocate(cfg.maxPayload() + 1)), "with its vnet header, over QEMU's NET_BUFSIZE");
            assertTrue(client.send(ByteBuffer.allocate(cfg.maxPayload())));
            await(() -> r.frames.size() == 1, 5000, () -> "the largest frame");
            assertEquals(cfg.maxPayload(), r.frames.get(0).length);
            assertEquals(2, client.stats().sendDropped.get());
            assertEquals(0, server.stats().protocolErrors.get());
        }
    }

    @Test
    void aReceiverThatThrowsDoesNotBreakTheLink() throws Exception {
        RecordingReceiver r = new RecordingReceiver() {
            @Override
            public void onFrame(ByteBuffer frame) {
                if (frame.remaining() == 13) {
                    throw new IllegalStateException("receiver bug");
                }
                super.onFrame(frame);
            }
        };
        try (FrameLinkServer server = new FrameLinkServer("robust", loopback(0), config(false), r);
             FrameLinkClient client = new FrameLinkClient("robust-client", server.boundAddress(), config(false), new RecordingReceiver())) {
            assertTrue(client.awaitConnected(Duration.ofSeconds(5)));
            assertTrue(client.send(ByteBuffer.allocate(13)));
            assertTrue(client.send(ByteBuffer.allocate(14)));
            await(() -> r.frames.size() == 1, 5000, () -> "the frame after the failing one; " + r.events);
            assertEquals(14, r.frames.get(0).length);
            assertTrue(server.isConnected());
            assertEquals(0, r.downs());
        }
    }

    @Test
    void configIsValidated() {
        assertEquals(69632, new LinkConfig().maxFrame());
        assertEquals(12, new LinkConfig().vnetHdrLen());
        assertEquals(69620, new LinkConfig().vnetHdr(true).maxPayload());
        assertThrows(IllegalArgumentException.class, () -> new LinkConfig().writeLowWater(8 << 20).validate());
        assertThrows(IllegalArgumentException.class, () -> new LinkConfig().vnetHdrLen(-1).validate());
        assertThrows(IllegalArgumentException.class, () -> new LinkConfig().writeStallTimeout(Duration.ZERO).validate());
        assertThrows(IllegalArgumentException.class, () -> new LinkConfig().keepAliveIdle(Duration.ofMillis(500)).validate());
        assertThrows(IllegalArgumentException.class, () -> new LinkConfig().maxFrame(10).validate());
    }

    @Test
    void aPortInUseIsAClearError() throws Exception {
        try (FrameLinkServer first = new FrameLinkServer("taken", loopback(0), config(false), new RecordingReceiver())) {
            IOException e = assertThrows(IOException.class,
                    () -> new FrameLinkServer("second", first.boundAddress(), config(false), new RecordingReceiver()).close());
            assertTrue(e.getMessage().startsWith("second: cannot listen on 127.0.0.1:" + first.boundAddress().getPort()), e.getMessage());
        }
    }

    /**
     * A raw peer sends {@code bytes}, then closes ({@code thenClose}) or waits to be cut off; returns the
     * reason the server gave for the disconnect.
     */
    private static String misbehave(FrameLinkServer server, RecordingReceiver r, byte[] bytes, boolean thenClose) throws Exception {
        long downs = r.downs();
        try (Socket s = new Socket("127.0.0.1", server.boundAddress().getPort())) {
            s.setSoTimeout(5000);
            await(server::isConnected, 5000, server::describe);
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
            if (!thenClose) {
                try {
                    assertEquals(-1, s.getInputStream().read(), "the server closes the connection");
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("the server kept a garbage peer for 5 s; " + r.events, e);
                } catch (IOException reset) {
                    // closed with unread bytes: a reset is a close too
                }
            }
        }
        await(() -> r.downs() == downs + 1, 5000, () -> "the disconnect; " + r.events);
        await(() -> !server.isConnected(), 5000, server::describe);
        return r.lastDown();
    }

    private static boolean python3Available() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)")
                    .redirectErrorStream(true).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
