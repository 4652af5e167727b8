package dev.colo.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.colo.kvm.guest.GuestAbi;
import dev.colo.kvm.state.CapturedState;
import dev.colo.kvm.state.StagedState;
import dev.colo.kvm.state.StateFormat;
import dev.colo.kvm.vmm.KvmDevice;
import dev.colo.kvm.vmm.VmStop;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A delta holds exactly the pages the guest wrote plus those the VMM wrote into guest memory for it. */
class DirtyTrackingTest {
    @BeforeAll
    static void needsKvm() {
        assumeTrue(KvmDevice.available(), "/dev/kvm missing or not accessible on this machine: KVM tests skipped");
    }

    @Test
    void deltaIsExactlyTheGuestsWritesPlusTheVmmsWrites() throws Exception {
        long flag = 0x240000;          // the VMM writes it while the VM is paused
        long walltimeBlock = 0x250000; // only the VMM writes this page (the hypercall's result)
        long haltBlock = 0x260000;     // only read, by the VMM
        long[] written = {0x210000, 0x211000, 0x2ff000, 0x300000, 0x300ff8};
        TinyGuest guest = new TinyGuest().awaitFlag(flag).load(0x270000).hypercall(GuestAbi.WALLTIME, walltimeBlock);
        for (long at : written) {
            guest.store(at, 0x5a5a5a5a);
        }
        guest.hypercall(GuestAbi.HALT, haltBlock).spin();
        try (MicroVm vm = MicroVm.create(MicroVmConfig.of(guest.image(), null).withMemory(4L << 20))) {
            vm.captureFull(); // a new dirty epoch: the VMM's boot writes are in the full state
            vm.resume();
            Thread.sleep(50);
            vm.pause();
            // KVM marks a page dirty the first time it maps it in an epoch even for an instruction fetch
            // (an over-approximation, never a miss): the code page shows up once, then never again.
            assertEquals(Set.of(0x100L), memoryPages(vm, vm.captureDelta()));
            vm.memory().putInt(flag, 1);
            vm.resume();
            long deadline = System.currentTimeMillis() + 10_000;
            while (vm.stopped() == null && System.currentTimeMillis() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(VmStop.Kind.HALTED, vm.stopped().kind(), String.valueOf(vm.stopped()));
            assertEquals(Set.of(0x210L, 0x211L, 0x2ffL, 0x300L, 0x250L, 0x240L), memoryPages(vm, vm.captureDelta()));

            // Nothing happened since: the next delta carries no page at all.
            assertEquals(Set.of(), memoryPages(vm, vm.captureDelta()));
        }
    }

    /** Reads a captured stream back and lists the guest pages its MEMORY records carry. */
    static Set<Long> memoryPages(MicroVm vm, CapturedState captured) throws Exception {
        StagedState staged = vm.stage();
        ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
        while (captured.read(chunk.clear()) > 0) {
            staged.accept(chunk.flip());
        }
        staged.verify();
        Set<Long> pages = new TreeSet<>();
        for (int i = 0; i < staged.records(); i++) {
            if (staged.type(i) == StateFormat.MEMORY) {
                long first = new com.sun.jna.Pointer(staged.payload(i)).getLong(0);
                long count = (staged.length(i) - 8) / 4096;
                for (long p = first; p < first + count; p++) {
                    pages.add(p);
                }
            }
        }
        return pages;
    }
}
