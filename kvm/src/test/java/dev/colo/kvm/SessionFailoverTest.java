package dev.colo.kvm;

import dev.colo.lab.Netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.colo.kvm.devices.TapDevice;
import dev.colo.kvm.vmm.KvmDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Checkpoint a guest while a client holds a TCP session with it, restore the state into a second VM on
 * another tap, drop the first VM, and the same session (same socket, same process) goes on against the
 * second: the key-value state, the command count and the TCP sequence numbers all moved with it.
 */
@Timeout(120)
class SessionFailoverTest {
    @BeforeAll
    static void needsKvmTapAndTools() {
        assumeTrue(KvmDevice.available(), "/dev/kvm missing or not accessible on this machine: skipped");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "/dev/net/tun missing: skipped");
        assumeTrue((Netns.missing("ping", "socat") == null), "ip, ping or socat missing (apt-get install iproute2 iputils-ping socat): skipped");
    }

    @Test
    void anOpenTcpSessionContinuesAgainstTheRestoredVm() throws Exception {
        try (Netns ns = GuestNetworkTest.clientBehindBridge();
             MicroVm first = GuestNetworkTest.boot(TapDevice.open(Netns.ifname("a")));
             MicroVm second = GuestNetworkTest.boot(TapDevice.open(Netns.ifname("b")))) {
            GuestNetworkTest.plug(ns, (TapDevice) first.net().backend());
            first.resume();
            assertNotNull(first.console().await("colo-guest: up", 10_000), "boot banner");
            try (GuestNetworkTest.Session s = GuestNetworkTest.Session.open(ns)) {
                assertEquals("OK", s.ask("SET owner first"));
                assertEquals("1", s.ask("INCR n"));

                // Pre-copy while running, then the session goes on, then the delta while paused.
                StateTransfer.copy(first.captureFull(), second);
                assertEquals("2", s.ask("INCR n"));
                assertEquals("OK", s.ask("SET stage delta"));
                first.pause();
                StateTransfer.copy(first.captureDelta(), second);
                first.close(); // its tap vanishes with it

                GuestNetworkTest.plug(ns, (TapDevice) second.net().backend());
                second.resume();
                assertEquals("VALUE first", s.ask("GET owner"), "state set before the full capture");
                assertEquals("VALUE delta", s.ask("GET stage"), "state set between full and delta");
                assertEquals("3", s.ask("INCR n"));
                assertEquals("8", s.ask("COUNT"), "commands served across both VMs, this one included");
                String big = s.ask("BLOB 200000");
                assertEquals(200_000, big.length());
                assertTrue(big.startsWith("abcdefghijklmnopqrstuvwxyzabc"));
                assertEquals("BYE", s.ask("QUIT"));
            }
            assertNull(second.stopped());
            String ping = ns.exec("ping", "-c", "2", "-W", "2", "10.77.0.2");
            assertTrue(ping.contains("2 received"), ping);
        }
    }
}
