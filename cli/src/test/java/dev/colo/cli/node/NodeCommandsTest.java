package dev.colo.cli.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Setup errors of the node commands: usage errors (exit 2) that name the option and the reason. */
class NodeCommandsTest {
    private record Run(int exit, String err) {
    }

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), args);
        return new Run(exit, err.toString());
    }

    @Test
    void aMissingInterfaceIsAUsageErrorNamingTheOption() {
        Run r = run("primary", "--vm-port", "afpacket:nonexist0", "--net-port", "afpacket:nonexist1", "--listen", "127.0.0.1",
                "--checkpoint-port", "0", "--mirror-port", "0", "--redirect-port", "0");
        assertEquals(2, r.exit, r.err);
        assertTrue(r.err.contains("--vm-port") && r.err.contains("nonexist0"), r.err);
    }

    @Test
    void badSpecsAndHostsAreUsageErrors() {
        Run r = run("primary", "--vm-port", "wire:eth0", "--net-port", "afpacket:x");
        assertEquals(2, r.exit, r.err);
        assertTrue(r.err.contains("--vm-port"), r.err);
        r = run("secondary", "--primary", "nohost.invalid", "--vm-port", "afpacket:x");
        assertEquals(2, r.exit, r.err);
        assertTrue(r.err.contains("unknown host"), r.err);
        r = run("compare", "--primary-in", "bogus", "--secondary-in", "listen:127.0.0.1:1", "--outdev", "listen:127.0.0.1:2");
        assertEquals(2, r.exit, r.err);
        assertTrue(r.err.contains("listen:HOST:PORT or connect:HOST:PORT"), r.err);
        r = run("primary", "--net-port", "afpacket:x");
        assertEquals(2, r.exit, r.err);
        assertTrue(r.err.contains("--vm-port is required"), r.err);
    }

    /** Failover timing is settable and checked as a whole before anything starts: the refusal says why (issue 17). */
    @Test
    void failoverTimingThatCannotWorkIsRefusedWithTheReason() {
        Run r = run("primary", "--vm-port", "afpacket:nonexist0", "--net-port", "afpacket:nonexist1",
                "--heartbeat-interval", "100ms", "--heartbeat-misses", "5", "--lease", "300ms", "--renew-interval", "50ms");
        assertEquals(2, r.exit, r.err);
        assertTrue(r.err.contains("failover timing: lease ttl 300 ms is shorter than the heartbeat detection window 100 ms x 5 = 500 ms"), r.err);
        r = run("secondary", "--primary", "127.0.0.1", "--vm-port", "afpacket:nonexist0", "--lease", "400ms", "--renew-interval", "250ms");
        assertEquals(2, r.exit, r.err);
        assertTrue(r.err.contains("renew interval 250 ms must be below half the lease ttl 400 ms"), r.err);
        r = run("secondary", "--primary", "127.0.0.1", "--vm-port", "afpacket:nonexist0", "--lease", "30s", "--promotion-retry", "0ms");
        assertEquals(2, r.exit, r.err);
        assertTrue(r.err.contains("promotion retry must be 1..30000 ms"), r.err);
        // A valid combination passes the check: the run fails later, on the missing interface.
        r = run("primary", "--vm-port", "afpacket:nonexist0", "--net-port", "afpacket:nonexist1", "--listen", "127.0.0.1",
                "--heartbeat-interval", "20ms", "--heartbeat-misses", "3", "--lease", "150ms", "--renew-interval", "40ms",
                "--checkpoint-port", "0", "--mirror-port", "0", "--redirect-port", "0");
        assertEquals(2, r.exit, r.err);
        assertTrue(r.err.contains("--vm-port") && !r.err.contains("failover timing"), r.err);
    }
}
