package dev.colo.compare;

import dev.colo.compare.store.FrameStore;
import java.util.Arrays;

/**
 * Per-stream state in parallel arrays. A stream is one direction of one connection
 * (id = connection * 2 + direction); each has a held-frame list per side and, for TCP, each side's
 * base sequence number, compare cursor, highest sequence end seen and ack base (the peer's ISN as
 * that side acknowledges it).
 */
final class Streams {
    static final byte UNUSED = 0;
    static final byte TCP = 1;
    static final byte DATAGRAM = 2;
    static final byte OVERFLOW = 3;

    static final int BASE_KNOWN_P = 1;
    static final int BASE_KNOWN_S = 1 << 1;
    static final int SYN_BASE_P = 1 << 2;
    static final int SYN_BASE_S = 1 << 3;
    static final int RST_S = 1 << 4;
    static final int SVM_ACK_KNOWN = 1 << 5;
    static final int PVM_ACK_KNOWN = 1 << 6;
    /** A mismatch was reported: comparison stops until the checkpoint flush. */
    static final int DIVERGED = 1 << 7;
    static final int QUEUE_FULL_REPORTED = 1 << 8;
    /** A side's ack base is known. Acks compare relative only when both are; else absolute (two sides seeing one client have the same numbers). */
    static final int ACK_BASE_P = 1 << 9;
    static final int ACK_BASE_S = 1 << 10;

    final FrameStore store;
    final byte[] kind;
    final int[] flags;
    final int[] head;   // [stream * 2 + side]
    final int[] tail;
    final int[] count;
    final long[] bytes;
    final int[] base;
    final long[] cursor;
    final long[] end;
    final int[] hint;
    final int[] ackBase;
    final int[] svmAck;
    final int[] pvmAck;

    Streams(int streams, FrameStore store) {
        this.store = store;
        kind = new byte[streams];
        flags = new int[streams];
        head = new int[streams * 2];
        tail = new int[streams * 2];
        count = new int[streams * 2];
        bytes = new long[streams * 2];
        base = new int[streams * 2];
        cursor = new long[streams * 2];
        end = new long[streams * 2];
        hint = new int[streams * 2];
        ackBase = new int[streams * 2];
        svmAck = new int[streams];
        pvmAck = new int[streams];
        Arrays.fill(head, FrameStore.NONE);
        Arrays.fill(tail, FrameStore.NONE);
        Arrays.fill(hint, FrameStore.NONE);
    }

    static int idx(int stream, int side) {
        return stream * 2 + side;
    }

    void reset(int stream) {
        kind[stream] = UNUSED;
        flags[stream] = 0;
        svmAck[stream] = 0;
        pvmAck[stream] = 0;
        for (int side = 0; side < 2; side++) {
            int i = idx(stream, side);
            head[i] = tail[i] = hint[i] = FrameStore.NONE;
            count[i] = 0;
            bytes[i] = 0;
            base[i] = 0;
            cursor[i] = 0;
            end[i] = 0;
            ackBase[i] = 0;
        }
    }

    boolean isEmpty(int stream) {
        return count[idx(stream, 0)] == 0 && count[idx(stream, 1)] == 0;
    }

    void append(int stream, int side, int slot) {
        int i = idx(stream, side);
        int t = tail[i];
        store.setPrev(slot, t);
        store.setNext(slot, FrameStore.NONE);
        if (t == FrameStore.NONE) {
            head[i] = slot;
        } else {
            store.setNext(t, slot);
        }
        tail[i] = slot;
        count[i]++;
        bytes[i] += store.length(slot);
    }

    /** Puts {@code now} where {@code old} was in its stream list (the store copied {@code old}'s links). */
    void replace(int stream, int side, int old, int now) {
        int i = idx(stream, side);
        int p = store.prev(now);
        int n = store.next(now);
        if (p == FrameStore.NONE) {
            head[i] = now;
        } else {
            store.setNext(p, now);
        }
        if (n == FrameStore.NONE) {
            tail[i] = now;
        } else {
            store.setPrev(n, now);
        }
        if (hint[i] == old) {
            hint[i] = now;
        }
    }

    /** Unlinks a frame from its stream list; the caller frees or releases it. */
    void unlink(int stream, int side, int slot) {
        int i = idx(stream, side);
        int p = store.prev(slot);
        int n = store.next(slot);
        if (p == FrameStore.NONE) {
            head[i] = n;
        } else {
            store.setNext(p, n);
        }
        if (n == FrameStore.NONE) {
            tail[i] = p;
        } else {
            store.setPrev(n, p);
        }
        if (hint[i] == slot) {
            hint[i] = FrameStore.NONE;
        }
        count[i]--;
        bytes[i] -= store.length(slot);
    }
}
