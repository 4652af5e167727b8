package dev.colo.proxy.io;

import dev.colo.lab.Netns;
import dev.colo.lab.Shell;

/** A tap we own in this namespace, up, without addresses or IPv6: a quiet link with a port on each side. */
final class RootTap implements AutoCloseable {
    final TapPort tap;
    final AfPacketPort host;

    private RootTap(TapPort tap, AfPacketPort host) {
        this.tap = tap;
        this.host = host;
    }

    static RootTap open() throws Exception {
        return open(PortOptions.defaults());
    }

    /** {@code hostOptions} for the AF_PACKET port on the tap. */
    static RootTap open(PortOptions hostOptions) throws Exception {
        TapPort tap = TapPort.open(Netns.ifname("r"), PortOptions.defaults());
        try {
            String name = tap.interfaceName();
            Shell.run("sysctl", "-q", "-w", "net.ipv6.conf." + name + ".disable_ipv6=1");
            Shell.run("ip", "link", "set", name, "up");
            return new RootTap(tap, AfPacketPort.open(name, hostOptions));
        } catch (Exception e) {
            tap.close();
            throw e;
        }
    }

    @Override
    public void close() {
        host.close();
        tap.close(); // the tap disappears with its fd
    }
}
