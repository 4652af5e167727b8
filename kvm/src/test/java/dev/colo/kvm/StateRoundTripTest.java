package dev.colo.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.colo.kvm.vmm.KvmDevice;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A second VM restored from a first's state continues where the first was: registers (the count lives
 * in rbx), memory, and, after a delta, with its own writes since the last apply undone.
 */
class StateRoundTripTest {
    private static final long COUNTER = 0x200000;
    private static final long SECONDARY_SCRIBBLE = 0x280000;

    @BeforeAll
    static void needsKvm() {
        assumeTrue(KvmDevice.available(), "/dev/kvm missing or not accessible on this machine: KVM tests skipped");
    }

    @Test
    void fullThenDeltasMakeTheSecondVmContinueThePrimarysCount() throws Exception {
        MicroVmConfig config = MicroVmConfig.of(new TinyGuest().countInRbx(COUNTER).image(), null).withMemory(4L << 20);
        try (MicroVm primary = MicroVm.create(config); MicroVm secondary = MicroVm.create(config)) {
            primary.resume();
            Thread.sleep(20);
            primary.pause();
            StateTransfer.copy(primary.captureFull(), secondary);
            long atCheckpoint = primary.memory().getLong(COUNTER);
            assertTrue(atCheckpoint > 0);
            assertEquals(atCheckpoint, secondary.memory().getLong(COUNTER));

            for (int round = 0; round < 20; round++) {
                // Both run on their own; the secondary also "diverges" in a page the primary never touches.
                secondary.resume();
                primary.resume();
                // Until the secondary has run at all (on a busy 2-core machine a few ms may not be enough),
                // bounded: a secondary that never moves fails the assertion below.
                long waitUntil = System.currentTimeMillis() + 5_000;
                long base = secondary.memory().getLong(COUNTER);
                while (secondary.memory().getLong(COUNTER) == base && System.currentTimeMillis() < waitUntil) {
                    Thread.sleep(1);
                }
                secondary.pause();
                long secondaryCount = secondary.memory().getLong(COUNTER);
                assertTrue(secondaryCount > atCheckpoint, "round " + round + ": the secondary counts on from the checkpoint (rbx restored), got "
                        + secondaryCount + " after " + atCheckpoint);
                secondary.memory().putLong(SECONDARY_SCRIBBLE, 0xdeadbeefL + round);
                primary.pause();
                atCheckpoint = primary.memory().getLong(COUNTER);
                StateTransfer.copy(primary.captureDelta(), secondary);
                assertEquals(atCheckpoint, secondary.memory().getLong(COUNTER), "round " + round);
                assertEquals(0, secondary.memory().getLong(SECONDARY_SCRIBBLE), "round " + round + ": the secondary's own write undone");
            }
            assertNull(primary.stopped());
            assertNull(secondary.stopped());
        }
    }
}
