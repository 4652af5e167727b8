package dev.colo.kvm.vmm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.colo.kvm.state.StateFormat;
import dev.colo.kvm.state.StateWriter;
import dev.colo.kvm.sys.Ioctl;
import dev.colo.kvm.sys.KvmException;
import dev.colo.kvm.sys.KvmIoctl;
import dev.colo.kvm.sys.KvmStructs;
import dev.colo.kvm.sys.LibC;
import java.util.Arrays;

/**
 * Everything KVM holds for one vCPU, saved and restored symmetrically in Firecracker's proven order
 * (MP state first, events last: restoring events before the registers they refer to loses them).
 * Buffers are allocated once per vCPU; the MSR list is the host's, minus those this vCPU refuses.
 */
public final class VcpuState implements AutoCloseable {
    /** Save and restore order. */
    static final int[] ORDER = {StateFormat.VCPU_MP_STATE, StateFormat.VCPU_REGS, StateFormat.VCPU_SREGS,
        StateFormat.VCPU_XSAVE, StateFormat.VCPU_XCRS, StateFormat.VCPU_DEBUGREGS, StateFormat.VCPU_LAPIC,
        StateFormat.VCPU_MSRS, StateFormat.VCPU_EVENTS};

    private final Vcpu vcpu;
    private final boolean lapic;
    private final long xsaveGet;
    private final Memory[] buffers = new Memory[StateFormat.VCPU_EVENTS + 1];
    private final long[] sizes = new long[StateFormat.VCPU_EVENTS + 1];
    private final Memory msrs;
    private final int msrCount;

    VcpuState(Vcpu vcpu, KvmDevice kvm, boolean lapic) {
        this.vcpu = vcpu;
        this.lapic = lapic;
        this.xsaveGet = kvm.xsaveSize() > KvmStructs.XSAVE_SIZE ? KvmIoctl.GET_XSAVE2 : KvmIoctl.GET_XSAVE;
        for (int type : ORDER) {
            if (type != StateFormat.VCPU_MSRS) {
                sizes[type] = fixedSize(type, kvm.xsaveSize());
                buffers[type] = new Memory(Math.max(8, sizes[type]));
            }
        }
        int[] saveable = saveableMsrs(vcpu.fd(), kvm.msrIndices());
        this.msrCount = saveable.length;
        this.msrs = new Memory(KvmStructs.MSRS_HEADER_SIZE + (long) KvmStructs.MSR_ENTRY_SIZE * Math.max(1, msrCount));
        msrs.clear();
        msrs.setInt(0, msrCount);
        for (int i = 0; i < msrCount; i++) {
            msrs.setInt(KvmStructs.MSRS_HEADER_SIZE + (long) KvmStructs.MSR_ENTRY_SIZE * i, saveable[i]);
        }
    }

    /** Payload size of a vCPU record type in a stream of this host. */
    static long fixedSize(int type, int xsaveSize) {
        return switch (type) {
            case StateFormat.VCPU_MP_STATE -> KvmStructs.MP_STATE_SIZE;
            case StateFormat.VCPU_REGS -> KvmStructs.REGS_SIZE;
            case StateFormat.VCPU_SREGS -> KvmStructs.SREGS_SIZE;
            case StateFormat.VCPU_XSAVE -> xsaveSize;
            case StateFormat.VCPU_XCRS -> KvmStructs.XCRS_SIZE;
            case StateFormat.VCPU_DEBUGREGS -> KvmStructs.DEBUGREGS_SIZE;
            case StateFormat.VCPU_LAPIC -> KvmStructs.LAPIC_SIZE;
            case StateFormat.VCPU_EVENTS -> KvmStructs.VCPU_EVENTS_SIZE;
            default -> -1;
        };
    }

    /** The host's MSR list minus those KVM will not read for this vCPU (GET_MSRS stops at the first refusal). */
    private static int[] saveableMsrs(int fd, int[] candidates) {
        int[] kept = new int[candidates.length];
        int n = 0;
        try (Memory one = new Memory(KvmStructs.MSRS_HEADER_SIZE + KvmStructs.MSR_ENTRY_SIZE)) {
            for (int index : candidates) {
                one.clear();
                one.setInt(0, 1);
                one.setInt(KvmStructs.MSRS_HEADER_SIZE, index);
                try {
                    if (LibC.ioctl(fd, KvmIoctl.GET_MSRS, one) == 1) {
                        kept[n++] = index;
                    }
                } catch (LastErrorException e) {
                    // refused: not part of this vCPU's state
                }
            }
        }
        return Arrays.copyOf(kept, n);
    }

    int msrCount() {
        return msrCount;
    }

    long msrsSize() {
        return KvmStructs.MSRS_HEADER_SIZE + (long) KvmStructs.MSR_ENTRY_SIZE * msrCount;
    }

    /** Appends this vCPU's records; the vCPU must be paused. */
    void save(StateWriter out) {
        for (int type : ORDER) {
            if (type == StateFormat.VCPU_LAPIC && !lapic) {
                continue;
            }
            if (type == StateFormat.VCPU_MSRS) {
                int got = Ioctl.call(vcpu.fd(), KvmIoctl.GET_MSRS, msrs, "KVM_GET_MSRS");
                if (got != msrCount) {
                    throw new KvmException("KVM_GET_MSRS read " + got + " of " + msrCount + " MSRs");
                }
                out.record(type, vcpu.id(), Pointer.nativeValue(msrs), msrsSize());
                continue;
            }
            Memory b = buffers[type];
            Ioctl.call(vcpu.fd(), getRequest(type), b, "KVM_GET_" + StateFormat.typeName(type).substring(5));
            out.record(type, vcpu.id(), Pointer.nativeValue(b), sizes[type]);
        }
    }

    /** Sets one record, in {@link #ORDER}; the caller walks the order. {@code length} was checked by the stream's verify. */
    void restore(int type, long payload, long length) {
        if (type == StateFormat.VCPU_MSRS) {
            long n = (length - KvmStructs.MSRS_HEADER_SIZE) / KvmStructs.MSR_ENTRY_SIZE;
            Pointer src = new Pointer(payload);
            if (src.getInt(0) != n) {
                throw new KvmException("MSR record counts " + src.getInt(0) + " MSRs in " + length + " bytes");
            }
            int set = Ioctl.call(vcpu.fd(), KvmIoctl.SET_MSRS, src, "KVM_SET_MSRS");
            if (set != n) {
                throw new KvmException("KVM_SET_MSRS set " + set + " of " + n + " MSRs (MSR 0x"
                        + Integer.toHexString(src.getInt(KvmStructs.MSRS_HEADER_SIZE + (long) KvmStructs.MSR_ENTRY_SIZE * set)) + " refused)");
            }
            return;
        }
        Ioctl.call(vcpu.fd(), setRequest(type), new Pointer(payload), "KVM_SET_" + StateFormat.typeName(type).substring(5));
    }

    private long getRequest(int type) {
        return switch (type) {
            case StateFormat.VCPU_MP_STATE -> KvmIoctl.GET_MP_STATE;
            case StateFormat.VCPU_REGS -> KvmIoctl.GET_REGS;
            case StateFormat.VCPU_SREGS -> KvmIoctl.GET_SREGS;
            case StateFormat.VCPU_XSAVE -> xsaveGet;
            case StateFormat.VCPU_XCRS -> KvmIoctl.GET_XCRS;
            case StateFormat.VCPU_DEBUGREGS -> KvmIoctl.GET_DEBUGREGS;
            case StateFormat.VCPU_LAPIC -> KvmIoctl.GET_LAPIC;
            case StateFormat.VCPU_EVENTS -> KvmIoctl.GET_VCPU_EVENTS;
            default -> throw new IllegalArgumentException(StateFormat.typeName(type));
        };
    }

    private static long setRequest(int type) {
        return switch (type) {
            case StateFormat.VCPU_MP_STATE -> KvmIoctl.SET_MP_STATE;
            case StateFormat.VCPU_REGS -> KvmIoctl.SET_REGS;
            case StateFormat.VCPU_SREGS -> KvmIoctl.SET_SREGS;
            case StateFormat.VCPU_XSAVE -> KvmIoctl.SET_XSAVE;
            case StateFormat.VCPU_XCRS -> KvmIoctl.SET_XCRS;
            case StateFormat.VCPU_DEBUGREGS -> KvmIoctl.SET_DEBUGREGS;
            case StateFormat.VCPU_LAPIC -> KvmIoctl.SET_LAPIC;
            case StateFormat.VCPU_EVENTS -> KvmIoctl.SET_VCPU_EVENTS;
            default -> throw new IllegalArgumentException(StateFormat.typeName(type));
        };
    }

    @Override
    public void close() {
        for (Memory m : buffers) {
            if (m != null) {
                m.close();
            }
        }
        msrs.close();
    }
}
