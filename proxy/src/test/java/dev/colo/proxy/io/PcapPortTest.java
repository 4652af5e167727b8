package dev.colo.proxy.io;

import dev.colo.lab.Netns;
import dev.colo.lab.Shell;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** libpcap on the root end of a veth pair; and what only pcap does: filters, batched (non-immediate) mode. */
class PcapPortTest extends PortContract {
    private String rootEnd;

    @BeforeAll
    static void libpcap() {
        Assumptions.assumeTrue(Shell.quietly("sh", "-c", "ldconfig -p | grep -q libpcap.so"),
                "needs libpcap (apt-get install libpcap0.8)");
    }

    @Override
    Attached attach(Netns ns) throws Exception {
        rootEnd = Netns.ifname("c");
        String inside = ns.vethTo(rootEnd, NS_CIDR);
        return new Attached(FramePorts.open(FramePortType.PCAP, rootEnd, PortOptions.defaults()), inside);
    }

    @Test
    void aFilterLetsOnlyItsFramesThrough() throws Exception {
        port.close();
        port = FramePorts.open(FramePortType.PCAP, rootEnd, PortOptions.defaults().withPcapFilter("arp"));
        assertEquals("pcap " + rootEnd + " (filter 'arp')", port.describe());
        PyFrames.inject(ns, nsInterface, Frames.test(100, 13));
        assertTrue(port.send(Frames.direct(Frames.arpRequest(OUR_IP, NS_IP))));
        List<byte[]> replies = Frames.receive(port, Frames.ARP, 1, 3000);
        assertEquals(1, replies.size(), "no ARP reply; " + port.stats());
        assertEquals(List.of(), Frames.receive(port, Frames.TEST_ETHERTYPE, 1, 200), "the filter let a test frame through");
        assertEquals(1, port.stats().received(), "only the ARP reply passed the filter");
    }

    @Test
    void batchedModeDeliversToo() throws Exception {
        port.close();
        port = FramePorts.open(FramePortType.PCAP, rootEnd, PortOptions.defaults().withPcapImmediate(false));
        byte[] frame = Frames.test(500, 14);
        PyFrames.inject(ns, nsInterface, frame);
        List<byte[]> got = Frames.receive(port, Frames.TEST_ETHERTYPE, 1, 3000);
        assertEquals(1, got.size(), port.stats().toString());
        assertArrayEquals(frame, got.get(0));
    }
}
