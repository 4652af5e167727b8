package dev.colo.kvm.vmm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import dev.colo.kvm.sys.Errno;
import dev.colo.kvm.sys.Ioctl;
import dev.colo.kvm.sys.KvmException;
import dev.colo.kvm.sys.KvmIoctl;
import dev.colo.kvm.sys.KvmStructs;
import dev.colo.kvm.sys.LibC;
import java.nio.file.Files;
import java.nio.file.Path;

/** The open /dev/kvm and what it tells about the host: the facts every VM and vCPU of this VMM needs. */
public final class KvmDevice implements AutoCloseable {
    public static final Path PATH = Path.of("/dev/kvm");
    private static final int MAX_CPUID_ENTRIES = 256;

    private final int fd;
    private final int vcpuMmapSize;
    private final int xsaveSize;
    private final boolean irqchip;
    private final int[] msrIndices;
    private final Memory supportedCpuid;

    private KvmDevice(int fd) {
        this.fd = fd;
        int api = Ioctl.call(fd, KvmIoctl.GET_API_VERSION, 0L, "KVM_GET_API_VERSION");
        if (api != KvmIoctl.API_VERSION) {
            throw new KvmException("/dev/kvm speaks API version " + api + ", this VMM needs " + KvmIoctl.API_VERSION);
        }
        vcpuMmapSize = Ioctl.call(fd, KvmIoctl.GET_VCPU_MMAP_SIZE, 0L, "KVM_GET_VCPU_MMAP_SIZE");
        xsaveSize = Math.max(KvmStructs.XSAVE_SIZE, Ioctl.call(fd, KvmIoctl.CHECK_EXTENSION, KvmIoctl.CAP_XSAVE2, "KVM_CHECK_EXTENSION(XSAVE2)"));
        irqchip = Ioctl.call(fd, KvmIoctl.CHECK_EXTENSION, KvmIoctl.CAP_IRQCHIP, "KVM_CHECK_EXTENSION(IRQCHIP)") > 0;
        msrIndices = readMsrIndices(fd);
        supportedCpuid = readSupportedCpuid(fd);
    }

    /** Opens /dev/kvm; the message says what is wrong when it cannot (missing module, permissions). */
    public static KvmDevice open() {
        if (!Files.exists(PATH)) {
            throw new KvmException(PATH + " does not exist: this host has no KVM (load kvm_intel/kvm_amd/kvm_pvm, or run on a machine with virtualization)");
        }
        try {
            return new KvmDevice(LibC.open(PATH.toString(), LibC.O_RDWR | LibC.O_CLOEXEC));
        } catch (LastErrorException e) {
            throw new KvmException("cannot open " + PATH + ": " + Errno.describe(e.getErrorCode()), e.getErrorCode());
        }
    }

    public static boolean available() {
        return Files.isReadable(PATH) && Files.isWritable(PATH);
    }

    private static int[] readMsrIndices(int fd) {
        try (Memory probe = new Memory(KvmStructs.MSR_LIST_HEADER_SIZE)) {
            probe.setInt(0, 0);
            try {
                LibC.ioctl(fd, KvmIoctl.GET_MSR_INDEX_LIST, probe);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != LibC.E2BIG) {
                    throw new KvmException("KVM_GET_MSR_INDEX_LIST failed: " + Errno.describe(e.getErrorCode()), e.getErrorCode());
                }
            }
            int n = probe.getInt(0);
            try (Memory list = new Memory(KvmStructs.MSR_LIST_HEADER_SIZE + 4L * n)) {
                list.setInt(0, n);
                Ioctl.call(fd, KvmIoctl.GET_MSR_INDEX_LIST, list, "KVM_GET_MSR_INDEX_LIST");
                return list.getIntArray(KvmStructs.MSR_LIST_HEADER_SIZE, list.getInt(0));
            }
        }
    }

    private static Memory readSupportedCpuid(int fd) {
        Memory cpuid = new Memory(KvmStructs.CPUID2_HEADER_SIZE + (long) KvmStructs.CPUID_ENTRY2_SIZE * MAX_CPUID_ENTRIES);
        cpuid.clear();
        cpuid.setInt(0, MAX_CPUID_ENTRIES);
        Ioctl.call(fd, KvmIoctl.GET_SUPPORTED_CPUID, cpuid, "KVM_GET_SUPPORTED_CPUID");
        return cpuid;
    }

    int fd() {
        return fd;
    }

    int vcpuMmapSize() {
        return vcpuMmapSize;
    }

    /** Bytes of the XSAVE area KVM_GET_XSAVE(2) fills: 4096, or more on hosts with AMX. */
    int xsaveSize() {
        return xsaveSize;
    }

    boolean hasIrqchip() {
        return irqchip;
    }

    /** The MSRs KVM can save and restore on this host (before filtering those a vCPU refuses). */
    int[] msrIndices() {
        return msrIndices.clone();
    }

    /** struct kvm_cpuid2 holding what KVM supports: given to every vCPU, so both ends of a pair see the same CPU. */
    Memory supportedCpuid() {
        return supportedCpuid;
    }

    @Override
    public void close() {
        LibC.close(fd);
        supportedCpuid.close();
    }
}
