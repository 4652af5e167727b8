package dev.colo.proxy.io;

import dev.colo.lab.Netns;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/** A tap we create, then move into the namespace: the fd keeps working across namespaces. */
class TapPortTest extends PortContract {
    @BeforeAll
    static void tun() {
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun (modprobe tun)");
    }

    @Override
    Attached attach(Netns ns) throws Exception {
        String tap = Netns.ifname("t");
        TapPort port = TapPort.open(tap, PortOptions.defaults());
        try {
            ns.adopt(tap, NS_CIDR);
        } catch (Exception e) {
            port.close();
            throw e;
        }
        return new Attached(port, tap);
    }
}
