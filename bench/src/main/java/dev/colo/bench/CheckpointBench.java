package dev.colo.bench;

import dev.colo.checkpoint.CheckpointConfig;
import dev.colo.checkpoint.ColoStatus;
import dev.colo.checkpoint.CoordinatorListener;
import dev.colo.checkpoint.PrimaryCoordinator;
import dev.colo.checkpoint.PrimaryState;
import dev.colo.checkpoint.SecondaryCoordinator;
import dev.colo.checkpoint.SecondaryState;
import dev.colo.checkpoint.arbiter.AlwaysArbiter;
import dev.colo.checkpoint.protocol.Trigger;
import dev.colo.checkpoint.vm.InMemoryVm;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Checkpoint pause time (primary suspended to resumed) and state transfer rate over loopback for
 * deltas of 0, 1, 16 and 64 MiB, with in-memory VMs and both coordinators in this process.
 *
 * <pre>java -Xmx3g -cp bench/target/benchmarks.jar dev.colo.bench.CheckpointBench [--runs N] [--vm-mib M]</pre>
 */
public final class CheckpointBench {
    private CheckpointBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = 10;
        int vmMib = 128;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--vm-mib" -> vmMib = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: CheckpointBench [--runs N] [--vm-mib M]");
                    System.exit(2);
                }
            }
        }
        int pages = vmMib * 256;
        InMemoryVm pvm = new InMemoryVm("bench", pages);
        InMemoryVm svm = new InMemoryVm("bench", pages);
        int chunk = Integer.getInteger("chunk", 1 << 20);
        int water = Integer.getInteger("water", 8 << 20);
        CheckpointConfig cfg = new CheckpointConfig().periodicInterval(Duration.ZERO).minInterval(Duration.ZERO)
                .heartbeatInterval(Duration.ofMillis(100)).heartbeatMisses(10).leaseTtl(Duration.ofSeconds(2)).chunkSize(chunk).maxFrame(chunk + 64)
                .writeHighWater(water);
        // The bench thread sleeps on this instead of spinning: on 2 cores a spinning waiter steals a core.
        java.util.concurrent.Semaphore protectedAgain = new java.util.concurrent.Semaphore(0);
        CoordinatorListener wake = new CoordinatorListener() {
            @Override
            public void onTransition(dev.colo.checkpoint.protocol.Role role, String from, String to, String why) {
                if (to.equals("PROTECTED")) {
                    protectedAgain.release();
                }
            }
        };
        try (PrimaryCoordinator primary = new PrimaryCoordinator(cfg.nodeId("pvm"), pvm, new AlwaysArbiter(), wake);
             SecondaryCoordinator secondary = new SecondaryCoordinator(
                     new CheckpointConfig().nodeId("svm").periodicInterval(Duration.ZERO)
                             .heartbeatInterval(Duration.ofMillis(100)).heartbeatMisses(10).leaseTtl(Duration.ofSeconds(2)).chunkSize(chunk).maxFrame(chunk + 64),
                     svm, new AlwaysArbiter(), CoordinatorListener.NONE)) {
            InetSocketAddress at = primary.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            long joinStart = System.nanoTime();
            secondary.start(at);
            waitFor(() -> primary.state() == PrimaryState.PROTECTED && secondary.state() == SecondaryState.RUNNING
                    && primary.status().protectedOutput());
            System.out.printf(Locale.ROOT, "CheckpointBench: Java %s, %d CPUs, VM of %d MiB; first sync (full state while running + first checkpoint) took %.1f ms%n",
                    Runtime.version(), Runtime.getRuntime().availableProcessors(), vmMib, (System.nanoTime() - joinStart) / 1e6);
            System.out.println("delta MiB  runs   pause p50 ms   pause min ms   pause max ms   transfer MiB/s p50");
            Random r = new Random(1);
            byte[] page = new byte[InMemoryVm.PAGE_SIZE];
            for (int mib : new int[] {0, 1, 16, 64}) {
                int dirty = Math.min(pages, mib * 256);
                double[] pause = new double[runs];
                double[] rate = new double[runs];
                for (int run = -10; run < runs; run++) { // 10 unmeasured runs: JIT warm-up
                    for (int p = 0; p < dirty; p++) {
                        r.nextBytes(page);
                        pvm.write((long) p * InMemoryVm.PAGE_SIZE, page, 0, page.length);
                    }
                    ColoStatus s = checkpoint(primary, secondary, protectedAgain);
                    if (run >= 0) {
                        pause[run] = s.lastPauseNanos() / 1e6;
                        rate[run] = s.lastTransferNanos() == 0 ? 0 : s.lastTransferBytes() / (1 << 20) / (s.lastTransferNanos() / 1e9);
                    }
                }
                if (!Arrays.equals(pvm.snapshot(), svm.snapshot())) {
                    throw new AssertionError("secondary differs from primary after the " + mib + " MiB runs");
                }
                Arrays.sort(pause);
                Arrays.sort(rate);
                System.out.printf(Locale.ROOT, "%9d %5d %14.3f %14.3f %14.3f %20s%n", mib, runs, pause[runs / 2], pause[0],
                        pause[runs - 1], mib == 0 ? "-" : String.format(Locale.ROOT, "%.0f", rate[runs / 2]));
            }
        }
    }

    private static ColoStatus checkpoint(PrimaryCoordinator primary, SecondaryCoordinator secondary,
                                         java.util.concurrent.Semaphore protectedAgain) throws InterruptedException {
        long before = primary.status().checkpoints();
        long pauseBefore = primary.status().lastPauseNanos();
        protectedAgain.drainPermits();
        primary.requestCheckpoint(Trigger.MANUAL, "bench");
        if (!protectedAgain.tryAcquire(60, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new AssertionError("checkpoint did not complete");
        }
        waitFor(() -> primary.status().checkpoints() > before && secondary.state() == SecondaryState.RUNNING
                && primary.status().lastPauseNanos() != pauseBefore);
        Thread.sleep(2); // let the secondary's VM thread finish resuming before the next round
        return primary.status();
    }

    private static void waitFor(java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000);
        }
    }
}
