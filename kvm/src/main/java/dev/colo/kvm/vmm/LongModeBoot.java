package dev.colo.kvm.vmm;

import com.sun.jna.Memory;
import dev.colo.kvm.sys.Ioctl;
import dev.colo.kvm.sys.KvmIoctl;
import dev.colo.kvm.sys.KvmStructs;

/**
 * Puts a vCPU straight into 64-bit mode at CPL 3 with all guest memory identity-mapped by 2 MiB user
 * pages. Ring 3 because this machine's KVM (kvm-pvm) emulates ring-0 code instruction by instruction
 * and runs ring-3 code natively; port I/O from ring 3 is granted by a TSS I/O-permission bitmap, since
 * kvm-pvm ignores RFLAGS.IOPL. Nothing in guest memory below {@link #FIRST_FREE} belongs to the guest.
 */
public final class LongModeBoot {
    public static final long PML4 = 0x1000;
    public static final long PDPT = 0x2000;
    public static final long PD = 0x3000;
    public static final long TSS = 0x4000;
    /** I/O bitmap right after the 104-byte TSS: 8192 bytes of zero bits (every port allowed), then 0xff. */
    public static final int TSS_LIMIT = 104 + 8192;
    public static final long FIRST_FREE = 0x7000;

    private static final long PAGE_PRESENT_WRITABLE_USER = 0x7;
    /** Accessed and dirty set up front: the CPU never writes the tables, so they never show up in a delta. */
    private static final long ACCESSED = 0x20;
    private static final long DIRTY = 0x40;
    private static final long LARGE_PAGE = 0x80;
    private static final int CODE_SELECTOR = 0x1b;  // GDT index 3, RPL 3
    private static final int DATA_SELECTOR = 0x23;  // GDT index 4, RPL 3
    private static final int TSS_SELECTOR = 0x28;
    private static final long CR0_PE_MP_ET_NE_WP_AM_PG = 0x80050033L;
    private static final long CR4_PAE_OSFXSR_OSXMMEXCPT = 0x620;
    private static final long EFER_LME_LMA = 0x500;

    // struct kvm_sregs: eight 24-byte kvm_segment (cs ds es fs gs ss tr ldt), gdt, idt, then cr0 cr2 cr3 cr4 cr8 efer.
    private static final int SEG_CS = 0;
    private static final int[] SEG_DATA = {24, 48, 72, 96, 120};
    private static final int SEG_TR = 144;
    private static final int SREGS_CR0 = 224;
    private static final int SREGS_CR3 = 240;
    private static final int SREGS_CR4 = 248;
    private static final int SREGS_EFER = 264;

    private LongModeBoot() {
    }

    /** Writes page tables and the TSS into guest memory. */
    public static void writeTables(GuestMemory memory) {
        memory.fill(0, FIRST_FREE, (byte) 0);
        memory.putLong(PML4, PDPT | ACCESSED | PAGE_PRESENT_WRITABLE_USER);
        memory.putLong(PDPT, PD | ACCESSED | PAGE_PRESENT_WRITABLE_USER);
        long twoMiB = 2L << 20;
        for (long i = 0; i < memory.size() / twoMiB; i++) {
            memory.putLong(PD + 8 * i, (i * twoMiB) | LARGE_PAGE | DIRTY | ACCESSED | PAGE_PRESENT_WRITABLE_USER);
        }
        memory.putInt(TSS + 100, 104 << 16); // u16 iomap base at offset 102
        memory.fill(TSS + TSS_LIMIT, 1, (byte) 0xff);
    }

    /** Sets the vCPU's segment, control registers and entry registers. The vCPU must be paused. */
    public static void enter(Vcpu vcpu, long rip, long rsp, long rdi) {
        try (Memory sregs = new Memory(KvmStructs.SREGS_SIZE); Memory regs = new Memory(KvmStructs.REGS_SIZE)) {
            Ioctl.call(vcpu.fd(), KvmIoctl.GET_SREGS, sregs, "KVM_GET_SREGS");
            segment(sregs, SEG_CS, CODE_SELECTOR, 11, true);
            for (int at : SEG_DATA) {
                segment(sregs, at, DATA_SELECTOR, 3, false);
            }
            sregs.setLong(SEG_TR, TSS);
            sregs.setInt(SEG_TR + 8, TSS_LIMIT);
            sregs.setShort(SEG_TR + 12, (short) TSS_SELECTOR);
            sregs.setByte(SEG_TR + 14, (byte) 11); // busy 64-bit TSS
            sregs.setByte(SEG_TR + 15, (byte) 1);  // present
            sregs.setByte(SEG_TR + 18, (byte) 0);  // system segment
            sregs.setLong(SREGS_CR0, CR0_PE_MP_ET_NE_WP_AM_PG);
            sregs.setLong(SREGS_CR3, PML4);
            sregs.setLong(SREGS_CR4, CR4_PAE_OSFXSR_OSXMMEXCPT);
            sregs.setLong(SREGS_EFER, EFER_LME_LMA);
            Ioctl.call(vcpu.fd(), KvmIoctl.SET_SREGS, sregs, "KVM_SET_SREGS");
            regs.clear();
            regs.setLong(KvmStructs.REGS_RIP, rip);
            regs.setLong(KvmStructs.REGS_RSP, rsp);
            regs.setLong(KvmStructs.REGS_RDI, rdi);
            regs.setLong(KvmStructs.REGS_RFLAGS, 0x2); // reserved bit 1; interrupts off
            Ioctl.call(vcpu.fd(), KvmIoctl.SET_REGS, regs, "KVM_SET_REGS");
        }
    }

    /** A flat ring-3 segment: base 0, limit 4 GiB, present, granular. */
    private static void segment(Memory sregs, int at, int selector, int type, boolean code64) {
        sregs.setLong(at, 0);
        sregs.setInt(at + 8, 0xffffffff);
        sregs.setShort(at + 12, (short) selector);
        sregs.setByte(at + 14, (byte) type);
        sregs.setByte(at + 15, (byte) 1);               // present
        sregs.setByte(at + 16, (byte) 3);               // dpl
        sregs.setByte(at + 17, (byte) (code64 ? 0 : 1)); // db
        sregs.setByte(at + 18, (byte) 1);               // code/data
        sregs.setByte(at + 19, (byte) (code64 ? 1 : 0)); // l
        sregs.setByte(at + 20, (byte) 1);               // g
        sregs.setByte(at + 21, (byte) 0);
        sregs.setByte(at + 22, (byte) 0);               // usable
    }
}
