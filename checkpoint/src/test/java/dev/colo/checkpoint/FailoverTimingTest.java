package dev.colo.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.colo.checkpoint.arbiter.Arbiter;
import dev.colo.checkpoint.arbiter.Decision;
import dev.colo.checkpoint.arbiter.LeaseEvent;
import dev.colo.checkpoint.arbiter.WitnessArbiter;
import dev.colo.checkpoint.arbiter.WitnessServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Issue 17: short leases, fencing before the witness can hand the lease on, and tunable detection. */
class FailoverTimingTest {
    private static final Duration IO_TIMEOUT = Duration.ofMillis(300);

    /** Fast failover timing close to the defaults, with sync and reconnect settings of the other tests. */
    private static CheckpointConfig fastConfig() {
        return Pair.testConfig().heartbeatInterval(Duration.ofMillis(50)).heartbeatMisses(4)
                .leaseTtl(Duration.ofMillis(250)).renewInterval(Duration.ofMillis(60))
                .promotionRetry(Duration.ofMillis(50)).promotionTimeout(Duration.ofMillis(200)).validate();
    }

    /** A lease event on the witness, stamped with the witness's clock. */
    private record Stamped(long atNanos, LeaseEvent event) {
    }

    private static WitnessServer witness(List<Stamped> log) {
        return new WitnessServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), System::nanoTime,
                e -> log.add(new Stamped(System.nanoTime(), e)), WitnessServer.Limits.DEFAULTS).restartQuietPeriod(true);
    }

    /** Forwards to a witness arbiter but never releases: a killed process gives nothing back. */
    private static Arbiter killedOnClose(WitnessArbiter inner) {
        return new Arbiter() {
            @Override
            public boolean renew(String clusterId, String nodeId) {
                return inner.renew(clusterId, nodeId);
            }

            @Override
            public Decision requestPromotion(String clusterId, String nodeId, Duration timeout) {
                return inner.requestPromotion(clusterId, nodeId, timeout);
            }

            @Override
            public boolean leased() {
                return inner.leased();
            }

            @Override
            public long fenceDelayNanos(String clusterId, String nodeId) {
                return inner.fenceDelayNanos(clusterId, nodeId);
            }

            @Override
            public String heldByOther() {
                return inner.heldByOther();
            }

            @Override
            public void release(String clusterId, String nodeId) {
            }

            @Override
            public String describe() {
                return "killed " + inner.describe();
            }

            @Override
            public void close() {
            }
        };
    }

    /** Forwards bytes as they come (the witness speaks lines, not frames); closing it partitions the path. */
    private static final class ByteRelay implements AutoCloseable {
        private final java.net.ServerSocket server = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<java.net.Socket> sockets = new CopyOnWriteArrayList<>();
        private final InetSocketAddress target;

        ByteRelay(InetSocketAddress target) throws java.io.IOException {
            this.target = target;
            Thread t = new Thread(this::accept, "witness-relay");
            t.setDaemon(true);
            t.start();
        }

        private volatile boolean cut;

        /** Partitions the path: open connections close, new ones close at once, until {@link #restore}. */
        void cut() throws java.io.IOException {
            cut = true;
            for (java.net.Socket s : sockets) {
                s.close();
            }
        }

        void restore() {
            cut = false;
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    java.net.Socket from = server.accept();
                    if (cut) {
                        from.close(); // partitioned: the connection is refused at once
                        continue;
                    }
                    java.net.Socket to = new java.net.Socket();
                    to.connect(target, 2000);
                    sockets.add(from);
                    sockets.add(to);
                    pump(from, to);
                    pump(to, from);
                } catch (java.io.IOException e) {
                    // closed, or the witness is gone: the client sees its connection fail
                }
            }
        }

        private void pump(java.net.Socket in, java.net.Socket out) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[4096];
                try (in; out) {
                    int n;
                    while ((n = in.getInputStream().read(buf)) >= 0) {
                        out.getOutputStream().write(buf, 0, n);
                    }
                } catch (java.io.IOException ignored) {
                    // cut
                }
            }, "witness-relay-pump");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws java.io.IOException {
            server.close();
            for (java.net.Socket s : sockets) {
                s.close();
            }
        }
    }

    /** Waits until the witness granted {@code node} a lease. */
    private static void awaitGranted(List<Stamped> log, String node) throws InterruptedException {
        Pair.await(() -> log.stream().anyMatch(s -> s.event().kind() == LeaseEvent.Kind.GRANTED && s.event().nodeId().equals(node)),
                5000, () -> node + "'s lease; log " + log);
    }

    @Test
    void theDefaultsAreValidAndMeetTheTakeoverTarget() {
        CheckpointConfig c = new CheckpointConfig().validate();
        assertEquals(Duration.ofMillis(200), c.peerTimeout());
        assertEquals(WitnessArbiter.DEFAULT_LEASE_TTL, c.leaseTtl());
        // The witness frees a dead primary's lease 1.5 x ttl after its last renewal arrived; plus one retry.
        long worstTakeoverMs = Math.max(c.peerTimeout().toMillis(), c.leaseTtl().toMillis() * 3 / 2)
                + c.promotionRetry().toMillis();
        assertTrue(worstTakeoverMs <= 500, "worst-case takeover " + worstTakeoverMs + " ms");
        assertTrue(c.renewInterval().multipliedBy(2).compareTo(c.leaseTtl()) < 0);
    }

    @Test
    void invalidTimingIsRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CheckpointConfig()
                .leaseTtl(Duration.ofMillis(300)).renewInterval(Duration.ofMillis(150)).validate());
        assertTrue(e.getMessage().contains("renew interval 150 ms must be below half the lease ttl 300 ms"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> new CheckpointConfig().heartbeatInterval(Duration.ofMillis(100))
                .heartbeatMisses(5).leaseTtl(Duration.ofMillis(300)).renewInterval(Duration.ofMillis(50)).validate());
        assertTrue(e.getMessage().contains("lease ttl 300 ms is shorter than the heartbeat detection window 100 ms x 5 = 500 ms"),
                e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> new CheckpointConfig().leaseTtl(Duration.ofMillis(50)).validate());
        assertTrue(e.getMessage().contains("lease ttl must be 100..60000 ms"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> new CheckpointConfig().renewInterval(Duration.ZERO).validate());
        assertTrue(e.getMessage().contains("renew interval must be >= 1 ms"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> new CheckpointConfig().promotionRetry(Duration.ZERO).validate());
        assertTrue(e.getMessage().contains("promotion retry must be 1..250 ms"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> new CheckpointConfig().promotionRetry(Duration.ofSeconds(1)).validate());
        assertTrue(e.getMessage().contains("promotion retry must be 1..250 ms"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> new CheckpointConfig().promotionTimeout(Duration.ZERO).validate());
        assertTrue(e.getMessage().contains("promotion timeout must be >= 1 ms"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> new CheckpointConfig().heartbeatMisses(1).validate());
        assertTrue(e.getMessage().contains("heartbeat misses must be >= 2"), e.getMessage());
    }

    @Test
    void aKilledPrimaryIsTakenOverWithTheWitness() throws Exception {
        List<Stamped> log = new CopyOnWriteArrayList<>();
        WitnessServer witness = witness(log);
        InetSocketAddress at = witness.start();
        CheckpointConfig config = fastConfig();
        WitnessArbiter primaryArbiter = new WitnessArbiter(at, config.leaseTtl(), IO_TIMEOUT);
        try (witness; primaryArbiter;
             Pair p = new Pair(killedOnClose(primaryArbiter), new WitnessArbiter(at, config.leaseTtl(), IO_TIMEOUT), false, config)) {
            p.awaitProtected();
            awaitGranted(log, "pvm-node");
            long killedAt = System.nanoTime();
            p.primary.close(); // its claim is not released: the lease has to run out on the witness
            Pair.await(() -> p.secondary.state() == SecondaryState.PROMOTED, 10_000,
                    () -> "takeover after the dead primary's lease ran out; events " + p.events + "; witness " + log);
            assertTrue(log.stream().anyMatch(s -> s.event().kind() == LeaseEvent.Kind.GRANTED
                    && s.event().nodeId().equals("svm-node")), log.toString());
            System.out.println("killed primary taken over after " + (p.failoverAtNanos - killedAt) / 1_000_000 + " ms");
        }
    }

    @Test
    void aPrimaryCutOffFromTheWitnessFencesItselfBeforeTheWitnessCanGrantTheSecondary() throws Exception {
        List<Stamped> log = new CopyOnWriteArrayList<>();
        WitnessServer witness = witness(log);
        InetSocketAddress at = witness.start();
        CheckpointConfig config = fastConfig();
        ByteRelay toWitness = new ByteRelay(at); // the primary's only path to the witness
        WitnessArbiter primaryArbiter = new WitnessArbiter(toWitness.address(), config.leaseTtl(), IO_TIMEOUT);
        try (witness; toWitness;
             Pair p = new Pair(primaryArbiter, new WitnessArbiter(at, config.leaseTtl(), IO_TIMEOUT), true, config)) {
            p.awaitProtected();
            awaitGranted(log, "pvm-node");
            Pair.await(() -> !p.primary.fenced(), 5000, () -> "the primary unfenced by its first lease; events " + p.events);
            assertTrue(p.events.stream().anyMatch(e -> e.startsWith("FENCED no lease confirmed")), "fenced from the start: " + p.events);
            // The primary is isolated: from the witness and from its secondary.
            toWitness.close();
            p.relay.close();
            Pair.await(() -> p.secondary.state() == SecondaryState.PROMOTED, 10_000,
                    () -> "takeover once the isolated primary's lease ran out; events " + p.events + "; witness " + log);
            assertTrue(p.primary.fenced(), "the isolated primary stays fenced");
            long fencedAt = p.fencedAtNanos; // the last onFenced: the one after the cut
            assertTrue(fencedAt != 0, "the primary told its listener; events " + p.events);
            Stamped expired = log.stream().filter(s -> s.event().kind() == LeaseEvent.Kind.EXPIRED
                    && s.event().nodeId().equals("pvm-node")).findFirst().orElseThrow(() -> new AssertionError("no expiry in " + log));
            Stamped granted = log.stream().filter(s -> s.event().kind() == LeaseEvent.Kind.GRANTED
                    && s.event().nodeId().equals("svm-node")).findFirst().orElseThrow(() -> new AssertionError("no grant in " + log));
            assertTrue(fencedAt < expired.atNanos(), "fenced " + (expired.atNanos() - fencedAt) / 1_000_000
                    + " ms before the witness let the lease expire; events " + p.events);
            assertTrue(expired.atNanos() <= granted.atNanos());
            assertTrue(p.events.stream().anyMatch(e -> e.startsWith("FENCED lease not renewed")), p.events.toString());
            System.out.println("fenced " + (granted.atNanos() - fencedAt) / 1_000_000 + " ms before the witness granted the secondary");
        }
    }

    @Test
    void aPrimaryWhoseWitnessIsGoneGoesOnWhileItsSecondaryEchoesAndFencesOnceBothAreGone() throws Exception {
        List<Stamped> log = new CopyOnWriteArrayList<>();
        WitnessServer witness = witness(log);
        InetSocketAddress at = witness.start();
        CheckpointConfig config = fastConfig();
        try (Pair p = new Pair(new WitnessArbiter(at, config.leaseTtl(), IO_TIMEOUT),
                new WitnessArbiter(at, config.leaseTtl(), IO_TIMEOUT), true, config)) {
            p.awaitProtected();
            Pair.await(() -> !p.primary.fenced(), 5000, () -> "the primary unfenced by its first lease; events " + p.events);
            witness.close(); // the witness is killed; both nodes live and see each other
            long until = System.nanoTime() + config.leaseTtl().multipliedBy(4).toNanos();
            while (System.nanoTime() < until) {
                assertTrue(p.primary.releasePermit().getAsBoolean(), "the primary may release: its secondary echoes; events " + p.events);
                Thread.sleep(5);
            }
            assertEquals(PrimaryState.PROTECTED, p.primary.state(), "still protected; events " + p.events);
            p.relay.close(); // now the secondary is gone too: nobody proves a takeover impossible any more
            Pair.await(() -> p.primary.fenced(), 2000, () -> "fenced once its secondary went silent; events " + p.events);
            Thread.sleep(config.leaseTtl().multipliedBy(2).toMillis());
            assertFalse(p.secondary.state() == SecondaryState.PROMOTED, "no takeover without a witness; events " + p.events);
        }
    }

    @Test
    void anOldPrimaryThatReachesTheWitnessAgainIsDemotedForGoodWhileTheNewOneKeepsTheLease() throws Exception {
        List<Stamped> log = new CopyOnWriteArrayList<>();
        WitnessServer witness = witness(log);
        InetSocketAddress at = witness.start();
        CheckpointConfig config = fastConfig();
        ByteRelay toWitness = new ByteRelay(at);
        WitnessArbiter primaryArbiter = new WitnessArbiter(toWitness.address(), config.leaseTtl(), IO_TIMEOUT);
        try (witness; toWitness;
             Pair p = new Pair(primaryArbiter, new WitnessArbiter(at, config.leaseTtl(), IO_TIMEOUT), true, config)) {
            p.awaitProtected();
            awaitGranted(log, "pvm-node");
            toWitness.cut();
            p.relay.close(); // isolated (a hung or cut-off host): the secondary takes over
            Pair.await(() -> p.secondary.state() == SecondaryState.PROMOTED, 10_000, () -> "takeover; events " + p.events + "; witness " + log);
            assertTrue(p.primary.fenced(), "the isolated primary is fenced");
            // Longer than the lease the takeover was granted: the new primary must renew it, or the old one could win it back.
            Thread.sleep(config.leaseTtl().multipliedBy(3).toMillis());
            assertTrue(p.secondary.releasePermit().getAsBoolean(), "the new primary keeps its lease; events " + p.events);
            toWitness.restore(); // the old primary's host is back on the network
            Pair.await(() -> "DEMOTED".equals(p.primary.status().failover()), 5000,
                    () -> "the old primary learns another node holds the lease; status " + p.primary.status() + "; events " + p.events);
            Thread.sleep(config.leaseTtl().multipliedBy(2).toMillis());
            assertTrue(p.primary.fenced() && !p.primary.releasePermit().getAsBoolean(), "demoted for good");
            assertTrue(p.secondary.releasePermit().getAsBoolean(), "the new primary still may release");
            int takeover = log.indexOf(log.stream().filter(s -> s.event().kind() == LeaseEvent.Kind.GRANTED
                    && s.event().nodeId().equals("svm-node")).findFirst().orElseThrow());
            assertTrue(log.subList(takeover, log.size()).stream().noneMatch(s -> s.event().kind() == LeaseEvent.Kind.GRANTED
                    && s.event().nodeId().equals("pvm-node")), "the old primary never got the lease back: " + log);
        }
    }

    /**
     * A primary that loses its secondary releases nothing unprotected until a lease renewal started after the loss is
     * granted: the secondary may be alive behind a partition, and what the primary would release, its VM never saw.
     */
    @Test
    void aPrimaryThatLosesItsSecondaryReleasesNothingUnprotectedBeforeALeaseRenewedAfterTheLoss() throws Exception {
        List<Stamped> log = new CopyOnWriteArrayList<>();
        WitnessServer witness = witness(log);
        InetSocketAddress at = witness.start();
        CheckpointConfig config = fastConfig();
        try (witness; Pair p = new Pair(new WitnessArbiter(at, config.leaseTtl(), IO_TIMEOUT),
                new WitnessArbiter(at, config.leaseTtl(), IO_TIMEOUT), true, config)) {
            p.awaitProtected();
            awaitGranted(log, "pvm-node");
            assertTrue(p.primary.releasePermit().getAsBoolean(), "protected, leased: may release");
            List<String> logged = new CopyOnWriteArrayList<>();
            java.util.logging.Logger checkpointLog = java.util.logging.Logger.getLogger("dev.colo.checkpoint");
            java.util.logging.Handler capture = new java.util.logging.Handler() {
                @Override
                public void publish(java.util.logging.LogRecord r) {
                    logged.add(r.getMessage());
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
            java.util.logging.Level level = checkpointLog.getLevel();
            checkpointLog.setLevel(java.util.logging.Level.INFO);
            checkpointLog.addHandler(capture);
            p.relay.close(); // the inter-node link breaks; both still reach the witness
            Pair.await(() -> p.permitAtSecondaryLoss != null, 5000, () -> "secondary lost; events " + p.events);
            assertFalse(p.permitAtSecondaryLoss, "at the loss, the lease held so far proves nothing; events " + p.events);
            Pair.await(() -> p.primary.releasePermit().getAsBoolean(), 2000,
                    () -> "a renewal after the loss lets the primary go on alone; events " + p.events);
            Thread.sleep(config.leaseTtl().multipliedBy(3).toMillis());
            assertFalse(p.secondary.state() == SecondaryState.PROMOTED, "the witness refuses the secondary: the primary renews");
            assertTrue(p.primary.releasePermit().getAsBoolean());
            checkpointLog.removeHandler(capture);
            checkpointLog.setLevel(level);
            long refusalLines = logged.stream().filter(m -> m.contains("arbiter refused takeover")).count();
            assertEquals(1, refusalLines, "one line for the episode though it asked every 50 ms: " + logged);
            assertTrue(logged.stream().anyMatch(m -> m.contains("holds the lease for another")), "says why: " + logged);
        }
    }
}
