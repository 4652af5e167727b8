package dev.colo.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.colo.kvm.guest.GuestAbi;
import dev.colo.kvm.state.StateFormatException;
import dev.colo.kvm.vmm.KvmDevice;
import dev.colo.kvm.vmm.VmStop;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Garbage guests, bad hypercalls and damaged state streams: clear errors, no JVM crash, the VMM stays usable. */
class BadInputTest {
    private static final long COUNTER = 0x200000;

    @BeforeAll
    static void needsKvm() {
        assumeTrue(KvmDevice.available(), "/dev/kvm missing or not accessible on this machine: KVM tests skipped");
    }

    private static VmStop runToStop(MicroVm vm) throws InterruptedException {
        vm.resume();
        long deadline = System.currentTimeMillis() + 10_000;
        while (vm.stopped() == null && System.currentTimeMillis() < deadline) {
            Thread.sleep(1);
        }
        return vm.stopped();
    }

    @Test
    void garbageCodeCrashesTheGuestNotTheVmm() throws Exception {
        byte[] garbage = new byte[4096];
        new Random(42).nextBytes(garbage);
        for (byte[] code : new byte[][] {garbage, {0x0f, 0x0b} /* ud2 */, {(byte) 0xf4} /* hlt at CPL 3 */, {(byte) 0xfa} /* cli */}) {
            try (MicroVm vm = MicroVm.create(MicroVmConfig.of(new TinyGuest().raw(code).image(), null).withMemory(4L << 20))) {
                VmStop stop = runToStop(vm);
                assertTrue(stop != null, "the guest stopped");
                assertEquals(VmStop.Kind.CRASHED, stop.kind(), stop.message());
                assertTrue(stop.message().contains("rip=0x"), stop.message());
            }
        }
        assertVmmStillWorks();
    }

    @Test
    void aHypercallBlockOutsideGuestMemoryStopsTheVmWithAClearError() throws Exception {
        TinyGuest guest = new TinyGuest().hypercall(GuestAbi.WALLTIME, 0xfffffff0L).spin();
        try (MicroVm vm = MicroVm.create(MicroVmConfig.of(guest.image(), null).withMemory(4L << 20))) {
            VmStop stop = runToStop(vm);
            assertEquals(VmStop.Kind.CRASHED, stop.kind());
            assertTrue(stop.message().contains("WALLTIME") && stop.message().contains("outside guest memory"), stop.message());
        }
        assertVmmStillWorks();
    }

    @Test
    void aBufferOutsideGuestMemoryFailsTheCallWithEfault() throws Exception {
        long block = 0x250000;
        // puts with data pointer 0xfffff000, length 16: the call fails, the guest goes on and halts.
        TinyGuest guest = new TinyGuest().store(block, 0xfffff000).store(block + 4, 0).store(block + 8, 16)
                .hypercall(GuestAbi.PUTS, block).hypercall(GuestAbi.HALT, 0x260000).spin();
        try (MicroVm vm = MicroVm.create(MicroVmConfig.of(guest.image(), null).withMemory(4L << 20))) {
            VmStop stop = runToStop(vm);
            assertEquals(VmStop.Kind.HALTED, stop.kind(), stop.message());
            assertEquals(GuestAbi.EFAULT, vm.memory().getInt(block + GuestAbi.BUF_RET));
        }
    }

    @Test
    void damagedStateStreamsAreRejectedAndTheVmStaysOnItsLastState() throws Exception {
        MicroVmConfig config = MicroVmConfig.of(new TinyGuest().countInRbx(COUNTER).image(), null).withMemory(4L << 20);
        try (MicroVm primary = MicroVm.create(config); MicroVm secondary = MicroVm.create(config)) {
            primary.resume();
            Thread.sleep(10);
            primary.pause();
            byte[] full = StateTransfer.bytes(primary.captureFull());

            // A delta before any full state has nothing to apply to.
            primary.resume();
            Thread.sleep(5);
            primary.pause();
            byte[] delta = StateTransfer.bytes(primary.captureDelta());
            StateFormatException noBase = assertThrows(StateFormatException.class, () -> secondary.apply(StateTransfer.stage(secondary, delta)));
            assertTrue(noBase.getMessage().contains("full state"), noBase.getMessage());

            expectRejected(secondary, Arrays.copyOf(full, full.length - 100), "truncated");
            expectRejected(secondary, Arrays.copyOf(full, 20), "truncated");
            byte[] flipped = full.clone();
            flipped[full.length / 2] ^= 1;
            expectRejected(secondary, flipped, "CRC-32C");
            byte[] badMagic = full.clone();
            badMagic[0] = 'X';
            expectRejected(secondary, badMagic, "magic");
            byte[] junk = new byte[100_000];
            new Random(7).nextBytes(junk);
            expectRejected(secondary, junk, "magic");
            byte[] longer = Arrays.copyOf(full, full.length + 8);
            expectRejected(secondary, longer, "END");
            assertEquals(0, secondary.memory().getLong(COUNTER), "nothing of a rejected state was applied");

            // A state of a VM with another memory size is refused by its header.
            try (MicroVm bigger = MicroVm.create(config.withMemory(8L << 20))) {
                expectRejected(bigger, full, "memory");
            }

            // The good stream still applies, and the secondary then runs on from it.
            secondary.apply(StateTransfer.stage(secondary, full));
            long applied = secondary.memory().getLong(COUNTER);
            assertTrue(applied > 0);
            secondary.apply(StateTransfer.stage(secondary, delta));
            secondary.resume();
            Thread.sleep(10);
            secondary.pause();
            assertTrue(secondary.memory().getLong(COUNTER) > applied);
            assertNull(secondary.stopped());
        }
    }

    private static void expectRejected(MicroVm vm, byte[] stream, String why) throws Exception {
        StateFormatException e = assertThrows(StateFormatException.class, () -> vm.apply(StateTransfer.stage(vm, stream)));
        assertTrue(e.getMessage().contains(why), "expected '" + why + "' in: " + e.getMessage());
    }

    private static void assertVmmStillWorks() throws Exception {
        try (MicroVm vm = MicroVm.create(MicroVmConfig.of(new TinyGuest().spinCounting(COUNTER).image(), null).withMemory(4L << 20))) {
            vm.resume();
            Thread.sleep(20);
            vm.pause();
            assertTrue(vm.memory().getLong(COUNTER) > 0, "a fresh VM runs after the failure");
        }
    }
}
