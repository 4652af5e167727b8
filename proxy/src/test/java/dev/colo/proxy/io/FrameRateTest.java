package dev.colo.proxy.io;

import dev.colo.lab.Netns;
import dev.colo.lab.Shell;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End-to-end frame rates, one port sending as fast as it can and another receiving on the far side of a
 * quiet link. Prints the figures; asserts only that frames flowed (timing depends on the machine).
 */
class FrameRateTest {
    private static final long SEND_MILLIS = 500;
    private static final int FRAME = 60;

    @BeforeAll
    static void facilities() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Netns.missing("python3") == null, Netns.missing("python3"));
    }

    @Test
    void afpacketToAfpacketOverVeth() throws Exception {
        try (VethPair veth = VethPair.create()) {
            try (FramePort a = AfPacketPort.open(veth.a, PortOptions.defaults());
                 FramePort b = AfPacketPort.open(veth.b, PortOptions.defaults())) {
                measure("afpacket -> veth -> afpacket", a, b);
            }
        }
    }

    @Test
    void tapAndAfpacketOnOneTap() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun (modprobe tun)");
        try (RootTap link = RootTap.open()) {
            measure("tap write -> afpacket on the tap", link.tap, link.host);
            measure("afpacket on the tap -> tap read", link.host, link.tap);
        }
    }

    @Test
    void pcapToPcapOverVeth() throws Exception {
        Assumptions.assumeTrue(Shell.quietly("sh", "-c", "ldconfig -p | grep -q libpcap.so"), "needs libpcap (apt-get install libpcap0.8)");
        try (VethPair veth = VethPair.create()) {
            try (FramePort a = PcapPort.open(veth.a, PortOptions.defaults());
                 FramePort b = PcapPort.open(veth.b, PortOptions.defaults())) {
                measure("pcap -> veth -> pcap", a, b);
            }
        }
    }

    private static void measure(String what, FramePort tx, FramePort rx) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong received = new AtomicLong();
        AtomicLong receiverCpuNanos = new AtomicLong();
        Thread receiver = new Thread(() -> {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpu0 = threads.getCurrentThreadCpuTime();
            ByteBuffer buffer = ByteBuffer.allocateDirect(FramePorts.MAX_FRAME);
            try {
                while (!stop.get()) {
                    if (rx.awaitFrame(100)) {
                        while (rx.receive(buffer.clear()) > 0) {
                            received.incrementAndGet();
                            buffer.clear();
                        }
                    }
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
            receiverCpuNanos.set(threads.getCurrentThreadCpuTime() - cpu0);
        });
        receiver.start();
        ByteBuffer frame = Frames.direct(Frames.test(FRAME, 1));
        long sent = 0;
        long drops = 0;
        long start = System.nanoTime();
        long end = start + SEND_MILLIS * 1_000_000;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 64; i++) {
                if (tx.send(frame)) {
                    sent++;
                } else {
                    drops++;
                    Thread.onSpinWait();
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Thread.sleep(300); // let the receiver drain
        stop.set(true);
        rx.wakeup();
        receiver.join(2000);
        System.out.printf("[rate] %-34s %d-byte frames: sent %,.0f/s, received %,.0f/s (%d of %d; %d send drops);"
                        + " receiver CPU %.2f us/frame%n", what, FRAME, sent / seconds, received.get() / seconds, received.get(), sent,
                drops, receiverCpuNanos.get() / 1e3 / Math.max(1, received.get()));
        if (rx instanceof AfPacketPort afpacket) {
            System.out.printf("[rate] %-34s kernel drops at the receiver: %d%n", "", afpacket.kernelDrops());
        }
        assertTrue(received.get() > 0, what + ": nothing arrived; " + rx.stats());
    }

    /** Two veth ends in this namespace, up, no addresses, no IPv6: nothing but our frames on the link. */
    private record VethPair(String a, String b) implements AutoCloseable {
        static VethPair create() throws Exception {
            VethPair v = new VethPair(Netns.ifname("v"), Netns.ifname("w"));
            Shell.run("ip", "link", "add", v.a, "type", "veth", "peer", "name", v.b);
            try {
                for (String end : new String[] {v.a, v.b}) {
                    Shell.run("sysctl", "-q", "-w", "net.ipv6.conf." + end + ".disable_ipv6=1");
                    Shell.run("ip", "link", "set", end, "up");
                }
            } catch (Exception e) {
                v.close();
                throw e;
            }
            return v;
        }

        @Override
        public void close() {
            Shell.quietly("ip", "link", "del", a); // takes the peer with it
        }
    }
}
