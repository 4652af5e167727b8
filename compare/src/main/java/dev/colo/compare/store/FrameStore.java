package dev.colo.compare.store;

import java.util.Arrays;

/**
 * Preallocated storage for held frames: two slab classes (small slots for MTU-sized frames, large
 * slots for GSO super-frames), O(1) allocate and free through free-lists, and per-slot metadata in
 * parallel arrays. Nothing is allocated after construction.
 *
 * <p>Every slot in use sits on two doubly linked lists: its stream's list for one side (arrival
 * order), and the global age list (arrival order across everything, so the oldest held frame, the
 * one that times out first, is always at its head).
 */
public final class FrameStore {
    public static final int NONE = -1;

    private final int smallSlotSize;
    private final int largeSlotSize;
    private final int smallSlots;
    private final byte[] small;
    private final byte[] large;
    private final int[] freeSmall;
    private final int[] freeLarge;
    private int freeSmallTop;
    private int freeLargeTop;

    // Per-slot metadata, indexed by slot id.
    private final int[] length;
    private final long[] timestamp;
    private final int[] stream;
    private final byte[] side;
    private final int[] next;
    private final int[] prev;
    private final int[] ageNext;
    private final int[] agePrev;
    /** TCP: stream-relative sequence start; datagram: unused. */
    private final long[] relStart;
    /** TCP: sequence space consumed (payload + SYN + FIN). */
    private final int[] relLength;
    /** Frame-relative offset and length of the compared bytes. */
    private final int[] dataOffset;
    private final int[] dataLength;
    private final int[] flags;
    private final int[] ack;
    private final int[] tag;
    private final int[] optionsOffset;
    private final int[] optionsLength;

    private int ageHead = NONE;
    private int ageTail = NONE;
    private int inUse;
    private long bytesInUse;

    public FrameStore(int smallSlots, int smallSlotSize, int largeSlots, int largeSlotSize) {
        if (smallSlots < 1 || largeSlots < 1 || smallSlotSize < 64 || largeSlotSize < smallSlotSize) {
            throw new IllegalArgumentException("bad frame store geometry: " + smallSlots + "x" + smallSlotSize
                    + " + " + largeSlots + "x" + largeSlotSize);
        }
        this.smallSlotSize = smallSlotSize;
        this.largeSlotSize = largeSlotSize;
        this.smallSlots = smallSlots;
        this.small = new byte[Math.multiplyExact(smallSlots, smallSlotSize)];
        this.large = new byte[Math.multiplyExact(largeSlots, largeSlotSize)];
        int total = smallSlots + largeSlots;
        freeSmall = new int[smallSlots];
        freeLarge = new int[largeSlots];
        for (int i = 0; i < smallSlots; i++) {
            freeSmall[i] = smallSlots - 1 - i;
        }
        for (int i = 0; i < largeSlots; i++) {
            freeLarge[i] = smallSlots + largeSlots - 1 - i;
        }
        freeSmallTop = smallSlots;
        freeLargeTop = largeSlots;
        length = new int[total];
        timestamp = new long[total];
        stream = new int[total];
        side = new byte[total];
        next = new int[total];
        prev = new int[total];
        ageNext = new int[total];
        agePrev = new int[total];
        relStart = new long[total];
        relLength = new int[total];
        dataOffset = new int[total];
        dataLength = new int[total];
        flags = new int[total];
        ack = new int[total];
        tag = new int[total];
        optionsOffset = new int[total];
        optionsLength = new int[total];
        Arrays.fill(stream, NONE);
    }

    public int maxFrameLength() {
        return largeSlotSize;
    }

    /**
     * Copies a frame in and appends it to the age list.
     *
     * @return the slot, or {@link #NONE} when no slot of the needed class is free (or the frame is larger than any slot)
     */
    public int store(byte[] src, int offset, int len, long timestampNanos, int streamId, int sideId) {
        int slot;
        if (len <= smallSlotSize && freeSmallTop > 0) {
            slot = freeSmall[--freeSmallTop];
        } else if (len <= largeSlotSize && freeLargeTop > 0) {
            slot = freeLarge[--freeLargeTop];
        } else {
            return NONE;
        }
        System.arraycopy(src, offset, array(slot), base(slot), len);
        length[slot] = len;
        timestamp[slot] = timestampNanos;
        stream[slot] = streamId;
        side[slot] = (byte) sideId;
        next[slot] = NONE;
        prev[slot] = NONE;
        agePrev[slot] = ageTail;
        ageNext[slot] = NONE;
        if (ageTail == NONE) {
            ageHead = slot;
        } else {
            ageNext[ageTail] = slot;
        }
        ageTail = slot;
        inUse++;
        bytesInUse += len;
        return slot;
    }

    /** Unlinks a slot from the age list and returns it to its free-list. The caller unlinks it from its stream list. */
    public void free(int slot) {
        int p = agePrev[slot];
        int n = ageNext[slot];
        if (p == NONE) {
            ageHead = n;
        } else {
            ageNext[p] = n;
        }
        if (n == NONE) {
            ageTail = p;
        } else {
            agePrev[n] = p;
        }
        inUse--;
        bytesInUse -= length[slot];
        stream[slot] = NONE;
        if (slot < smallSlots) {
            freeSmall[freeSmallTop++] = slot;
        } else {
            freeLarge[freeLargeTop++] = slot;
        }
    }

    public byte[] array(int slot) {
        return slot < smallSlots ? small : large;
    }

    public int base(int slot) {
        return slot < smallSlots ? slot * smallSlotSize : (slot - smallSlots) * largeSlotSize;
    }

    public int inUse() {
        return inUse;
    }

    public long bytesInUse() {
        return bytesInUse;
    }

    public int freeSmallSlots() {
        return freeSmallTop;
    }

    public int freeLargeSlots() {
        return freeLargeTop;
    }

    public int oldest() {
        return ageHead;
    }

    public int younger(int slot) {
        return ageNext[slot];
    }

    // Stream-list links: the stream table owns the heads and tails, the store owns the links.
    public int next(int slot) {
        return next[slot];
    }

    public int prev(int slot) {
        return prev[slot];
    }

    public void setNext(int slot, int value) {
        next[slot] = value;
    }

    public void setPrev(int slot, int value) {
        prev[slot] = value;
    }

    public int length(int slot) {
        return length[slot];
    }

    public long timestamp(int slot) {
        return timestamp[slot];
    }

    public int stream(int slot) {
        return stream[slot];
    }

    public int side(int slot) {
        return side[slot];
    }

    public long relStart(int slot) {
        return relStart[slot];
    }

    public long relEnd(int slot) {
        return relStart[slot] + relLength[slot];
    }

    public int relLength(int slot) {
        return relLength[slot];
    }

    public int dataOffset(int slot) {
        return dataOffset[slot];
    }

    public int dataLength(int slot) {
        return dataLength[slot];
    }

    public int flags(int slot) {
        return flags[slot];
    }

    public int ack(int slot) {
        return ack[slot];
    }

    public int tag(int slot) {
        return tag[slot];
    }

    public int optionsOffset(int slot) {
        return optionsOffset[slot];
    }

    public int optionsLength(int slot) {
        return optionsLength[slot];
    }

    public void setCompared(int slot, int frameRelativeOffset, int len, int compareTag) {
        dataOffset[slot] = frameRelativeOffset;
        dataLength[slot] = len;
        tag[slot] = compareTag;
    }

    public void setTcp(int slot, long start, int seqLength, int tcpFlags, int tcpAck, int optOffset, int optLength) {
        relStart[slot] = start;
        relLength[slot] = seqLength;
        flags[slot] = tcpFlags;
        ack[slot] = tcpAck;
        optionsOffset[slot] = optOffset;
        optionsLength[slot] = optLength;
    }
}
