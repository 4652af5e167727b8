package dev.colo.kvm.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A guest entered straight into 64-bit mode at CPL 3 (on kvm-pvm, ring-0 code is emulated and SSE
 * fails; ring 3 runs natively) runs hand-assembled code: two port-I/O hypercalls, then a third that
 * stops it. Proves the long-mode setup the VMM will use: identity-mapped 2 MiB user pages, 64-bit
 * user code and data segments, and port access through a TSS I/O-permission bitmap (found here:
 * kvm-pvm ignores RFLAGS.IOPL = 3, so {@code out} at CPL 3 faults without the bitmap).
 */
class Ring3GuestTest {
    private static final long MEMORY = 4L << 20;
    private static final long PML4 = 0x1000;
    private static final long PDPT = 0x2000;
    private static final long PD = 0x3000;
    private static final long CODE = 0x10000;
    private static final int CONSOLE_PORT = 0x3f8;
    private static final int HALT_PORT = 0x501;

    // kvm_sregs layout: 8 kvm_segment of 24 bytes (cs ds es fs gs ss tr ldt), gdt, idt, then cr0 cr2 cr3 cr4 cr8 efer.
    private static final int SEG = 24;
    private static final int CS = 0;
    private static final int DS = 24;
    private static final int ES = 48;
    private static final int FS = 72;
    private static final int GS = 96;
    private static final int SS = 120;
    private static final int TR = 144;
    private static final int CR0 = 224;
    private static final int CR3 = 240;
    private static final int CR4 = 248;
    private static final int EFER = 264;

    @Test
    void aRing3LongModeGuestMakesPortIoHypercalls() {
        assumeTrue(Files.exists(Path.of("/dev/kvm")), "/dev/kvm missing on this machine: skipped");
        int kvm = LibC.open("/dev/kvm", LibC.O_RDWR | LibC.O_CLOEXEC);
        int vm = LibC.ioctl(kvm, KvmIoctl.CREATE_VM, 0L);
        Pointer ram = LibC.mmap(null, MEMORY, LibC.PROT_READ | LibC.PROT_WRITE,
                LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
        try (Memory region = new Memory(KvmStructs.MEMORY_REGION_SIZE)) {
            region.clear();
            region.setInt(KvmStructs.MEMORY_REGION_FLAGS, KvmStructs.MEM_LOG_DIRTY_PAGES);
            region.setLong(KvmStructs.MEMORY_REGION_SIZE_FIELD, MEMORY);
            region.setLong(KvmStructs.MEMORY_REGION_USER_ADDR, Pointer.nativeValue(ram));
            LibC.ioctl(vm, KvmIoctl.SET_USER_MEMORY_REGION, region);
        }
        // Page tables: identity-map the first 4 MiB with two 2 MiB user pages (user bit at every level).
        ram.setLong(PML4, PDPT | 0x7);
        ram.setLong(PDPT, PD | 0x7);
        ram.setLong(PD, 0x87);
        ram.setLong(PD + 8, (2L << 20) | 0x87);
        // mov dx,0x3f8; mov al,'O'; out dx,al; mov al,'K'; out dx,al; mov dx,0x501; out dx,al; jmp $
        byte[] code = {
            0x66, (byte) 0xba, (byte) 0xf8, 0x03,
            (byte) 0xb0, 'O', (byte) 0xee,
            (byte) 0xb0, 'K', (byte) 0xee,
            0x66, (byte) 0xba, 0x01, 0x05, (byte) 0xee,
            (byte) 0xeb, (byte) 0xfe};
        ram.write(CODE, code, 0, code.length);

        int vcpu = LibC.ioctl(vm, KvmIoctl.CREATE_VCPU, 0L);
        int runSize = LibC.ioctl(kvm, KvmIoctl.GET_VCPU_MMAP_SIZE, 0L);
        Pointer run = LibC.mmap(null, runSize, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, vcpu, 0);
        try (Memory sregs = new Memory(KvmStructs.SREGS_SIZE); Memory regs = new Memory(KvmStructs.REGS_SIZE)) {
            LibC.ioctl(vcpu, KvmIoctl.GET_SREGS, sregs);
            regs.clear();
            regs.setLong(128, CODE);      // rip
            // kvm-pvm strips IOPL 3 (it reads back as 0): ring-3 port I/O is allowed by the TSS bitmap below.
            regs.setLong(136, 0x2);
            regs.setLong(48, 0x200000);   // rsp
            LibC.ioctl(vcpu, KvmIoctl.SET_REGS, regs);
            segment(sregs, CS, 0x1b, 11, 1);        // 64-bit code, ring 3
            for (int s : new int[] {DS, ES, FS, GS, SS}) {
                segment(sregs, s, 0x23, 3, 0);      // data, ring 3
            }
            // A 64-bit TSS at 0x4000 whose I/O permission bitmap allows every port (all zero bits).
            ram.setShort(0x4000 + 102, (short) 104);
            ram.setMemory(0x4000 + 104, 8192, (byte) 0);
            ram.setByte(0x4000 + 104 + 8192, (byte) 0xff);
            sregs.setLong(TR, 0x4000);             // base
            sregs.setShort(TR + 12, (short) 0x28); // selector
            sregs.setByte(TR + 14, (byte) 11);     // busy 64-bit TSS
            sregs.setByte(TR + 15, (byte) 1);      // present
            sregs.setInt(TR + 8, 104 + 8192);      // limit: the TSS and its I/O bitmap
            sregs.setLong(CR0, 0x80050033L);
            sregs.setLong(CR3, PML4);
            sregs.setLong(CR4, 0x620);
            sregs.setLong(EFER, 0x500);
            LibC.ioctl(vcpu, KvmIoctl.SET_SREGS, sregs);
        }
        StringBuilder console = new StringBuilder();
        int exits = 0;
        while (exits++ < 10) {
            LibC.ioctl(vcpu, KvmIoctl.RUN, 0L);
            int reason = run.getInt(KvmStructs.RUN_EXIT_REASON);
            if (reason != KvmStructs.EXIT_IO) {
                try (Memory r = new Memory(KvmStructs.REGS_SIZE); Memory sr = new Memory(KvmStructs.SREGS_SIZE)) {
                    LibC.ioctl(vcpu, KvmIoctl.GET_REGS, r);
                    LibC.ioctl(vcpu, KvmIoctl.GET_SREGS, sr);
                    System.out.printf("unexpected exit: rip=%x rflags=%x cr0=%x cr3=%x cr4=%x efer=%x cs.sel=%x cs.l=%d cs.dpl=%d cs.type=%d%n",
                            r.getLong(128), r.getLong(136), sr.getLong(CR0), sr.getLong(CR3), sr.getLong(CR4), sr.getLong(EFER),
                            sr.getShort(CS + 12), sr.getByte(CS + 19), sr.getByte(CS + 16), sr.getByte(CS + 14));
                }
            }
            assertEquals(KvmStructs.EXIT_IO, reason, "exit reason " + reason + " after " + console);
            int port = run.getShort(KvmStructs.RUN_IO_PORT) & 0xffff;
            long dataOffset = run.getLong(KvmStructs.RUN_IO_DATA_OFFSET);
            if (port == HALT_PORT) {
                break;
            }
            assertEquals(CONSOLE_PORT, port);
            console.append((char) run.getByte(dataOffset));
        }
        assertEquals("OK", console.toString());
        LibC.munmap(run, runSize);
        LibC.close(vcpu);
        LibC.munmap(ram, MEMORY);
        LibC.close(vm);
        LibC.close(kvm);
    }

    /** A flat 64-bit segment: base 0, limit 4 GiB, present, granular. */
    private static void segment(Memory sregs, int at, int selector, int type, int longMode) {
        sregs.setLong(at, 0);
        sregs.setInt(at + 8, 0xffffffff);
        sregs.setShort(at + 12, (short) selector);
        sregs.setByte(at + 14, (byte) type);
        sregs.setByte(at + 15, (byte) 1);                  // present
        sregs.setByte(at + 16, (byte) 3);                  // dpl
        sregs.setByte(at + 17, (byte) (longMode == 1 ? 0 : 1)); // db
        sregs.setByte(at + 18, (byte) 1);                  // s: code/data
        sregs.setByte(at + 19, (byte) longMode);           // l
        sregs.setByte(at + 20, (byte) 1);                  // g
        sregs.setByte(at + 21, (byte) 0);                  // avl
        sregs.setByte(at + 22, (byte) 0);                  // unusable
        assertEquals(SEG, 24);
    }
}
