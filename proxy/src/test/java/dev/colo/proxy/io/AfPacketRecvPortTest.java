package dev.colo.proxy.io;

import dev.colo.lab.Netns;

import static org.junit.jupiter.api.Assertions.assertFalse;

/** AF_PACKET without the receive ring: one recv per frame, the same contract. */
class AfPacketRecvPortTest extends PortContract {
    @Override
    Attached attach(Netns ns) throws Exception {
        String root = Netns.ifname("r");
        String inside = ns.vethTo(root, NS_CIDR);
        AfPacketPort port = AfPacketPort.open(root, PortOptions.defaults().withRxRing(false));
        assertFalse(port.usesRing());
        return new Attached(port, inside);
    }
}
