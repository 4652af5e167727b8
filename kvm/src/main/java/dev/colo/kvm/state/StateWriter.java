package dev.colo.kvm.state;

import com.sun.jna.Pointer;
import dev.colo.kvm.sys.LibC;
import dev.colo.kvm.vmm.GuestMemory;

/** Writes a state stream (all but its END record, which {@link CapturedState} adds as it is read) into a NativeBuffer. */
public final class StateWriter {
    private final NativeBuffer out;
    private int records;

    public StateWriter(NativeBuffer out, int flags, long memorySize, int vcpus) {
        this.out = out;
        out.clear();
        long at = out.reserve(StateFormat.HEADER_SIZE);
        Pointer p = out.pointer();
        p.setLong(at, StateFormat.MAGIC);
        p.setInt(at + 8, StateFormat.VERSION);
        p.setInt(at + 12, flags);
        p.setLong(at + 16, memorySize);
        p.setInt(at + 24, vcpus);
        p.setInt(at + 28, 0);
    }

    /** A record whose payload is {@code length} bytes at host address {@code src}. */
    public void record(int type, int instance, long src, long length) {
        long payload = header(type, instance, length);
        LibC.memcpy(out.address() + payload, src, length);
    }

    /** A record with a payload from the heap (small device states). */
    public void record(int type, int instance, byte[] payload) {
        long at = header(type, instance, payload.length);
        out.pointer().write(at, payload, 0, payload.length);
    }

    /** Pages [first, first + count) of guest memory as one MEMORY record. */
    public void memoryRun(GuestMemory memory, int first, int count) {
        long at = header(StateFormat.MEMORY, 0, 8L + ((long) count << GuestMemory.PAGE_SHIFT));
        out.pointer().setLong(at, first);
        memory.copyPagesOut(first, count, out.address() + at + 8);
    }

    /** Every run of set bits in {@code dirty} as MEMORY records; returns the number of pages written. */
    public int dirtyPages(GuestMemory memory, long[] dirty) {
        int pages = memory.pages();
        int written = 0;
        int p = 0;
        while (p < pages) {
            int start = PageBitmap.nextSet(dirty, p, pages);
            if (start >= pages) {
                break;
            }
            int end = PageBitmap.nextClear(dirty, start, pages);
            memoryRun(memory, start, end - start);
            written += end - start;
            p = end;
        }
        return written;
    }

    private long header(int type, int instance, long length) {
        long at = out.reserve(StateFormat.RECORD_HEADER_SIZE + length);
        Pointer p = out.pointer();
        p.setShort(at, (short) type);
        p.setShort(at + 2, (short) instance);
        p.setInt(at + 4, 0);
        p.setLong(at + 8, length);
        records++;
        return at + StateFormat.RECORD_HEADER_SIZE;
    }

    public int records() {
        return records;
    }

    /** The stream written so far, readable once; {@code pages} is how many guest pages it carries. */
    public CapturedState finish(int pages) {
        return new CapturedState(out, records, pages);
    }
}
