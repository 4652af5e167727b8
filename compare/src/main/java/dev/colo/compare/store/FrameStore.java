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
    /** The one slot whose bytes stay in the caller's buffer while it is compared ({@link #borrow}). */
    private final int borrowed;
    private byte[] borrowedArray;
    private int borrowedBase;
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

    // Slots released by reference: reusable once the consumer has passed the sequence each waits for.
    private final int[] retiredSlot;
    private final long[] retiredUntil;
    private int retiredHead;
    private int retiredCount;
    private java.util.function.LongSupplier consumedSequence;

    private int ageHead = NONE;
    private int ageTail = NONE;
    private int inUse;
    /** Slots each side holds, by class: [side * 2 + (large ? 1 : 0)] (borrowed and retired slots not counted). */
    private final int[] heldBySide = new int[4];

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
        int total = smallSlots + largeSlots + 1;
        borrowed = smallSlots + largeSlots;
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
        retiredSlot = new int[total];
        retiredUntil = new long[total];
        Arrays.fill(stream, NONE);
    }

    /**
     * Lets slots be released by reference ({@link #retire}): a retired slot returns to use only once
     * {@code consumed} reports a sequence at or past the one it waits for.
     */
    public void reclaimWhenConsumed(java.util.function.LongSupplier consumed) {
        this.consumedSequence = consumed;
    }

    public int maxFrameLength() {
        return largeSlotSize;
    }

    /**
     * Takes a frame without copying it: its bytes stay in the caller's buffer, valid only until the
     * caller's call returns. A frame that is compared and released or consumed at once never costs a
     * copy; one that must wait is {@link #keep kept}. Only one frame can be borrowed at a time.
     */
    public int borrow(byte[] src, int offset, int len, long timestampNanos, int streamId, int sideId) {
        borrowedArray = src;
        borrowedBase = offset;
        link(borrowed, len, timestampNanos, streamId, sideId);
        return borrowed;
    }

    public boolean isBorrowed(int slot) {
        return slot == borrowed;
    }

    /**
     * Copies the borrowed frame, still held, into a slot of its own (metadata and its place as the
     * youngest in the age list included).
     *
     * @return the new slot, or {@link #NONE} when no slot of the needed class is free
     */
    public int keep() {
        int len = length[borrowed];
        int slot = take(len);
        if (slot == NONE && retiredCount > 0) {
            reclaim();
            slot = take(len);
        }
        if (slot == NONE) {
            return NONE;
        }
        System.arraycopy(borrowedArray, borrowedBase, array(slot), base(slot), len);
        long ts = timestamp[borrowed];
        int streamId = stream[borrowed];
        int sideId = side[borrowed];
        copyDescription(borrowed, slot);
        next[slot] = next[borrowed];
        prev[slot] = prev[borrowed];
        release(borrowed);
        link(slot, len, ts, streamId, sideId);
        return slot;
    }

    /**
     * Puts {@code source}'s bytes and description into the held slot {@code target}, which keeps its
     * timestamp, its place in the age list and its stream links. False (nothing changed) when the bytes do
     * not fit {@code target}'s slot.
     */
    public boolean overwrite(int target, int source) {
        int len = length[source];
        if (len > (target < smallSlots ? smallSlotSize : largeSlotSize)) {
            return false;
        }
        System.arraycopy(array(source), base(source), array(target), base(target), len);
        length[target] = len;
        copyDescription(source, target);
        return true;
    }

    /** What the comparators set on a slot (the frame's place in its stream and what is compared). */
    private void copyDescription(int from, int to) {
        relStart[to] = relStart[from];
        relLength[to] = relLength[from];
        dataOffset[to] = dataOffset[from];
        dataLength[to] = dataLength[from];
        flags[to] = flags[from];
        ack[to] = ack[from];
        tag[to] = tag[from];
        optionsOffset[to] = optionsOffset[from];
        optionsLength[to] = optionsLength[from];
    }

    private void link(int slot, int len, long timestampNanos, int streamId, int sideId) {
        length[slot] = len;
        timestamp[slot] = timestampNanos;
        stream[slot] = streamId;
        side[slot] = (byte) sideId;
        agePrev[slot] = ageTail;
        ageNext[slot] = NONE;
        if (ageTail == NONE) {
            ageHead = slot;
        } else {
            ageNext[ageTail] = slot;
        }
        ageTail = slot;
        inUse++;
        if (slot != borrowed) {
            heldBySide[sideId * 2 + (slot < smallSlots ? 0 : 1)]++;
        }
    }

    private int take(int len) {
        if (len <= smallSlotSize && freeSmallTop > 0) {
            return freeSmall[--freeSmallTop];
        }
        if (len <= largeSlotSize && freeLargeTop > 0) {
            return freeLarge[--freeLargeTop];
        }
        return NONE;
    }

    /** Unlinks a slot from the age list and returns it to its free-list. The caller unlinks it from its stream list. */
    public void free(int slot) {
        release(slot);
        if (slot != borrowed) {
            pushFree(slot);
        }
    }

    /** Like {@link #free}, but the bytes stay untouched until the consumer has passed {@code sequence}. */
    public void retire(int slot, long sequence) {
        if (slot == borrowed) {
            throw new IllegalStateException("a borrowed frame cannot be released by reference");
        }
        release(slot);
        int at = (retiredHead + retiredCount) % retiredSlot.length;
        retiredSlot[at] = slot;
        retiredUntil[at] = sequence;
        retiredCount++;
    }

    /** Returns every retired slot the consumer has passed to its free-list. */
    public void reclaim() {
        if (retiredCount == 0 || consumedSequence == null) {
            return;
        }
        long consumed = consumedSequence.getAsLong();
        while (retiredCount > 0 && retiredUntil[retiredHead] <= consumed) {
            pushFree(retiredSlot[retiredHead]);
            retiredHead = (retiredHead + 1) % retiredSlot.length;
            retiredCount--;
        }
    }

    public int retired() {
        return retiredCount;
    }

    private void pushFree(int slot) {
        if (slot < smallSlots) {
            freeSmall[freeSmallTop++] = slot;
        } else {
            freeLarge[freeLargeTop++] = slot;
        }
    }

    private void release(int slot) {
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
        stream[slot] = NONE;
        if (slot != borrowed) {
            heldBySide[side[slot] * 2 + (slot < smallSlots ? 0 : 1)]--;
        }
    }

    public byte[] array(int slot) {
        return slot < smallSlots ? small : slot < borrowed ? large : borrowedArray;
    }

    public int base(int slot) {
        return slot < smallSlots ? slot * smallSlotSize : slot < borrowed ? (slot - smallSlots) * largeSlotSize : borrowedBase;
    }

    public int inUse() {
        return inUse;
    }

    public int smallSlots() {
        return smallSlots;
    }

    public int largeSlots() {
        return borrowed - smallSlots;
    }

    /** Slots of one class that one side holds now (a frame kept, not yet released, consumed or retired). */
    public int held(int sideId, boolean large) {
        return heldBySide[sideId * 2 + (large ? 1 : 0)];
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
