package dev.colo.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.checkpoint.arbiter.AlwaysArbiter;
import dev.colo.checkpoint.protocol.Trigger;
import dev.colo.checkpoint.vm.InMemoryVm;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Both roles in-process over real loopback sockets, with real in-memory VMs that keep running. */
class CheckpointLinkTest {

    @Test
    void manyCheckpointsLeaveTheSecondaryEqualToThePrimaryAtItsSuspend() throws Exception {
        try (Pair p = new Pair(new AlwaysArbiter(), new AlwaysArbiter(), false, Pair.testConfig());
             Pair.Writer primaryGuest = new Pair.Writer(p.pvm, 1)) {
            p.awaitProtected();
            for (int i = 0; i < 40; i++) {
                // The secondary runs too and dirties pages of its own: a checkpoint must undo them.
                try (Pair.Writer secondaryGuest = new Pair.Writer(p.svm, 100 + i)) {
                    Thread.sleep(5);
                }
                byte[] atSuspend = p.checkpoint("round " + i);
                assertArrayEquals(atSuspend, p.svm.snapshot(), "after checkpoint " + i);
            }
            assertTrue(primaryGuest.writes > 0);
            ColoStatus s = p.primary.status();
            assertEquals(40, (long) s.checkpointsByTrigger().get(Trigger.MANUAL));
            assertEquals(1, (long) s.checkpointsByTrigger().get(Trigger.INITIAL));
            assertTrue(s.lastPauseNanos() > 0);
            assertEquals("svm-node", s.peer());
            assertEquals(0, s.aborted());
            assertFalse(p.pvm.isPaused(), "the primary runs between checkpoints");
        }
    }

    @Test
    void aDamagedStateIsRejectedAndTheSecondaryKeepsItsLastConsistentState() throws Exception {
        try (Pair p = new Pair(new AlwaysArbiter(), new AlwaysArbiter(), true, Pair.testConfig())) {
            p.awaitProtected();
            byte[] first = p.checkpoint("baseline");
            byte[] page = new byte[InMemoryVm.PAGE_SIZE];
            java.util.Arrays.fill(page, (byte) 7);
            p.pvm.write(0, page, 0, page.length);
            p.relay.arm(7 /* STATE_CHUNK */, FaultyRelay.Fault.CORRUPT);
            int aborts = (int) p.events.stream().filter(e -> e.startsWith("ABORTED")).count();
            p.primary.requestCheckpoint(Trigger.ON_DEMAND, "mismatch");
            Pair.await(() -> p.events.stream().filter(e -> e.startsWith("ABORTED")).count() > aborts, 5000, () -> "the abort; events " + p.events);
            assertArrayEquals(first, p.svmAtAbort.get(0), "the damaged state was never applied");
            // The on-demand request still stands: the primary retries, with the aborted pages included.
            // Loaded by the secondary: initial, baseline, and the retry.
            Pair.await(() -> p.secondary.status().checkpoints() >= 3 && p.primary.state() == PrimaryState.PROTECTED,
                    5000, () -> "the retry; events " + p.events);
            assertArrayEquals(p.pvm.snapshot(), p.svm.snapshot(), "the retry carried the page the abort dropped");
            assertEquals(1, p.relay.faultsFired.get());
            assertTrue(p.events.stream().anyMatch(e -> e.contains("state stream damaged")), p.events.toString());
        }
    }

    @Test
    void aMismatchedVmIsRefusedWithAClearReasonOnBothEnds() throws Exception {
        InMemoryVm pvm = new InMemoryVm("web", 16);
        InMemoryVm svm = new InMemoryVm("database", 16);
        java.util.List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        CoordinatorListener l = new CoordinatorListener() {
            @Override
            public void onTransition(dev.colo.checkpoint.protocol.Role role, String from, String to, String why) {
                events.add(role + " " + why);
            }
        };
        try (LogCapture log = new LogCapture();
             PrimaryCoordinator primary = new PrimaryCoordinator(Pair.testConfig().nodeId("a"), pvm, new AlwaysArbiter(), l);
             SecondaryCoordinator secondary = new SecondaryCoordinator(Pair.testConfig().nodeId("b"), svm, new AlwaysArbiter(), l)) {
            InetSocketAddress at = primary.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            secondary.start(at);
            String expected = "VM 'in-memory:database:16x4096' does not match this node's VM 'in-memory:web:16x4096'";
            // A peer refused at its handshake never was a secondary of the primary's: a refusal (an episode), no transition.
            Pair.await(() -> log.lines.stream().anyMatch(e -> e.startsWith("WARNING checkpoint: refused 127.0.0.1:") && e.contains(expected)),
                    5000, () -> "the primary's refusal; log " + log.lines);
            assertTrue(primary.refusals().totals().get("handshake refused") >= 1, primary.refusals().totals().toString());
            // Each end checks the other's HELLO: the secondary refuses too (or hears the primary's refusal).
            Pair.await(() -> events.stream().anyMatch(e -> e.startsWith("SECONDARY") && e.contains("refuse")
                    && e.contains("does not match")), 5000, () -> "the secondary's side; events " + events);
            assertEquals(PrimaryState.UNPROTECTED, primary.state());
            assertFalse(primary.status().protectedOutput());
            assertTrue(events.stream().noneMatch(e -> e.startsWith("PRIMARY")), "no transition for a refused peer: " + events);
        }
    }

    @Test
    void aSilentPrimaryIsDetectedByMissedHeartbeatsAndTheSecondaryTakesOver() throws Exception {
        CheckpointConfig cfg = Pair.testConfig();
        try (Pair p = new Pair(new AlwaysArbiter(), new AlwaysArbiter(), true, cfg)) {
            p.awaitProtected();
            byte[] state = p.checkpoint("before the crash");
            long cut = System.nanoTime();
            p.relay.arm(12 /* HEARTBEAT */, FaultyRelay.Fault.STALL); // the primary's host vanishes: no FIN, nothing
            Pair.await(() -> p.secondary.state() == SecondaryState.PROMOTED && p.failoverAtNanos != 0, 5000,
                    () -> "promotion; events " + p.events);
            long detectedMs = (p.failoverAtNanos - cut) / 1_000_000;
            System.out.println("silent primary: secondary promoted " + detectedMs + " ms after the link went silent"
                    + " (peer timeout " + cfg.peerTimeout().toMillis() + " ms)");
            // The idle timer runs from the last frame the secondary received, which may precede the stall by up
            // to two heartbeat intervals (the stall starts at the next heartbeat in either direction).
            assertTrue(detectedMs >= cfg.peerTimeout().toMillis() - 2 * cfg.heartbeatInterval().toMillis(),
                    "not before the heartbeats were really missed: " + detectedMs + " ms");
            assertFalse(p.svm.isPaused(), "the promoted secondary runs");
            assertArrayEquals(state, p.svm.snapshot(), "it runs from the last checkpoint");
            assertEquals("COMPLETED", p.secondary.status().failover());
        }
    }

    @Test
    void aKilledPrimaryIsDetectedAtOnceByItsClosedLink() throws Exception {
        try (Pair p = new Pair(new AlwaysArbiter(), new AlwaysArbiter(), false, Pair.testConfig())) {
            p.awaitProtected();
            p.checkpoint("before the kill");
            long kill = System.nanoTime();
            p.primary.close(); // the kernel closes a dead process's sockets
            Pair.await(() -> p.secondary.state() == SecondaryState.PROMOTED
                    && p.events.stream().anyMatch(e -> e.startsWith("FAILOVER")), 5000, () -> "promotion; events " + p.events);
            System.out.println("killed primary: secondary promoted " + (p.failoverAtNanos - kill) / 1_000_000 + " ms after the kill");
        }
    }

    /**
     * With a witness: a killed primary's lease is still valid when the secondary first asks, so it is refused;
     * the secondary keeps asking and takes over once the lease expired (it used to ask once and wait forever).
     */
    @Test
    void aSecondaryRefusedWhileTheDeadPrimarysLeaseRunsKeepsAskingAndTakesOver() throws Exception {
        dev.colo.checkpoint.arbiter.WitnessServer witness = new dev.colo.checkpoint.arbiter.WitnessServer(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        InetSocketAddress at = witness.start();
        java.time.Duration ttl = java.time.Duration.ofMillis(2000); // longer than the 500 ms a promotion request may wait
        dev.colo.checkpoint.arbiter.WitnessArbiter primaryArbiter = new dev.colo.checkpoint.arbiter.WitnessArbiter(at, ttl, java.time.Duration.ofMillis(300));
        // A killed process frees nothing: its claim is not released, the lease has to run out.
        dev.colo.checkpoint.arbiter.Arbiter dying = new dev.colo.checkpoint.arbiter.Arbiter() {
            @Override
            public boolean renew(String clusterId, String nodeId) {
                return primaryArbiter.renew(clusterId, nodeId);
            }

            @Override
            public dev.colo.checkpoint.arbiter.Decision requestPromotion(String clusterId, String nodeId, java.time.Duration timeout) {
                return primaryArbiter.requestPromotion(clusterId, nodeId, timeout);
            }

            @Override
            public void release(String clusterId, String nodeId) {
            }

            @Override
            public String describe() {
                return "dying " + primaryArbiter.describe();
            }

            @Override
            public void close() {
            }
        };
        try (witness; primaryArbiter;
             Pair p = new Pair(dying, new dev.colo.checkpoint.arbiter.WitnessArbiter(at, ttl, java.time.Duration.ofMillis(300)), false,
                     Pair.testConfig())) {
            p.awaitProtected();
            Thread.sleep(400); // the primary holds the lease
            p.primary.close();
            // Refused while the dead primary's lease runs (the first ask waits at most 500 ms of its 2 s),
            // granted on a later ask: before, the first refusal was the last word.
            Pair.await(() -> p.secondary.state() == SecondaryState.PROMOTED, 10_000, () -> "promotion after the lease ran out; events " + p.events);
            assertTrue(p.events.stream().anyMatch(e -> e.startsWith("FAILOVER")), p.events.toString());
        }
    }

    @Test
    void theSecondaryLostLeavesThePrimaryRunningUnprotectedAndANewSecondaryCanJoin() throws Exception {
        try (Pair p = new Pair(new AlwaysArbiter(), new AlwaysArbiter(), false, Pair.testConfig());
             Pair.Writer guest = new Pair.Writer(p.pvm, 7)) {
            p.awaitProtected();
            p.checkpoint("one");
            p.secondary.close();
            Pair.await(() -> p.primary.state() == PrimaryState.UNPROTECTED
                    && p.events.stream().anyMatch(e -> e.startsWith("SECONDARY_LOST")), 5000,
                    () -> "unprotected, and told so; events " + p.events);
            assertFalse(p.pvm.isPaused(), "the primary keeps serving");
            // A fresh secondary joins the running primary: full sync while it runs, then protection resumes.
            InMemoryVm fresh = new InMemoryVm("test", Pair.PAGES);
            try (SecondaryCoordinator joiner = new SecondaryCoordinator(Pair.testConfig().nodeId("svm-2"), fresh,
                    new AlwaysArbiter(), CoordinatorListener.NONE)) {
                joiner.start(p.primaryAddress);
                Pair.await(() -> p.primary.state() == PrimaryState.PROTECTED && p.primary.status().protectedOutput(),
                        10_000, () -> "protection with the new secondary; events " + p.events);
                Pair.await(() -> joiner.state() == SecondaryState.RUNNING, 5000, "joiner running");
                assertEquals("svm-2", p.primary.status().peer());
                int commits = p.committedSnapshots.size();
                p.primary.requestCheckpoint(Trigger.MANUAL, "after join");
                Pair.await(() -> p.committedSnapshots.size() > commits && p.primary.state() == PrimaryState.PROTECTED
                        && joiner.state() == SecondaryState.RUNNING, 5000, "checkpoint after join");
                assertArrayEquals(p.committedSnapshots.get(p.committedSnapshots.size() - 1), fresh.snapshot());
            }
        }
    }

    @Test
    void aManualFailoverPromotesTheSecondaryFromItsLastCheckpoint() throws Exception {
        try (Pair p = new Pair(new AlwaysArbiter(), new AlwaysArbiter(), false, Pair.testConfig())) {
            p.awaitProtected();
            byte[] state = p.checkpoint("last");
            p.secondary.failover("operator drill");
            Pair.await(() -> p.secondary.state() == SecondaryState.PROMOTED, 5000, () -> "promotion; events " + p.events);
            assertArrayEquals(state, p.svm.snapshot());
            assertFalse(p.svm.isPaused());
            assertTrue(p.secondary.status().failoverReason().contains("manual failover: operator drill"),
                    p.secondary.status().failoverReason());
            Pair.await(() -> p.primary.state() == PrimaryState.UNPROTECTED, 5000, () -> "primary unprotected; events " + p.events);
        }
    }

    @Test
    void periodicCheckpointsRunOnTheirOwnAndBurstsOfRequestsCoalesce() throws Exception {
        CheckpointConfig cfg = Pair.testConfig().periodicInterval(java.time.Duration.ofMillis(150))
                .minInterval(java.time.Duration.ofMillis(300));
        try (Pair p = new Pair(new AlwaysArbiter(), new AlwaysArbiter(), false, cfg)) {
            p.awaitProtected();
            Pair.await(() -> p.primary.status().checkpointsByTrigger().getOrDefault(Trigger.PERIODIC, 0L) >= 2, 5000,
                    () -> "periodic checkpoints; events " + p.events);
            long before = p.primary.status().checkpoints();
            for (int i = 0; i < 50; i++) {
                p.primary.requestCheckpoint(Trigger.ON_DEMAND, "burst " + i);
            }
            Pair.await(() -> p.primary.status().checkpointsByTrigger().getOrDefault(Trigger.ON_DEMAND, 0L) >= 1, 5000,
                    () -> "the on-demand checkpoint; events " + p.events);
            Thread.sleep(400);
            long onDemand = p.primary.status().checkpointsByTrigger().getOrDefault(Trigger.ON_DEMAND, 0L);
            assertTrue(onDemand <= 2, "50 requests within the minimum interval ran as " + onDemand + " checkpoint(s)");
            assertTrue(p.primary.status().checkpoints() > before);
        }
    }
}
