package dev.colo.checkpoint.arbiter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Issue 17: a (re)started witness (with its quiet period on) grants no takeover for one lease period plus the handover margin, only renewals. */
class WitnessRestartTest {
    private static final String CLUSTER = "colo";
    private static final Duration TTL = Duration.ofSeconds(2); // long enough for real round trips inside it
    private static final Duration IO_TIMEOUT = Duration.ofMillis(500);

    @Test
    void theLeaseTableRefusesTakeoversButNotRenewalsDuringItsQuietPeriod() {
        AtomicLong now = new AtomicLong(1_000_000);
        LeaseTable t = new LeaseTable(now::get, LeaseListener.NONE, LeaseTable.DEFAULT_MAX_CLUSTERS);
        t.startQuietPeriod();
        LeaseTable.Outcome takeover = t.claim(CLUSTER, "svm", 1000, false);
        assertFalse(takeover.accepted());
        assertEquals(LeaseTable.RESTARTED_HOLDER, takeover.lease().holder());
        assertEquals(1500, takeover.lease().remainingMillis(), "refused for the whole quiet period: ttl x 1.5");
        assertTrue(t.claim(CLUSTER + "2", "pvm", 1000, true).accepted(), "a renewal re-establishes the lease");
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1499));
        assertFalse(t.claim(CLUSTER, "svm", 1000, false).accepted(), "still quiet 1 ms before the end");
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        assertTrue(t.claim(CLUSTER, "svm", 1000, false).accepted(), "a free lease goes to a claim after the quiet period");
    }

    @Test
    void aRestartedWitnessRefusesATakeoverDuringItsFirstLeasePeriod() throws Exception {
        AtomicLong witnessClock = new AtomicLong(System.nanoTime());
        List<LeaseEvent> log = new CopyOnWriteArrayList<>();
        WitnessServer first = new WitnessServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                witnessClock::get, log::add, WitnessServer.Limits.DEFAULTS).restartQuietPeriod(true);
        InetSocketAddress at = first.start();
        try (first; WitnessArbiter primary = new WitnessArbiter(at, TTL, IO_TIMEOUT)) {
            Decision early = primary.requestPromotion(CLUSTER, "pvm-node", Duration.ofMillis(300));
            assertFalse(early.granted(), "a fresh witness is quiet too: " + early.reason());
            witnessClock.addAndGet(TTL.multipliedBy(2).toNanos()); // past the first start's own quiet period
            assertTrue(primary.renew(CLUSTER, "pvm-node"), "the primary holds the lease");
        }
        // The witness restarts (same port, leases forgotten); the primary's process is gone too: nobody renews.
        try (WitnessServer second = new WitnessServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), at.getPort()),
                witnessClock::get, log::add, WitnessServer.Limits.DEFAULTS).restartQuietPeriod(true);
             WitnessArbiter secondary = new WitnessArbiter(at, TTL, IO_TIMEOUT)) {
            second.start();
            Decision d = secondary.requestPromotion(CLUSTER, "svm-node", Duration.ofMillis(300));
            assertFalse(d.granted(), d.reason());
            assertTrue(d.reason().contains(LeaseTable.RESTARTED_HOLDER), d.reason());
            witnessClock.addAndGet(TTL.toNanos()); // one lease period later: the old lease may still be trusted
            assertFalse(secondary.requestPromotion(CLUSTER, "svm-node", Duration.ofMillis(300)).granted());
            witnessClock.addAndGet(TTL.dividedBy(2).toNanos()); // ttl x 1.5: whatever the old run granted is over
            Decision later = secondary.requestPromotion(CLUSTER, "svm-node", Duration.ofMillis(300));
            assertTrue(later.granted(), later.reason());
        }
    }

    @Test
    void theOldPrimaryRenewsAtOnceAfterAWitnessRestartAndKeepsTheSecondaryOut() throws Exception {
        AtomicLong witnessClock = new AtomicLong(System.nanoTime());
        WitnessServer first = new WitnessServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                witnessClock::get, LeaseListener.NONE, WitnessServer.Limits.DEFAULTS).restartQuietPeriod(true);
        InetSocketAddress at = first.start();
        try (WitnessArbiter primary = new WitnessArbiter(at, TTL, IO_TIMEOUT);
             WitnessArbiter secondary = new WitnessArbiter(at, TTL, IO_TIMEOUT)) {
            witnessClock.addAndGet(TTL.multipliedBy(2).toNanos());
            assertTrue(primary.renew(CLUSTER, "pvm-node"));
            first.close();
            try (WitnessServer second = new WitnessServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), at.getPort()),
                    witnessClock::get, LeaseListener.NONE, WitnessServer.Limits.DEFAULTS).restartQuietPeriod(true)) {
                second.start();
                // Its lease is still trusted on its own clock: it sends RENEW, which the quiet period grants.
                // The first renewal may only find its old connection dead (the lease is still trusted: true);
                // the next ones reach the new witness.
                for (int i = 0; i < 3; i++) {
                    assertTrue(primary.renew(CLUSTER, "pvm-node"), "the holder renews through the quiet period");
                }
                assertTrue(primary.fenceDelayNanos(CLUSTER, "pvm-node") > 0, "and is not fenced");
                // The secondary is refused because the primary holds the lease again, not for the quiet period.
                Decision d = secondary.requestPromotion(CLUSTER, "svm-node", Duration.ofMillis(300));
                assertFalse(d.granted());
                assertTrue(d.reason().contains("pvm-node"), d.reason());
            }
        }
    }
}
