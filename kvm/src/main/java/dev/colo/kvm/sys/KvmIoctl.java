package dev.colo.kvm.sys;

/**
 * The /dev/kvm ioctl numbers this VMM uses (x86-64), as {@code _IO/_IOR/_IOW/_IOWR(0xAE, nr, size)}
 * compute them. KvmIoctlTest compiles a C probe against {@code <linux/kvm.h>} and checks every one.
 */
public final class KvmIoctl {
    public static final long GET_API_VERSION = 0xAE00L;
    public static final long CREATE_VM = 0xAE01L;
    public static final long CHECK_EXTENSION = 0xAE03L;
    public static final long GET_MSR_INDEX_LIST = 0xC004AE02L;
    public static final long GET_VCPU_MMAP_SIZE = 0xAE04L;
    public static final long GET_SUPPORTED_CPUID = 0xC008AE05L;
    public static final long CREATE_VCPU = 0xAE41L;
    public static final long GET_DIRTY_LOG = 0x4010AE42L;
    public static final long SET_USER_MEMORY_REGION = 0x4020AE46L;
    public static final long RUN = 0xAE80L;
    public static final long GET_REGS = 0x8090AE81L;
    public static final long SET_REGS = 0x4090AE82L;
    public static final long GET_SREGS = 0x8138AE83L;
    public static final long SET_SREGS = 0x4138AE84L;
    public static final long GET_MSRS = 0xC008AE88L;
    public static final long SET_MSRS = 0x4008AE89L;
    public static final long GET_FPU = 0x81A0AE8CL;
    public static final long SET_FPU = 0x41A0AE8DL;
    public static final long GET_LAPIC = 0x8400AE8EL;
    public static final long SET_LAPIC = 0x4400AE8FL;
    public static final long GET_MP_STATE = 0x8004AE98L;
    public static final long SET_MP_STATE = 0x4004AE99L;
    public static final long GET_VCPU_EVENTS = 0x8040AE9FL;
    public static final long SET_VCPU_EVENTS = 0x4040AEA0L;
    public static final long SET_CPUID2 = 0x4008AE90L;
    public static final long GET_DEBUGREGS = 0x8080AEA1L;
    public static final long SET_DEBUGREGS = 0x4080AEA2L;
    public static final long GET_XSAVE = 0x9000AEA4L;
    public static final long SET_XSAVE = 0x5000AEA5L;
    public static final long GET_XCRS = 0x8188AEA6L;
    public static final long SET_XCRS = 0x4188AEA7L;
    public static final long GET_XSAVE2 = 0x9000AECFL;
    public static final long GET_CLOCK = 0x8030AE7CL;
    public static final long SET_CLOCK = 0x4030AE7BL;
    public static final long CREATE_IRQCHIP = 0xAE60L;

    public static final int CAP_IRQCHIP = 0;
    public static final int CAP_XSAVE2 = 208;

    /** The only API version there has ever been. */
    public static final int API_VERSION = 12;

    private KvmIoctl() {
    }
}
