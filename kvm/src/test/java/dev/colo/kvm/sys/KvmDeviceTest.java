package dev.colo.kvm.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The bindings against the real /dev/kvm: a VM with dirty-logged memory and a vCPU whose kvm_run is mapped. */
class KvmDeviceTest {
    private static final long MEMORY = 2L << 20;

    @Test
    void aVmWithDirtyLoggedMemoryAndAVcpuCanBeCreated() {
        assumeTrue(Files.exists(Path.of("/dev/kvm")), "/dev/kvm missing on this machine: skipped");
        int kvm = LibC.open("/dev/kvm", LibC.O_RDWR | LibC.O_CLOEXEC);
        try {
            assertEquals(KvmIoctl.API_VERSION, LibC.ioctl(kvm, KvmIoctl.GET_API_VERSION, 0L));
            int vm = LibC.ioctl(kvm, KvmIoctl.CREATE_VM, 0L);
            Pointer ram = LibC.mmap(null, MEMORY, LibC.PROT_READ | LibC.PROT_WRITE,
                    LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
            assertFalse(LibC.failed(ram));
            try (Memory region = new Memory(KvmStructs.MEMORY_REGION_SIZE)) {
                region.clear();
                region.setInt(KvmStructs.MEMORY_REGION_SLOT, 0);
                region.setInt(KvmStructs.MEMORY_REGION_FLAGS, KvmStructs.MEM_LOG_DIRTY_PAGES);
                region.setLong(KvmStructs.MEMORY_REGION_GUEST_PHYS, 0);
                region.setLong(KvmStructs.MEMORY_REGION_SIZE_FIELD, MEMORY);
                region.setLong(KvmStructs.MEMORY_REGION_USER_ADDR, Pointer.nativeValue(ram));
                assertEquals(0, LibC.ioctl(vm, KvmIoctl.SET_USER_MEMORY_REGION, region));
            }
            int vcpu = LibC.ioctl(vm, KvmIoctl.CREATE_VCPU, 0L);
            int runSize = LibC.ioctl(kvm, KvmIoctl.GET_VCPU_MMAP_SIZE, 0L);
            assertTrue(runSize >= 4096, "kvm_run mapping of " + runSize + " bytes");
            Pointer run = LibC.mmap(null, runSize, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, vcpu, 0);
            assertFalse(LibC.failed(run));
            try (Memory regs = new Memory(KvmStructs.REGS_SIZE); Memory sregs = new Memory(KvmStructs.SREGS_SIZE)) {
                assertEquals(0, LibC.ioctl(vcpu, KvmIoctl.GET_REGS, regs));
                assertEquals(0, LibC.ioctl(vcpu, KvmIoctl.GET_SREGS, sregs));
                assertEquals(0xfff0L, regs.getLong(128), "a fresh vCPU starts at the reset vector (rip 0xfff0)");
            }
            try (Memory bitmap = new Memory(MEMORY / 4096 / 8); Memory log = new Memory(KvmStructs.DIRTY_LOG_SIZE)) {
                bitmap.clear();
                log.clear();
                log.setInt(KvmStructs.DIRTY_LOG_SLOT, 0);
                log.setPointer(KvmStructs.DIRTY_LOG_BITMAP, bitmap);
                assertEquals(0, LibC.ioctl(vm, KvmIoctl.GET_DIRTY_LOG, log));
                for (long i = 0; i < bitmap.size(); i += 8) {
                    assertEquals(0, bitmap.getLong(i), "no guest ran, so no page is dirty");
                }
                log.setInt(KvmStructs.DIRTY_LOG_SLOT, 7);
                LastErrorException e = assertThrows(LastErrorException.class, () -> LibC.ioctl(vm, KvmIoctl.GET_DIRTY_LOG, log));
                assertTrue(e.getErrorCode() > 0, "a bad slot is an errno, not a crash: " + e.getErrorCode());
            }
            LibC.munmap(run, runSize);
            LibC.close(vcpu);
            LibC.munmap(ram, MEMORY);
            LibC.close(vm);
        } finally {
            LibC.close(kvm);
        }
    }
}
