package dev.colo.kvm.guest;

/** The guest <-> VMM interface, mirroring kvm/src/main/guest/hvc.h: change both together. */
public final class GuestAbi {
    public static final long LOAD_ADDR = 0x100000L;
    public static final long BOOT_INFO_ADDR = 0x7000L;
    public static final int PORT_BASE = 0x500;

    public static final int PUTS = 0;
    public static final int WALLTIME = 1;
    public static final int NET_INFO = 2;
    public static final int NET_WRITE = 3;
    public static final int NET_READ = 4;
    public static final int POLL = 5;
    public static final int HALT = 6;
    public static final int CALLS = 7;

    public static final int OK = 0;
    public static final int EAGAIN = -11;
    public static final int EFAULT = -14;
    public static final int EINVAL = -22;

    /** struct hvc_boot_info. */
    public static final int BOOT_MEMORY_SIZE = 0;
    public static final int BOOT_IMAGE_END = 8;
    public static final int BOOT_IPV4_ADDR = 16;
    public static final int BOOT_IPV4_PREFIX = 20;
    public static final int BOOT_CMDLINE = 24;
    public static final int BOOT_CMDLINE_SIZE = 240;
    public static final int BOOT_INFO_SIZE = 264;

    /** struct hvc_puts / hvc_net_write / hvc_net_read: data u64, len u64, ret i32, pad. */
    public static final int BUF_DATA = 0;
    public static final int BUF_LEN = 8;
    public static final int BUF_RET = 16;
    public static final int BUF_BLOCK_SIZE = 24;

    /** struct hvc_walltime. */
    public static final int WALLTIME_BLOCK_SIZE = 8;
    /** struct hvc_net_info: mac[6], pad u16, mtu u32. */
    public static final int NET_INFO_MTU = 8;
    public static final int NET_INFO_BLOCK_SIZE = 12;
    /** struct hvc_poll: deadline u64, ready u32, ret i32. */
    public static final int POLL_READY = 8;
    public static final int POLL_RET = 12;
    public static final int POLL_BLOCK_SIZE = 16;
    /** struct hvc_halt. */
    public static final int HALT_BLOCK_SIZE = 8;

    private GuestAbi() {
    }

    public static String callName(int call) {
        return switch (call) {
            case PUTS -> "PUTS";
            case WALLTIME -> "WALLTIME";
            case NET_INFO -> "NET_INFO";
            case NET_WRITE -> "NET_WRITE";
            case NET_READ -> "NET_READ";
            case POLL -> "POLL";
            case HALT -> "HALT";
            default -> "call " + call;
        };
    }
}
