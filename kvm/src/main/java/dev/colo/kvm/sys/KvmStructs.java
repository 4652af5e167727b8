package dev.colo.kvm.sys;

/**
 * Sizes and field offsets of the kvm structs this VMM reads and writes as raw memory (JNA Memory plus
 * offsets: unions and flexible arrays map badly onto JNA Structures). Checked by the C probe test.
 */
public final class KvmStructs {
    /** struct kvm_userspace_memory_region: slot u32, flags u32, guest_phys_addr u64, memory_size u64, userspace_addr u64. */
    public static final int MEMORY_REGION_SIZE = 32;
    public static final int MEMORY_REGION_SLOT = 0;
    public static final int MEMORY_REGION_FLAGS = 4;
    public static final int MEMORY_REGION_GUEST_PHYS = 8;
    public static final int MEMORY_REGION_SIZE_FIELD = 16;
    public static final int MEMORY_REGION_USER_ADDR = 24;
    public static final int MEM_LOG_DIRTY_PAGES = 1;

    /** struct kvm_dirty_log: slot u32, padding, then a pointer to the bitmap. */
    public static final int DIRTY_LOG_SIZE = 16;
    public static final int DIRTY_LOG_SLOT = 0;
    public static final int DIRTY_LOG_BITMAP = 8;

    public static final int REGS_SIZE = 144;
    public static final int SREGS_SIZE = 312;
    public static final int FPU_SIZE = 416;
    public static final int XSAVE_SIZE = 4096;
    public static final int XCRS_SIZE = 392;
    public static final int LAPIC_SIZE = 1024;
    public static final int VCPU_EVENTS_SIZE = 64;
    public static final int MP_STATE_SIZE = 4;
    public static final int CLOCK_DATA_SIZE = 48;
    public static final int DEBUGREGS_SIZE = 128;

    /** struct kvm_msrs: nmsrs u32, pad u32, then entries {index u32, reserved u32, data u64}. */
    public static final int MSRS_HEADER_SIZE = 8;
    public static final int MSR_ENTRY_SIZE = 16;
    /** struct kvm_msr_list: nmsrs u32, then u32 indices. */
    public static final int MSR_LIST_HEADER_SIZE = 4;
    /** struct kvm_cpuid2: nent u32, padding u32, then 40-byte entries. */
    public static final int CPUID2_HEADER_SIZE = 8;
    public static final int CPUID_ENTRY2_SIZE = 40;

    /** struct kvm_regs: the fields the VMM sets at boot. */
    public static final int REGS_RSP = 48;
    public static final int REGS_RDI = 40;
    public static final int REGS_RIP = 128;
    public static final int REGS_RFLAGS = 136;

    /** struct kvm_run: the fields the run loop needs. */
    public static final int RUN_REQUEST_INTERRUPT_WINDOW = 0;
    public static final int RUN_IMMEDIATE_EXIT = 1;
    public static final int RUN_EXIT_REASON = 8;
    public static final int RUN_IO_DIRECTION = 32;
    public static final int RUN_IO_SIZE = 33;
    public static final int RUN_IO_PORT = 34;
    public static final int RUN_IO_COUNT = 36;
    public static final int RUN_IO_DATA_OFFSET = 40;
    public static final int RUN_MMIO_PHYS_ADDR = 32;
    public static final int RUN_MMIO_IS_WRITE = 52;
    public static final int RUN_FAIL_ENTRY_REASON = 32;
    public static final int RUN_INTERNAL_SUBERROR = 32;
    public static final int EXIT_IO_OUT = 1;

    public static final int EXIT_IO = 2;
    public static final int EXIT_HLT = 5;
    public static final int EXIT_MMIO = 6;
    public static final int EXIT_SHUTDOWN = 8;
    public static final int EXIT_FAIL_ENTRY = 9;
    public static final int EXIT_INTR = 10;
    public static final int EXIT_INTERNAL_ERROR = 17;

    private KvmStructs() {
    }
}
