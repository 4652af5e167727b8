package dev.colo.kvm.state;

import com.sun.jna.Pointer;
import dev.colo.kvm.vmm.GuestMemory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Incoming state held apart from the VM until it is complete and checked. {@link #verify()} walks the
 * whole stream (header, every record's bounds, the END record's count and CRC-32C) and indexes the
 * records, so that applying afterwards cannot fail on content.
 */
public final class StagedState {
    private final NativeBuffer buffer;
    private final Layout expected;
    private final long generation;
    private int count;
    private int[] types = new int[64];
    private int[] instances = new int[64];
    private long[] offsets = new long[64];
    private long[] lengths = new long[64];
    private int flags;
    private boolean verified;

    /** What a stream for this VM must look like: its memory size, vCPU count and the size of each vCPU record. */
    public interface Layout {
        long memorySize();

        int vcpus();

        /** The exact payload size of a fixed-size record type; -1 for a variable one (see maxSize); -2 for a type this VM does not know. */
        long fixedSize(int type);

        /** The largest payload a variable-size record may have. */
        long maxSize(int type);
    }

    /** {@code generation} tells this staging apart from later ones that reuse the same buffer. */
    public StagedState(NativeBuffer buffer, Layout expected, long generation) {
        this.buffer = buffer;
        this.expected = expected;
        this.generation = generation;
        buffer.clear();
    }

    public long generation() {
        return generation;
    }

    public void accept(ByteBuffer src) throws StateFormatException {
        int n = src.remaining();
        long at;
        try {
            at = buffer.reserve(n);
        } catch (IndexOutOfBoundsException e) {
            throw new StateFormatException("state stream longer than any state of this VM (" + buffer.capacity() + " bytes)");
        }
        buffer.view(at, n).put(src);
        verified = false;
    }

    public long size() {
        return buffer.size();
    }

    public boolean isDelta() {
        return (flags & StateFormat.FLAG_DELTA) != 0;
    }

    public boolean hasMachine() {
        return (flags & StateFormat.FLAG_MACHINE) != 0;
    }

    public int records() {
        return count;
    }

    public int type(int i) {
        return types[i];
    }

    public int instance(int i) {
        return instances[i];
    }

    /** Host address of record {@code i}'s payload. */
    public long payload(int i) {
        return buffer.address() + offsets[i];
    }

    public long length(int i) {
        return lengths[i];
    }

    public void verify() throws StateFormatException {
        if (verified) {
            return;
        }
        long size = buffer.size();
        Pointer p = buffer.pointer();
        if (size < StateFormat.HEADER_SIZE) {
            throw new StateFormatException("state stream truncated: " + size + " bytes, shorter than its header");
        }
        if (p.getLong(0) != StateFormat.MAGIC) {
            throw new StateFormatException("not a colo-kvm state stream (bad magic at byte 0)");
        }
        int version = p.getInt(8);
        if (version != StateFormat.VERSION) {
            throw new StateFormatException("state stream version " + version + ", this VMM reads version " + StateFormat.VERSION);
        }
        flags = p.getInt(12);
        if ((flags & ~(StateFormat.FLAG_DELTA | StateFormat.FLAG_MACHINE)) != 0) {
            throw new StateFormatException("unknown state flags 0x" + Integer.toHexString(flags));
        }
        if (p.getLong(16) != expected.memorySize() || p.getInt(24) != expected.vcpus()) {
            throw new StateFormatException("state of a VM with " + p.getLong(16) + " bytes of memory and " + p.getInt(24)
                    + " vCPUs, this VM has " + expected.memorySize() + " and " + expected.vcpus());
        }
        count = 0;
        long at = StateFormat.HEADER_SIZE;
        while (true) {
            if (size - at < StateFormat.RECORD_HEADER_SIZE) {
                throw new StateFormatException("state stream truncated at byte " + at + ": no END record");
            }
            int type = p.getShort(at) & 0xffff;
            int instance = p.getShort(at + 2) & 0xffff;
            long length = p.getLong(at + 8);
            long payload = at + StateFormat.RECORD_HEADER_SIZE;
            if (length > size - payload && length <= expected.memorySize() + (16L << 20) && p.getInt(at + 4) == 0) {
                throw new StateFormatException("state stream truncated: " + StateFormat.typeName(type) + " record at byte " + at
                        + " needs " + length + " bytes, " + (size - payload) + " left");
            }
            if (p.getInt(at + 4) != 0 || length < 0 || length > size - payload) {
                throw new StateFormatException("bad record header at byte " + at + " (" + StateFormat.typeName(type) + ", length " + length + ")");
            }
            if (type == StateFormat.END) {
                checkEnd(p, at, payload, length, size);
                break;
            }
            checkRecord(p, at, type, instance, payload, length);
            add(type, instance, payload, length);
            at = payload + length;
        }
        verified = true;
    }

    private void checkEnd(Pointer p, long at, long payload, long length, long size) throws StateFormatException {
        if (length != StateFormat.END_PAYLOAD_SIZE || payload + length != size) {
            throw new StateFormatException("END record at byte " + at + " is not the last " + (StateFormat.RECORD_HEADER_SIZE + StateFormat.END_PAYLOAD_SIZE) + " bytes of the stream");
        }
        int records = p.getInt(payload);
        int crc = p.getInt(payload + 4);
        if (records != count) {
            throw new StateFormatException("END record counts " + records + " records, the stream has " + count);
        }
        CRC32C actual = new CRC32C();
        for (long done = 0; done < at; ) {
            int n = (int) Math.min(1 << 30, at - done);
            actual.update(buffer.view(done, n));
            done += n;
        }
        if ((int) actual.getValue() != crc) {
            throw new StateFormatException("state stream damaged: CRC-32C " + Integer.toHexString((int) actual.getValue())
                    + ", END record says " + Integer.toHexString(crc));
        }
    }

    private void checkRecord(Pointer p, long at, int type, int instance, long payload, long length) throws StateFormatException {
        String where = StateFormat.typeName(type) + " record at byte " + at;
        if (type == StateFormat.MEMORY) {
            long pages = (length - 8) >> GuestMemory.PAGE_SHIFT;
            long first = length >= 8 ? p.getLong(payload) : -1;
            long memoryPages = expected.memorySize() >> GuestMemory.PAGE_SHIFT;
            if (length < 8 + GuestMemory.PAGE_SIZE || ((length - 8) & (GuestMemory.PAGE_SIZE - 1)) != 0
                    || first < 0 || first > memoryPages - pages) {
                throw new StateFormatException(where + ": pages outside guest memory or not whole pages (first page " + first + ", " + length + " bytes)");
            }
            return;
        }
        boolean vcpuRecord = type >= StateFormat.VCPU_MP_STATE && type <= StateFormat.VCPU_EVENTS;
        if (vcpuRecord && instance >= expected.vcpus()) {
            throw new StateFormatException(where + ": vCPU " + instance + " does not exist");
        }
        long fixed = expected.fixedSize(type);
        if (fixed >= 0 ? length != fixed : (fixed == -2 || length > expected.maxSize(type))) {
            throw new StateFormatException(where + ": unexpected record or length " + length);
        }
    }

    private void add(int type, int instance, long payload, long length) {
        if (count == types.length) {
            int n = count * 2;
            types = Arrays.copyOf(types, n);
            instances = Arrays.copyOf(instances, n);
            offsets = Arrays.copyOf(offsets, n);
            lengths = Arrays.copyOf(lengths, n);
        }
        types[count] = type;
        instances[count] = instance;
        offsets[count] = payload;
        lengths[count] = length;
        count++;
    }
}
