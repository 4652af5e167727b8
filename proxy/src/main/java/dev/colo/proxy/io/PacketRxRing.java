package dev.colo.proxy.io;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.colo.proxy.io.sys.LibC;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An AF_PACKET receive ring (PACKET_RX_RING, TPACKET_V2) mapped into this process: the kernel writes each
 * frame into the next slot and flips the slot's status to "user"; the reader copies the frame out and
 * hands the slot back. While frames wait no system call is made, where recv costs one per frame.
 *
 * <p>TPACKET_V2 rather than V3: V3 hands over whole blocks, and a block is handed over when full or when
 * its timer fires, which would hold a lone frame for milliseconds. Slots fit the interface's MTU; a
 * larger frame (a GRO super-frame) is marked "copy" in its slot and queued whole on the socket as well
 * (PACKET_COPY_THRESH), where the reader takes it with recv.
 *
 * <p>One thread reads.
 */
final class PacketRxRing implements AutoCloseable {
    private static final int TP_STATUS_KERNEL = 0;
    private static final int TP_STATUS_USER = 1;
    private static final int TP_STATUS_COPY = 1 << 1;
    /** struct tpacket2_hdr: tp_status u32, tp_len u32, tp_snaplen u32, tp_mac u16, ... */
    private static final int HDR_LEN = 4;
    private static final int HDR_SNAPLEN = 8;
    private static final int HDR_MAC = 12;
    /** TPACKET_ALIGN(sizeof(struct tpacket2_hdr)) + sizeof(struct sockaddr_ll), aligned: where frames start at the earliest. */
    private static final int SLOT_OVERHEAD = 64;
    private static final int MIN_BLOCK = 64 << 10;
    private static final VarHandle STATUS = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final Pointer base;
    private final long length;
    private final ByteBuffer ring;
    private final int slotSize;
    private final int slotsPerBlock;
    private final int blockSize;
    private final int slots;
    private int next;

    private PacketRxRing(Pointer base, long length, int slotSize, int blockSize, int slots) {
        this.base = base;
        this.length = length;
        this.ring = base.getByteBuffer(0, length).order(ByteOrder.nativeOrder());
        this.slotSize = slotSize;
        this.blockSize = blockSize;
        this.slotsPerBlock = blockSize / slotSize;
        this.slots = slots;
    }

    /** Sets the socket up for a ring of about {@code ringBytes} (before bind) and maps it. */
    static PacketRxRing map(String port, int fd, int mtu, int ringBytes) throws PortException {
        int slotSize = Math.max(2048, Integer.highestOneBit(SLOT_OVERHEAD + mtu + 22 + 16 - 1) << 1);
        int blockSize = Math.max(MIN_BLOCK, slotSize);
        int blocks = Math.max(1, ringBytes / blockSize);
        int slots = blocks * (blockSize / slotSize);
        try (Memory req = new Memory(16)) {
            req.setInt(0, LibC.TPACKET_V2);
            if (LibC.setsockopt(fd, LibC.SOL_PACKET, LibC.PACKET_VERSION, req, 4) < 0) {
                throw new PortException(port, "setsockopt(PACKET_VERSION, TPACKET_V2)", LibC.errno(), null);
            }
            req.setInt(0, 1);
            if (LibC.setsockopt(fd, LibC.SOL_PACKET, LibC.PACKET_COPY_THRESH, req, 4) < 0) {
                throw new PortException(port, "setsockopt(PACKET_COPY_THRESH)", LibC.errno(), null);
            }
            req.setInt(0, blockSize); // struct tpacket_req
            req.setInt(4, blocks);
            req.setInt(8, slotSize);
            req.setInt(12, slots);
            if (LibC.setsockopt(fd, LibC.SOL_PACKET, LibC.PACKET_RX_RING, req, 16) < 0) {
                throw new PortException(port, "setsockopt(PACKET_RX_RING " + blocks + " x " + blockSize + " bytes)", LibC.errno(),
                        "the ring is locked memory: check ulimit -l, or open the port without the ring");
            }
        }
        long length = (long) blockSize * blocks;
        Pointer base = LibC.mmap(null, length, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
        if (Pointer.nativeValue(base) == -1L || base == null) {
            throw new PortException(port, "mmap of the receive ring (" + length + " bytes)", LibC.errno(), null);
        }
        return new PacketRxRing(base, length, slotSize, blockSize, slots);
    }

    /** Offset of the slot that holds the next frame. */
    private int slotOffset(int slot) {
        return (slot / slotsPerBlock) * blockSize + (slot % slotsPerBlock) * slotSize;
    }

    /**
     * The next frame's state: 0 when none waits, else its status ({@link #copyNeeded} tells whether the
     * whole frame must be read from the socket instead).
     */
    int peek() {
        int status = (int) STATUS.getAcquire(ring, slotOffset(next));
        return (status & TP_STATUS_USER) == 0 ? 0 : status;
    }

    static boolean copyNeeded(int status) {
        return (status & TP_STATUS_COPY) != 0;
    }

    /** The frame's real length (the slot may hold only a prefix of it). */
    int frameLength() {
        return ring.getInt(slotOffset(next) + HDR_LEN);
    }

    /** Copies the waiting frame (as much as fits in {@code room} bytes) to {@code dst} at {@code position}; returns the bytes copied. */
    int copyTo(ByteBuffer dst, int position, int room) {
        int offset = slotOffset(next);
        int captured = ring.getInt(offset + HDR_SNAPLEN);
        int mac = ring.getShort(offset + HDR_MAC) & 0xffff;
        int n = Math.min(captured, room);
        dst.put(position, ring, offset + mac, n);
        return n;
    }

    /** Hands the slot back to the kernel and moves on. */
    void release() {
        STATUS.setRelease(ring, slotOffset(next), TP_STATUS_KERNEL);
        next = next + 1 == slots ? 0 : next + 1;
    }

    int slots() {
        return slots;
    }

    @Override
    public void close() {
        LibC.munmap(base, length);
    }
}
