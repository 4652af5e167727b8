package dev.colo.proxy.io;

import dev.colo.lab.Netns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every backend must do on a real link whose far end sits in a namespace of the test's own, with
 * address {@link #NS_IP}: frames cross byte-exact both ways, our sends are not read back, the namespace's
 * kernel answers our ARP, long frames are truncated and counted, and wakeup() ends a wait.
 */
abstract class PortContract {
    static final byte[] NS_IP = {10, 88, 0, 1};
    static final byte[] OUR_IP = {10, 88, 0, 2};
    static final String NS_CIDR = "10.88.0.1/24";

    /** The port under test, and the name of the link's end inside the namespace. */
    record Attached(FramePort port, String nsInterface) {
    }

    Netns ns;
    FramePort port;
    String nsInterface;

    /** Opens the port on a link whose other end is in {@code ns} with {@link #NS_CIDR}. */
    abstract Attached attach(Netns ns) throws Exception;

    @BeforeAll
    static void facilities() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Netns.missing("python3") == null, Netns.missing("python3"));
    }

    @BeforeEach
    void setUp() throws Exception {
        ns = Netns.create("cio");
        Attached a = attach(ns);
        port = a.port();
        nsInterface = a.nsInterface();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (port != null) {
                port.close();
            }
        } finally {
            ns.close();
        }
    }

    @Test
    void receivesFramesFromTheNamespaceByteExact() throws Exception {
        byte[][] frames = {Frames.test(60, 1), Frames.test(333, 2), Frames.test(1514, 3)};
        PyFrames.inject(ns, nsInterface, frames);
        List<byte[]> got = Frames.receive(port, Frames.TEST_ETHERTYPE, 3, 3000);
        assertEquals(3, got.size(), port.describe() + " received " + got.size() + " of 3 frames; " + port.stats());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(frames[i], got.get(i), "frame " + i);
        }
        assertTrue(port.stats().received() >= 3);
    }

    @Test
    void sentFramesArriveByteExactAndAreNotReadBack() throws Exception {
        byte[][] frames = {Frames.test(60, 4), Frames.test(800, 5), Frames.test(1514, 6)};
        PyFrames.Capture capture = PyFrames.capture(ns, nsInterface, Frames.TEST_ETHERTYPE, 3);
        for (byte[] f : frames) {
            assertTrue(port.send(Frames.direct(f)), "send accepted");
        }
        List<byte[]> seen = capture.frames();
        assertEquals(3, seen.size(), "the namespace saw " + seen.size() + " of 3 frames; " + port.stats());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(frames[i], seen.get(i), "frame " + i);
        }
        assertEquals(3, port.stats().sent());
        assertEquals(List.of(), Frames.receive(port, Frames.TEST_ETHERTYPE, 1, 300), "our own frames came back");
    }

    @Test
    void arpRequestGetsTheKernelsReply() throws Exception {
        byte[] nsMac = ns.mac(nsInterface);
        assertTrue(port.send(Frames.direct(Frames.arpRequest(OUR_IP, NS_IP))));
        List<byte[]> replies = Frames.receive(port, Frames.ARP, 1, 3000);
        assertEquals(1, replies.size(), "no ARP reply; " + port.stats());
        byte[] reply = replies.get(0);
        assertArrayEquals(Frames.OUR_MAC, Arrays.copyOfRange(reply, 0, 6), "addressed to us");
        assertEquals(2, reply[21], "opcode: reply");
        assertArrayEquals(nsMac, Arrays.copyOfRange(reply, 22, 28), "sender MAC: the namespace's interface");
        assertArrayEquals(NS_IP, Arrays.copyOfRange(reply, 28, 32), "sender IP");
        assertArrayEquals(OUR_IP, Arrays.copyOfRange(reply, 38, 42), "target IP");
    }

    @Test
    void truncatesFramesLongerThanTheBufferAndCountsThem() throws Exception {
        byte[] frame = Frames.test(600, 7);
        PyFrames.inject(ns, nsInterface, frame);
        ByteBuffer small = ByteBuffer.allocateDirect(100);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        byte[] got = null;
        while (got == null && System.nanoTime() < deadline) {
            port.awaitFrame(100);
            small.clear();
            if (port.receive(small) > 0) {
                byte[] f = new byte[small.flip().remaining()];
                small.get(f);
                got = Frames.ethertype(f) == Frames.TEST_ETHERTYPE ? f : null;
            }
        }
        assertArrayEquals(Arrays.copyOf(frame, 100), got, "the first 100 bytes; " + port.stats());
        assertTrue(port.stats().truncated() >= 1, port.stats().toString());
    }

    @Test
    void wakeupEndsAWait() throws Exception {
        port.wakeup();
        long start = System.nanoTime();
        assertFalse(port.awaitFrame(5000), "a wakeup before the wait ends it at once");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1));

        CompletableFuture<Long> waited = CompletableFuture.supplyAsync(() -> {
            long t0 = System.nanoTime();
            try {
                port.awaitFrame(10_000);
            } catch (java.io.IOException e) {
                throw new RuntimeException(e);
            }
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        });
        Thread.sleep(200);
        port.wakeup();
        long millis = waited.get(5, TimeUnit.SECONDS);
        assertTrue(millis < 5000, "awaitFrame returned after " + millis + " ms");
    }
}
