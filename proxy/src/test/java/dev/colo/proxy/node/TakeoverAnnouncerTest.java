package dev.colo.proxy.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.compare.packet.FrameBuilder;
import dev.colo.lab.Netns;
import dev.colo.lab.Shell;
import dev.colo.proxy.io.FramePort;
import dev.colo.proxy.io.FramePortType;
import dev.colo.proxy.io.FramePorts;
import dev.colo.proxy.io.PortOptions;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The takeover announcement is accepted by a real neighbour (issue 17): a Linux namespace on the other end of a veth
 * holds stale cache entries for the VM's IPv4 and IPv6 addresses with an old MAC; after the announcer learned the
 * addresses from the VM's own frames and announced them, the kernel's ARP and neighbour caches name the new MAC.
 */
class TakeoverAnnouncerTest {
    private static final byte[] VM_MAC = {0x02, 0x00, 0x00, 0x77, 0x00, 0x02};
    private static final String OLD_MAC = "02:00:00:77:00:99";
    private static final String VM_IP = "10.87.0.2";
    private static final String VM_IP6 = "fd00:87::2";

    private Netns lan;
    private String rootEnd;
    private FramePort port;

    @BeforeEach
    void neighbour() throws Exception {
        String missing = Netns.missingFacilities();
        Assumptions.assumeTrue(missing == null, missing);
        lan = Netns.create("ta");
        rootEnd = Netns.ifname("ta");
        String inside = lan.vethTo(rootEnd, "10.87.0.1/24");
        // Namespaces are made with IPv6 off (no stray traffic in the other tests): on for this one.
        lan.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=0", "net.ipv6.conf." + inside + ".disable_ipv6=0");
        lan.exec("ip", "-6", "addr", "add", "fd00:87::1/64", "dev", inside, "nodad");
        lan.exec("ip", "neigh", "replace", VM_IP, "lladdr", OLD_MAC, "dev", inside, "nud", "stale");
        lan.exec("ip", "-6", "neigh", "replace", VM_IP6, "lladdr", OLD_MAC, "dev", inside, "nud", "stale");
        port = FramePorts.open(FramePortType.AFPACKET, rootEnd, PortOptions.defaults());
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (port != null) {
            port.close();
        }
        if (lan != null) {
            lan.close();
        }
        Shell.run(false, "ip", "link", "del", rootEnd);
    }

    @Test
    void neighboursLearnTheNewPortForEveryIpv4AndIpv6AddressTheVmUsed() throws Exception {
        TakeoverAnnouncer announcer = new TakeoverAnnouncer();
        byte[] b = new byte[256];
        byte[] payload = new byte[8];
        FrameBuilder fromVm = new FrameBuilder().macs(VM_MAC, FrameBuilder.DEFAULT_CLIENT_MAC);
        int len = fromVm.udp4(b, 0, FrameBuilder.ipv4(10, 87, 0, 2), FrameBuilder.ipv4(10, 87, 0, 1), 7, 9, payload, 0, 8);
        announcer.learn(ByteBuffer.wrap(b, 0, len));
        byte[] ip6 = InetAddress.getByName(VM_IP6).getAddress();
        byte[] peer6 = InetAddress.getByName("fd00:87::1").getAddress();
        for (int i = 0; i < 3; i++) { // the same addresses again: learned once
            len = fromVm.udp6(b, 0, ip6, peer6, 7, 9, payload, 0, 8);
            announcer.learn(ByteBuffer.wrap(b, 0, len));
        }
        len = fromVm.udp6(b, 0, new byte[16], peer6, 7, 9, payload, 0, 8); // unspecified source (DAD): not an address
        announcer.learn(ByteBuffer.wrap(b, 0, len));
        assertEquals(2, announcer.known());

        assertEquals(2, announcer.announce(port));
        String newMac = "02:00:00:77:00:02";
        long deadline = System.currentTimeMillis() + 3000;
        String v4 = "";
        String v6 = "";
        while (System.currentTimeMillis() < deadline) {
            v4 = lan.exec("ip", "neigh", "show", VM_IP);
            v6 = lan.exec("ip", "-6", "neigh", "show", VM_IP6);
            if (v4.contains(newMac) && v6.contains(newMac)) {
                break;
            }
            Thread.sleep(50);
        }
        assertTrue(v4.contains(newMac), "the ARP cache after the gratuitous ARP: " + v4);
        assertTrue(v6.contains(newMac), "the neighbour cache after the unsolicited advertisement: " + v6);
    }
}
