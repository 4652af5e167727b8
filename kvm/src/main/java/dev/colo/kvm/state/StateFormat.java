package dev.colo.kvm.state;

/**
 * The VM state stream: a 32-byte header, then records, then an END record.
 *
 * <pre>
 * header:  magic "COLOKVM1" | u32 version | u32 flags | u64 memory size | u32 vCPUs | u32 reserved
 * record:  u16 type | u16 instance | u32 reserved (0) | u64 payload length | payload
 *   MEMORY   payload = u64 first page | whole 4 KiB pages
 *   VCPU_*   payload = the kernel struct as KVM_GET_* returns it (instance = vCPU id)
 *   DEVICE_* payload = the device's own state (instance = device index)
 * END:     payload = u32 record count | u32 CRC-32C of every byte before the END record
 * </pre>
 * All numbers little-endian (the host's; the stream only ever moves between x86-64 hosts).
 */
public final class StateFormat {
    public static final long MAGIC = 0x314d564b4f4c4f43L; // "COLOKVM1" read as a little-endian u64
    public static final int VERSION = 1;
    public static final int HEADER_SIZE = 32;
    public static final int RECORD_HEADER_SIZE = 16;
    public static final int END_PAYLOAD_SIZE = 8;

    /** Header flag: only pages dirtied since the previous capture (else every page). */
    public static final int FLAG_DELTA = 1;
    /** Header flag: vCPU and device records present (a full capture taken while running has only memory). */
    public static final int FLAG_MACHINE = 2;

    public static final int MEMORY = 1;
    public static final int VCPU_MP_STATE = 16;
    public static final int VCPU_REGS = 17;
    public static final int VCPU_SREGS = 18;
    public static final int VCPU_XSAVE = 19;
    public static final int VCPU_XCRS = 20;
    public static final int VCPU_DEBUGREGS = 21;
    public static final int VCPU_LAPIC = 22;
    public static final int VCPU_MSRS = 23;
    public static final int VCPU_EVENTS = 24;
    public static final int DEVICE_NET = 32;
    public static final int DEVICE_CONSOLE = 33;
    public static final int END = 255;

    private StateFormat() {
    }

    public static String typeName(int type) {
        return switch (type) {
            case MEMORY -> "MEMORY";
            case VCPU_MP_STATE -> "VCPU_MP_STATE";
            case VCPU_REGS -> "VCPU_REGS";
            case VCPU_SREGS -> "VCPU_SREGS";
            case VCPU_XSAVE -> "VCPU_XSAVE";
            case VCPU_XCRS -> "VCPU_XCRS";
            case VCPU_DEBUGREGS -> "VCPU_DEBUGREGS";
            case VCPU_LAPIC -> "VCPU_LAPIC";
            case VCPU_MSRS -> "VCPU_MSRS";
            case VCPU_EVENTS -> "VCPU_EVENTS";
            case DEVICE_NET -> "DEVICE_NET";
            case DEVICE_CONSOLE -> "DEVICE_CONSOLE";
            case END -> "END";
            default -> "type " + type;
        };
    }
}
