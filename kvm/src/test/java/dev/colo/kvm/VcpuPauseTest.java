package dev.colo.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.colo.kvm.vmm.KvmDevice;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Pause and resume a vCPU that spins in guest code without ever exiting to the VMM. */
class VcpuPauseTest {
    private static final long COUNTER = 0x200000;

    @BeforeAll
    static void needsKvm() {
        assumeTrue(KvmDevice.available(), "/dev/kvm missing or not accessible on this machine: KVM tests skipped");
    }

    @Test
    void aGuestSpinningWithoutExitsIsPausedAndResumedRepeatedly() {
        MicroVmConfig config = MicroVmConfig.of(new TinyGuest().spinCounting(COUNTER).image(), null).withMemory(4L << 20);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (MicroVm vm = MicroVm.create(config)) {
                assertTrue(vm.isPaused(), "a new VM starts paused");
                assertEquals(0, vm.memory().getLong(COUNTER));
                long last = 0;
                for (int round = 0; round < 50; round++) {
                    vm.resume();
                    long deadline = System.nanoTime() + 2_000_000_000L;
                    while (vm.memory().getLong(COUNTER) == last && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    vm.pause();
                    assertTrue(vm.isPaused());
                    long atPause = vm.memory().getLong(COUNTER);
                    assertTrue(atPause > last, "round " + round + ": the guest ran between resume and pause");
                    Thread.sleep(2);
                    assertEquals(atPause, vm.memory().getLong(COUNTER), "round " + round + ": the guest ran while paused");
                    last = atPause;
                }
                assertNull(vm.stopped());
            }
        });
    }
}
