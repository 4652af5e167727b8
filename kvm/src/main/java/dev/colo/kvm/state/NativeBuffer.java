package dev.colo.kvm.state;

import com.sun.jna.Pointer;
import dev.colo.kvm.sys.KvmException;
import dev.colo.kvm.sys.LibC;
import java.nio.ByteBuffer;

/**
 * An off-heap byte area reserved once (MAP_NORESERVE: untouched pages cost nothing) and reused: the
 * capture and staging areas of VM state, which can be as large as guest memory and must not live on
 * the Java heap.
 */
public final class NativeBuffer implements AutoCloseable {
    private final Pointer base;
    private final long address;
    private final long capacity;
    private long size;

    public NativeBuffer(long capacity) {
        this.capacity = capacity;
        this.base = LibC.mmap(null, capacity, LibC.PROT_READ | LibC.PROT_WRITE,
                LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0);
        if (LibC.failed(base)) {
            throw new KvmException("cannot reserve " + capacity + " bytes for VM state");
        }
        this.address = Pointer.nativeValue(base);
    }

    public long address() {
        return address;
    }

    public Pointer pointer() {
        return base;
    }

    public long capacity() {
        return capacity;
    }

    /** Bytes in use. */
    public long size() {
        return size;
    }

    public void clear() {
        size = 0;
    }

    /** Makes room for {@code n} more bytes and returns the offset they start at. */
    public long reserve(long n) {
        if (n < 0 || n > capacity - size) {
            throw new IndexOutOfBoundsException("VM state larger than its " + capacity + "-byte area");
        }
        long at = size;
        size += n;
        return at;
    }

    /** A view of [offset, offset + length); valid until the buffer is closed. */
    public ByteBuffer view(long offset, int length) {
        return base.getByteBuffer(offset, length);
    }

    @Override
    public void close() {
        LibC.munmap(base, capacity);
    }
}
