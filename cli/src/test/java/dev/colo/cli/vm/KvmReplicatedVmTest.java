package dev.colo.cli.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.colo.checkpoint.CheckpointConfig;
import dev.colo.checkpoint.CoordinatorListener;
import dev.colo.checkpoint.PrimaryCoordinator;
import dev.colo.checkpoint.PrimaryState;
import dev.colo.checkpoint.SecondaryCoordinator;
import dev.colo.checkpoint.SecondaryState;
import dev.colo.checkpoint.arbiter.AlwaysArbiter;
import dev.colo.checkpoint.protocol.Trigger;
import dev.colo.kvm.MicroVm;
import dev.colo.kvm.MicroVmConfig;
import dev.colo.kvm.guest.GuestImage;
import dev.colo.kvm.vmm.KvmDevice;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The checkpoint protocol driving two real KVM VMs over loopback: the first sync, on-demand
 * checkpoints, then failover. The guest counts in a register and mirrors the count to memory, so a
 * secondary that did not get the vCPU state would count from zero after taking over.
 */
class KvmReplicatedVmTest {
    private static final long COUNTER = 0x200000;
    // inc rbx; mov [COUNTER], rbx; jmp back
    private static final byte[] COUNT_IN_RBX = {0x48, (byte) 0xff, (byte) 0xc3, 0x48, (byte) 0x89, 0x1c, 0x25, 0x00, 0x00, 0x20, 0x00, (byte) 0xeb, (byte) 0xf3};

    @Test
    void theProtocolCheckpointsRealVmsAndTheSecondaryTakesOverFromTheLastOne() throws Exception {
        assumeTrue(KvmDevice.available(), "/dev/kvm missing or not accessible on this machine: skipped");
        MicroVmConfig config = MicroVmConfig.of(GuestImage.of("counter", COUNT_IN_RBX), null).withMemory(8L << 20);
        AtomicInteger committed = new AtomicInteger();
        CoordinatorListener onCommit = new CoordinatorListener() {
            @Override
            public void onCheckpointCommitted(long id, Trigger trigger) {
                committed.incrementAndGet();
            }
        };
        try (MicroVm pvm = MicroVm.create(config); MicroVm svm = MicroVm.create(config);
             PrimaryCoordinator primary = new PrimaryCoordinator(config("pvm-node"), new KvmReplicatedVm(pvm), new AlwaysArbiter(), onCommit);
             SecondaryCoordinator secondary = new SecondaryCoordinator(config("svm-node"), new KvmReplicatedVm(svm), new AlwaysArbiter(), CoordinatorListener.NONE)) {
            pvm.resume();
            InetSocketAddress at = primary.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            secondary.start(at);
            await(() -> primary.state() == PrimaryState.PROTECTED, "protection");
            for (int i = 0; i < 10; i++) {
                int before = committed.get();
                primary.requestCheckpoint(Trigger.ON_DEMAND, "test " + i);
                await(() -> committed.get() > before && primary.state() == PrimaryState.PROTECTED, "checkpoint " + i);
            }
            assertEquals(0, primary.status().aborted());
            long primaryCount = pvm.memory().getLong(COUNTER);
            assertTrue(primaryCount > 0);

            primary.close(); // the primary's host dies: its sockets close
            pvm.pause();
            await(() -> secondary.state() == SecondaryState.PROMOTED, "failover");
            await(() -> !svm.isPaused(), "the secondary running");
            long first = svm.memory().getLong(COUNTER);
            Thread.sleep(20);
            long later = svm.memory().getLong(COUNTER);
            assertTrue(first > 1000 && later > first, "the secondary counts on from the primary's count (" + first + " -> " + later + ")");
            assertNull(svm.stopped());
        }
    }

    private static CheckpointConfig config(String node) {
        return new CheckpointConfig().nodeId(node).heartbeatInterval(Duration.ofMillis(100)).heartbeatMisses(5).leaseTtl(Duration.ofSeconds(2))
                .syncTimeout(Duration.ofSeconds(2)).periodicInterval(Duration.ZERO).minInterval(Duration.ZERO)
                .reconnectDelay(Duration.ofMillis(50)).promotionTimeout(Duration.ofMillis(500));
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}
