package dev.colo.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.colo.checkpoint.arbiter.WitnessArbiter;
import dev.colo.checkpoint.arbiter.WitnessServer;
import dev.colo.checkpoint.protocol.MessageType;
import dev.colo.checkpoint.protocol.Trigger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A fault at every sync point of a checkpoint: the link closed, garbage injected, the message sent
 * twice, the peer gone silent. The primary stays alive and keeps its lease at a real witness, so the
 * secondary must never take over: the primary keeps serving (its VM resumes), the secondary keeps or
 * regains a consistent state, and protection comes back (an abort and retry, or a rejoin with a full
 * sync), after which a checkpoint leaves both VMs equal again.
 */
class FaultInjectionTest {
    static {
        LeakGuard.install();
    }

    @org.junit.jupiter.api.AfterAll
    static void noBufferLeakedThroughAnyFault() throws InterruptedException {
        List<String> leaks = LeakGuard.collect();
        org.junit.jupiter.api.Assertions.assertTrue(leaks.isEmpty(), "leaked buffers: " + leaks);
    }
    static Stream<Arguments> faults() {
        List<Arguments> all = new ArrayList<>();
        int[] syncPoints = {4, 5, 6, 7, 8, 9, 10}; // NEW SUSPENDED SEND STATE_CHUNK STATE_END RECEIVED LOADED
        for (int type : syncPoints) {
            for (FaultyRelay.Fault f : new FaultyRelay.Fault[] {FaultyRelay.Fault.CLOSE, FaultyRelay.Fault.GARBAGE,
                    FaultyRelay.Fault.DUPLICATE, FaultyRelay.Fault.STALL}) {
                all.add(Arguments.of(MessageType.values()[type - 1].name(), type, f));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{2} at {0}")
    @MethodSource("faults")
    void theFaultIsSurvivedWithoutTakeoverAndProtectionReturns(String name, int type, FaultyRelay.Fault fault) throws Exception {
        try (WitnessServer witness = new WitnessServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            InetSocketAddress at = witness.start();
            Duration lease = Duration.ofMillis(1500);
            Duration io = Duration.ofMillis(300);
            try (Pair p = new Pair(new WitnessArbiter(at, lease, io), new WitnessArbiter(at, lease, io), true, Pair.testConfig());
                 Pair.Writer guest = new Pair.Writer(p.pvm, type)) {
                p.awaitProtected();
                p.checkpoint("baseline");
                byte[] page = new byte[dev.colo.checkpoint.vm.InMemoryVm.PAGE_SIZE];
                java.util.Arrays.fill(page, (byte) type);
                p.pvm.write(0, page, 0, page.length); // never an empty delta: every sync point has a message to break
                p.relay.arm(type, fault);
                p.primary.requestCheckpoint(Trigger.ON_DEMAND, "divergence under " + fault + " at " + name);
                Pair.await(() -> p.relay.faultsFired.get() == 1, 5000, () -> "the fault to fire; events " + p.events);
                // The primary keeps serving whatever happens to the link.
                Pair.await(() -> !p.pvm.isPaused() && (p.primary.state() == PrimaryState.PROTECTED
                        || p.primary.state() == PrimaryState.UNPROTECTED || p.primary.state() == PrimaryState.HANDSHAKING
                        || p.primary.state() == PrimaryState.INITIAL_SYNC), 5000,
                        () -> "the primary to run on; state " + p.primary.state() + "; events " + p.events);
                p.awaitProtected();
                byte[] atSuspend = p.checkpoint("after " + fault + " at " + name);
                assertArrayEquals(atSuspend, p.svm.snapshot(), "both VMs equal again");
                assertFalse(p.events.stream().anyMatch(e -> e.startsWith("FAILOVER")),
                        "the witness refused a takeover while the primary lived: " + p.events);
                assertEquals(1, p.relay.faultsFired.get());
            }
        }
    }

    @org.junit.jupiter.api.Test
    void aPrimaryThatCanNoLongerRenewItsLeaseIsToldToStopReleasingOutput() throws Exception {
        java.util.concurrent.CountDownLatch lost = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch confirmed = new java.util.concurrent.CountDownLatch(1);
        String[] why = new String[1];
        CoordinatorListener l = new CoordinatorListener() {
            @Override
            public void onClaimConfirmed() {
                confirmed.countDown();
            }

            @Override
            public void onClaimLost(String reason) {
                why[0] = reason;
                lost.countDown();
            }
        };
        WitnessServer witness = new WitnessServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        InetSocketAddress at = witness.start();
        Duration lease = Duration.ofMillis(600);
        try (PrimaryCoordinator primary = new PrimaryCoordinator(Pair.testConfig().nodeId("p"),
                new dev.colo.checkpoint.vm.InMemoryVm("x", 4), new WitnessArbiter(at, lease, Duration.ofMillis(200)), l)) {
            primary.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            org.junit.jupiter.api.Assertions.assertTrue(confirmed.await(5, java.util.concurrent.TimeUnit.SECONDS), "claim confirmed");
            Thread.sleep(300);
            assertEquals(1, lost.getCount(), () -> "the claim holds while the witness answers, but: " + why[0]);
            long gone = System.nanoTime();
            witness.close();
            org.junit.jupiter.api.Assertions.assertTrue(lost.await(5, java.util.concurrent.TimeUnit.SECONDS), "claim loss reported");
            long ms = (System.nanoTime() - gone) / 1_000_000;
            System.out.println("lease lost reported " + ms + " ms after the witness vanished (lease " + lease.toMillis() + " ms)");
            org.junit.jupiter.api.Assertions.assertTrue(why[0].contains("claim as primary is lost"), why[0]);
            assertEquals(why[0], primary.status().failoverReason());
        }
    }
}
