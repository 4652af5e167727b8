package dev.colo.proxy.io;

/** AF_PACKET on the root end of a veth pair. */
class AfPacketPortTest extends PortContract {
    @Override
    Attached attach(Netns ns) throws Exception {
        String root = Netns.ifname("a");
        String inside = ns.vethTo(root, NS_CIDR);
        return new Attached(FramePorts.open(FramePortType.AFPACKET, root, PortOptions.defaults()), inside);
    }
}
