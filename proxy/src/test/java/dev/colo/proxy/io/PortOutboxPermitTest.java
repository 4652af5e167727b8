package dev.colo.proxy.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.lab.Netns;
import dev.colo.lab.Shell;
import dev.colo.proxy.node.PortOutbox;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The release permit is asked per frame (issue 17): a node resuming from a freeze sends nothing the permit refuses,
 * even before any fence callback ran (nothing called {@code hold}); what it refuses waits, in order, and leaves once
 * the permit allows again. Over a real veth pair, sending on one end and capturing on the other.
 */
class PortOutboxPermitTest {
    private String sendEnd;
    private String captureEnd;
    private FramePort out;
    private FramePort capture;

    @BeforeEach
    void veth() throws Exception {
        Assumptions.assumeTrue(Shell.run(false, "ip", "-V").exit() == 0, "needs iproute2");
        sendEnd = Netns.ifname("po");
        captureEnd = Netns.ifname("pc");
        Shell.run("ip", "link", "add", sendEnd, "type", "veth", "peer", "name", captureEnd);
        Shell.run("ip", "link", "set", sendEnd, "up");
        Shell.run("ip", "link", "set", captureEnd, "up");
        out = FramePorts.open(FramePortType.AFPACKET, sendEnd, PortOptions.defaults());
        capture = FramePorts.open(FramePortType.AFPACKET, captureEnd, PortOptions.defaults());
    }

    @AfterEach
    void removeVeth() throws Exception {
        for (FramePort p : new FramePort[] {out, capture}) {
            if (p != null) {
                p.close();
            }
        }
        Shell.run(false, "ip", "link", "del", sendEnd);
    }

    @Test
    void framesThePermitRefusesWaitInOrderAndLeaveOnceItAllows() throws Exception {
        java.util.concurrent.atomic.AtomicLong released = new java.util.concurrent.atomic.AtomicLong();
        PortOutbox outbox = new PortOutbox(out, FramePorts.MAX_FRAME, released);
        AtomicBoolean permit = new AtomicBoolean(true);
        outbox.guard(permit::get);
        byte[][] frames = new byte[5][];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = Frames.test(100 + i, i);
        }
        assertTrue(outbox.send(frames[0], 0, frames[0].length, 0));
        assertArrayEquals(frames[0], Frames.receive(capture, Frames.TEST_ETHERTYPE, 1, 2000).get(0), "allowed: sent at once");

        permit.set(false); // e.g. the lease ran out while the node was frozen: no callback has run yet
        for (int i = 1; i < frames.length; i++) {
            assertTrue(outbox.send(frames[i], 0, frames[i].length, 0), "kept, not dropped");
        }
        assertEquals(frames.length - 1, outbox.waiting());
        assertEquals(1, released.get(), "a frame that waits is not counted as released: it is not output yet");
        assertTrue(outbox.blocked(), "its sources must pause");
        assertTrue(!outbox.retry(), "a retry sends nothing either");
        assertEquals(0, Frames.receive(capture, Frames.TEST_ETHERTYPE, 1, 300).size(), "nothing left while refused");

        permit.set(true);
        assertTrue(outbox.retry(), "everything waiting leaves");
        List<byte[]> got = Frames.receive(capture, Frames.TEST_ETHERTYPE, frames.length - 1, 2000);
        assertEquals(frames.length - 1, got.size());
        for (int i = 1; i < frames.length; i++) {
            assertArrayEquals(frames[i], got.get(i - 1), "frame " + i + " in order");
        }
        assertEquals(0, outbox.dropped.get());
        assertEquals(frames.length, released.get(), "each counted once it left");
    }
}
