package dev.colo.proxy.io;

import dev.colo.lab.Netns;
import dev.colo.lab.Shell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** AF_PACKET on the root end of a veth pair, receiving through the memory-mapped ring (the default). */
class AfPacketPortTest extends PortContract {
    private String rootEnd;

    @Override
    Attached attach(Netns ns) throws Exception {
        rootEnd = Netns.ifname("a");
        String inside = ns.vethTo(rootEnd, NS_CIDR);
        FramePort port = FramePorts.open(FramePortType.AFPACKET, rootEnd, PortOptions.defaults());
        assertTrue(((AfPacketPort) port).usesRing());
        return new Attached(port, inside);
    }

    /** A ring of 64 slots read between bursts of 40 frames: it wraps around five times, nothing lost or reordered. */
    @Test
    void aSmallRingWrapsAroundWithoutLosingOrReordering() throws Exception {
        try (AfPacketPort small = AfPacketPort.open(rootEnd, PortOptions.defaults().withSocketBufferBytes(128 << 10))) {
            int burst = 40;
            for (int round = 0; round < 8; round++) {
                byte[][] frames = new byte[burst][];
                for (int i = 0; i < burst; i++) {
                    frames[i] = Frames.test(60 + (round * burst + i) % 1400, round * burst + i);
                }
                PyFrames.inject(ns, nsInterface, frames);
                List<byte[]> got = Frames.receive(small, Frames.TEST_ETHERTYPE, burst, 3000);
                assertEquals(burst, got.size(), "round " + round + ": " + small.stats());
                for (int i = 0; i < burst; i++) {
                    assertArrayEquals(frames[i], got.get(i), "round " + round + " frame " + i);
                }
            }
        }
    }

    /** A frame longer than a ring slot (the MTU grew after the port opened) comes whole, through the socket's queue. */
    @Test
    void aFrameLongerThanASlotArrivesWhole() throws Exception {
        Shell.run("ip", "link", "set", rootEnd, "mtu", "4000");
        ns.exec("ip", "link", "set", nsInterface, "mtu", "4000");
        byte[] before = Frames.test(100, 1);
        byte[] big = Frames.test(3000, 2);
        byte[] after = Frames.test(200, 3);
        PyFrames.inject(ns, nsInterface, before, big, after);
        List<byte[]> got = Frames.receive(port, Frames.TEST_ETHERTYPE, 3, 3000);
        assertEquals(3, got.size(), port.stats().toString());
        assertArrayEquals(before, got.get(0));
        assertArrayEquals(big, got.get(1), "the 3000-byte frame, whole and in its place");
        assertArrayEquals(after, got.get(2));
        assertEquals(0, port.stats().truncated());
    }

    /** A ring that overflows drops frames in the kernel, and says so: the count a status line shows. */
    @Test
    void framesAFullRingCannotTakeAreCountedAsKernelDrops() throws Exception {
        try (AfPacketPort small = AfPacketPort.open(rootEnd, PortOptions.defaults().withSocketBufferBytes(128 << 10))) {
            assertEquals(0, small.kernelDrops());
            byte[][] frames = new byte[200][];
            for (int i = 0; i < frames.length; i++) {
                frames[i] = Frames.test(100, i);
            }
            PyFrames.inject(ns, nsInterface, frames); // 200 frames into 64 slots, nobody reading
            long drops = small.kernelDrops();
            List<byte[]> got = Frames.receive(small, Frames.TEST_ETHERTYPE, 200, 500);
            assertTrue(drops > 0, "kernel drops " + drops);
            assertTrue(got.size() <= 64, got.size() + " frames from a 64-slot ring");
            // Each test frame was received or dropped; a stray frame of the kernel's may add a drop of its own.
            assertTrue(got.size() + drops >= 200, "every frame received or counted as dropped (" + got.size() + " + " + drops + ")");
        }
    }
}
