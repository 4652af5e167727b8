package dev.colo.checkpoint;

import dev.colo.checkpoint.arbiter.Arbiter;
import dev.colo.checkpoint.protocol.Role;
import dev.colo.checkpoint.protocol.Trigger;
import dev.colo.checkpoint.vm.InMemoryVm;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** A primary and a secondary coordinator over real loopback sockets (optionally through a faulty relay), with in-memory VMs. */
final class Pair implements AutoCloseable {
    static final int PAGES = 512;

    final InMemoryVm pvm = new InMemoryVm("test", PAGES);
    final InMemoryVm svm = new InMemoryVm("test", PAGES);
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<byte[]> committedSnapshots = new CopyOnWriteArrayList<>();
    /** The secondary's memory at each abort report (before any retry can run). */
    final List<byte[]> svmAtAbort = new CopyOnWriteArrayList<>();
    volatile long failoverAtNanos;
    /** Whether the primary's release permit allowed output at the moment it reported its secondary lost. */
    volatile Boolean permitAtSecondaryLoss;
    /** When the primary last fenced itself (System.nanoTime()), 0 if never. */
    volatile long fencedAtNanos;
    final PrimaryCoordinator primary;
    final SecondaryCoordinator secondary;
    final InetSocketAddress primaryAddress;
    FaultyRelay relay;

    Pair(Arbiter primaryArbiter, Arbiter secondaryArbiter, boolean viaRelay, CheckpointConfig base) throws Exception {
        CoordinatorListener recorder = new CoordinatorListener() {
            @Override
            public void onTransition(Role role, String from, String to, String why) {
                events.add(role + " " + from + "->" + to + " " + why);
            }

            @Override
            public void onCheckpointCommitted(long id, Trigger trigger) {
                committedSnapshots.add(pvm.snapshot()); // the primary is paused: this is its state at capture
                events.add("COMMITTED " + id + " " + trigger);
            }

            @Override
            public void onSecondaryLost(String reason) {
                permitAtSecondaryLoss = primary.releasePermit().getAsBoolean();
                events.add("SECONDARY_LOST " + reason);
            }

            @Override
            public void onFenced(String reason) {
                fencedAtNanos = System.nanoTime();
                events.add("FENCED " + reason);
            }

            @Override
            public void onUnfenced() {
                events.add("UNFENCED");
            }

            @Override
            public void onFailover(String reason) {
                failoverAtNanos = System.nanoTime();
                events.add("FAILOVER " + reason);
            }

            @Override
            public void onCheckpointAborted(long id, String reason) {
                svmAtAbort.add(svm.snapshot());
                events.add("ABORTED " + id + " " + reason);
            }
        };
        primary = new PrimaryCoordinator(copy(base).nodeId("pvm-node"), pvm, primaryArbiter, recorder);
        primaryAddress = primary.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        secondary = new SecondaryCoordinator(copy(base).nodeId("svm-node"), svm, secondaryArbiter, recorder);
        InetSocketAddress target = primaryAddress;
        if (viaRelay) {
            relay = new FaultyRelay(primaryAddress);
            target = relay.address();
        }
        secondary.start(target);
    }

    static CheckpointConfig testConfig() {
        return new CheckpointConfig().heartbeatInterval(Duration.ofMillis(100)).heartbeatMisses(5)
                .syncTimeout(Duration.ofSeconds(1)).periodicInterval(Duration.ZERO)
                .minInterval(Duration.ZERO).reconnectDelay(Duration.ofMillis(50)).chunkSize(64 * 1024)
                .maxFrame(64 * 1024 + 64).promotionTimeout(Duration.ofMillis(500)).renewInterval(Duration.ofMillis(200))
                .leaseTtl(Duration.ofMillis(600)).promotionRetry(Duration.ofMillis(250)).validate();
    }

    private static CheckpointConfig copy(CheckpointConfig c) {
        return new CheckpointConfig().clusterId(c.clusterId()).heartbeatInterval(c.heartbeatInterval())
                .heartbeatMisses(c.heartbeatMisses()).syncTimeout(c.syncTimeout()).periodicInterval(c.periodicInterval())
                .minInterval(c.minInterval()).reconnectDelay(c.reconnectDelay()).chunkSize(c.chunkSize())
                .maxFrame(c.maxFrame()).promotionTimeout(c.promotionTimeout()).writeHighWater(c.writeHighWater())
                .renewInterval(c.renewInterval()).leaseTtl(c.leaseTtl()).promotionRetry(c.promotionRetry());
    }

    static void await(BooleanSupplier condition, long timeoutMs, String what) throws InterruptedException {
        await(condition, timeoutMs, () -> what);
    }

    static void await(BooleanSupplier condition, long timeoutMs, java.util.function.Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what.get());
            }
            Thread.sleep(5);
        }
    }

    void awaitProtected() throws InterruptedException {
        await(() -> primary.state() == PrimaryState.PROTECTED && secondary.state() == SecondaryState.RUNNING
                && primary.status().protectedOutput(), 10_000, () -> "protection; events " + events);
    }

    /** Runs one checkpoint to completion; returns the primary's state at its capture. */
    byte[] checkpoint(String why) throws InterruptedException {
        int before = committedSnapshots.size();
        long loadedBefore = primary.status().checkpoints();
        primary.requestCheckpoint(Trigger.MANUAL, why);
        await(() -> committedSnapshots.size() > before, 10_000, () -> "commit of " + why + "; events " + events);
        await(() -> primary.state() == PrimaryState.PROTECTED && secondary.state() == SecondaryState.RUNNING
                && primary.status().checkpoints() > loadedBefore, 10_000, () -> "load of " + why + "; events " + events);
        return committedSnapshots.get(committedSnapshots.size() - 1);
    }

    /** A guest on a VM: writes random bytes at random addresses until stopped. */
    static final class Writer implements AutoCloseable {
        private final Thread thread;
        private volatile boolean stop;
        volatile long writes;

        Writer(InMemoryVm vm, long seed) {
            thread = new Thread(() -> {
                Random r = new Random(seed);
                byte[] b = new byte[64];
                while (!stop) {
                    r.nextBytes(b);
                    try {
                        vm.write(r.nextInt(vm.pages() * InMemoryVm.PAGE_SIZE - b.length), b, 0, b.length);
                        writes++;
                        if ((writes & 63) == 0) {
                            Thread.sleep(1);
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "guest-" + seed);
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.interrupt();
            thread.join(5000);
        }
    }

    @Override
    public void close() throws Exception {
        secondary.close();
        primary.close();
        if (relay != null) {
            relay.close();
        }
    }
}
