package dev.colo.kvm;

import dev.colo.lab.Netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.colo.kvm.devices.TapDevice;
import dev.colo.kvm.guest.GuestImage;
import dev.colo.kvm.vmm.KvmDevice;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bundled guest on a real TAP device, reached from a client namespace through a bridge with
 * ordinary tools: ping, socat (UDP and TCP).
 */
@Timeout(120)
class GuestNetworkTest {
    @BeforeAll
    static void needsKvmTapAndTools() {
        assumeTrue(KvmDevice.available(), "/dev/kvm missing or not accessible on this machine: skipped");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "/dev/net/tun missing: skipped");
        assumeTrue((Netns.missing("ping", "socat") == null), "ip, ping or socat missing (apt-get install iproute2 iputils-ping socat): skipped");
    }

    /** A client namespace with a bridge at 10.77.0.1/24; taps join it with {@link #plug}. */
    static Netns clientBehindBridge() throws Exception {
        Netns ns = Netns.create("ckc");
        ns.exec("ip", "link", "add", "br0", "type", "bridge");
        ns.exec("ip", "addr", "add", "10.77.0.1/24", "dev", "br0");
        ns.exec("ip", "link", "set", "br0", "up");
        return ns;
    }

    static void plug(Netns ns, TapDevice tap) throws Exception {
        ns.adopt(tap.name());
        ns.exec("ip", "link", "set", tap.name(), "master", "br0");
        ns.exec("ip", "link", "set", tap.name(), "up");
    }

    static MicroVm boot(TapDevice tap) throws Exception {
        MicroVm vm = MicroVm.create(MicroVmConfig.of(GuestImage.bundled(), tap));
        return vm;
    }

    @Test
    void theGuestAnswersPingUdpAndTcpThroughABridge() throws Exception {
        try (Netns ns = clientBehindBridge(); MicroVm vm = boot(TapDevice.open(Netns.ifname("t")))) {
            plug(ns, (TapDevice) vm.net().backend());
            vm.resume();
            assertNotNull(vm.console().await("colo-guest: up", 10_000), "boot banner; console: " + vm.console().lines());
            String ping = ns.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.77.0.2");
            assertTrue(ping.contains("3 received"), ping);
            String big = ns.exec("ping", "-c", "2", "-s", "1400", "-W", "2", "10.77.0.2");
            assertTrue(big.contains("2 received"), big);

            String udp = ns.exec("sh", "-c", "echo hello-udp | socat -t 2 - UDP:10.77.0.2:7");
            assertEquals("hello-udp", udp.trim());

            try (Session s = Session.open(ns)) {
                assertEquals("OK", s.ask("SET colour blue"));
                assertEquals("VALUE blue", s.ask("GET colour"));
                assertEquals("1", s.ask("INCR hits"));
                assertEquals("2", s.ask("INCR hits"));
                assertEquals("NOTFOUND", s.ask("GET nothing"));
                assertEquals("echo me", s.ask("ECHO echo me"));
                assertTrue(s.ask("TSC").matches("\\d+"));
                assertEquals("ERR unknown command", s.ask("FROB"));
                assertEquals("BYE", s.ask("QUIT"));
            }
            assertNull(vm.stopped());
        }
    }

    /** A TCP session to the guest's line service through socat running in the client namespace. */
    static final class Session implements AutoCloseable {
        private final Process socat;
        private final OutputStream in;
        private final BufferedReader out;

        private Session(Process socat) {
            this.socat = socat;
            this.in = socat.getOutputStream();
            this.out = new BufferedReader(new InputStreamReader(socat.getInputStream(), StandardCharsets.UTF_8));
        }

        static Session open(Netns ns) throws Exception {
            return new Session(ns.startMerged("socat", "-", "TCP:10.77.0.2:9000,connect-timeout=5"));
        }

        String ask(String line) throws Exception {
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            String answer = out.readLine();
            if (answer == null) {
                throw new AssertionError("connection closed after '" + line + "'");
            }
            return answer;
        }

        @Override
        public void close() {
            socat.destroyForcibly();
        }
    }
}
