package dev.colo.kvm.vmm;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.colo.kvm.sys.Ioctl;
import dev.colo.kvm.sys.KvmException;
import dev.colo.kvm.sys.KvmIoctl;
import dev.colo.kvm.sys.KvmStructs;
import dev.colo.kvm.sys.LibC;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The guest's RAM: one anonymous mapping registered as memory slot 0 at guest-physical 0, with KVM dirty
 * logging on. Every write the VMM itself makes into guest RAM goes through this class (or calls
 * {@link #markDirty}) so that it lands in a second, userspace dirty bitmap: KVM's log sees only the
 * guest's own writes, and a delta that missed a frame the NIC wrote would restore a different VM.
 */
public final class GuestMemory implements AutoCloseable {
    public static final int PAGE_SIZE = 4096;
    public static final int PAGE_SHIFT = 12;

    private final Pointer base;
    private final long address;
    private final long size;
    private final int pages;
    private final Memory kvmBitmap;
    private final long[] kvmWords;
    private final Memory dirtyLog;
    /** Pages the VMM wrote, one bit each. Atomic: a full capture takes it while the vCPU thread may set bits. */
    private final long[] vmmDirty;
    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);
    private final int vmFd;

    GuestMemory(int vmFd, long size) {
        if (size <= 0 || size % (2L << 20) != 0 || size > (1L << 30)) {
            throw new KvmException("guest memory must be a multiple of 2 MiB, at most 1 GiB: got " + size + " bytes");
        }
        this.vmFd = vmFd;
        this.size = size;
        this.pages = (int) (size >>> PAGE_SHIFT);
        this.base = LibC.mmap(null, size, LibC.PROT_READ | LibC.PROT_WRITE,
                LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
        if (LibC.failed(base)) {
            throw new KvmException("cannot map " + size + " bytes of guest memory");
        }
        this.address = Pointer.nativeValue(base);
        this.vmmDirty = new long[(pages + 63) / 64];
        this.kvmBitmap = new Memory(8L * vmmDirty.length);
        this.kvmWords = new long[vmmDirty.length];
        this.dirtyLog = new Memory(KvmStructs.DIRTY_LOG_SIZE);
        try (Memory region = new Memory(KvmStructs.MEMORY_REGION_SIZE)) {
            region.clear();
            region.setInt(KvmStructs.MEMORY_REGION_SLOT, 0);
            region.setInt(KvmStructs.MEMORY_REGION_FLAGS, KvmStructs.MEM_LOG_DIRTY_PAGES);
            region.setLong(KvmStructs.MEMORY_REGION_GUEST_PHYS, 0);
            region.setLong(KvmStructs.MEMORY_REGION_SIZE_FIELD, size);
            region.setLong(KvmStructs.MEMORY_REGION_USER_ADDR, address);
            Ioctl.call(vmFd, KvmIoctl.SET_USER_MEMORY_REGION, region, "KVM_SET_USER_MEMORY_REGION");
        }
        dirtyLog.clear();
        dirtyLog.setInt(KvmStructs.DIRTY_LOG_SLOT, 0);
        dirtyLog.setPointer(KvmStructs.DIRTY_LOG_BITMAP, kvmBitmap);
    }

    public long size() {
        return size;
    }

    public int pages() {
        return pages;
    }

    /** Host address of guest-physical {@code gpa}; check {@link #contains} first. */
    public long hostAddress(long gpa) {
        return address + gpa;
    }

    /** True when [gpa, gpa + len) lies inside guest memory (no overflow tricks). */
    public boolean contains(long gpa, long len) {
        return gpa >= 0 && len >= 0 && gpa <= size && len <= size - gpa;
    }

    public long getLong(long gpa) {
        return base.getLong(gpa);
    }

    public int getInt(long gpa) {
        return base.getInt(gpa);
    }

    public void putLong(long gpa, long value) {
        base.setLong(gpa, value);
        markDirty(gpa, 8);
    }

    public void putInt(long gpa, int value) {
        base.setInt(gpa, value);
        markDirty(gpa, 4);
    }

    public void putBytes(long gpa, byte[] src, int off, int len) {
        base.write(gpa, src, off, len);
        markDirty(gpa, len);
    }

    public void getBytes(long gpa, byte[] dst, int off, int len) {
        base.read(gpa, dst, off, len);
    }

    public void fill(long gpa, long len, byte value) {
        base.setMemory(gpa, len, value);
        markDirty(gpa, len);
    }

    /** Records that the VMM wrote [gpa, gpa + len) by other means (e.g. read(2) straight into guest RAM). */
    public void markDirty(long gpa, long len) {
        if (len <= 0) {
            return;
        }
        int first = (int) (gpa >>> PAGE_SHIFT);
        int last = (int) ((gpa + len - 1) >>> PAGE_SHIFT);
        for (int p = first; p <= last; p++) {
            long bit = 1L << p;
            if (((long) WORD.getVolatile(vmmDirty, p >>> 6) & bit) == 0) {
                WORD.getAndBitwiseOr(vmmDirty, p >>> 6, bit);
            }
        }
    }

    /**
     * Fetches and clears both dirty logs, ORing them into {@code into} (one bit per page). Call with the
     * vCPUs paused, or accept that pages written meanwhile show up in the next fetch.
     */
    public void takeDirty(long[] into) {
        Ioctl.call(vmFd, KvmIoctl.GET_DIRTY_LOG, dirtyLog, "KVM_GET_DIRTY_LOG");
        kvmBitmap.read(0, kvmWords, 0, kvmWords.length); // one native copy, not a call per word
        for (int i = 0; i < into.length; i++) {
            long vmm = (long) WORD.getVolatile(vmmDirty, i) != 0 ? (long) WORD.getAndSet(vmmDirty, i, 0L) : 0;
            into[i] |= kvmWords[i] | vmm;
        }
    }

    /** Words in a dirty bitmap of this memory. */
    public int bitmapWords() {
        return vmmDirty.length;
    }

    /** Copies {@code count} whole pages from guest memory to host address {@code dst}. */
    public void copyPagesOut(int firstPage, int count, long dst) {
        LibC.memcpy(dst, address + ((long) firstPage << PAGE_SHIFT), (long) count << PAGE_SHIFT);
    }

    /** Copies {@code count} whole pages into guest memory from host address {@code src}; not marked dirty (a restore). */
    public void copyPagesIn(int firstPage, int count, long src) {
        LibC.memcpy(address + ((long) firstPage << PAGE_SHIFT), src, (long) count << PAGE_SHIFT);
    }

    @Override
    public void close() {
        LibC.munmap(base, size);
        kvmBitmap.close();
        dirtyLog.close();
    }
}
