package dev.colo.compare.flow;

import dev.colo.compare.packet.FrameInfo;
import java.util.Arrays;

/**
 * Bounded connection tracking keyed by the normalized 5-tuple (+ VLAN), both directions one entry.
 * Open addressing with linear probing and backward-shift deletion (no tombstones); an intrusive LRU
 * list orders entries by last activity so the comparator can evict idle connections one by one,
 * never by clearing the whole table (QEMU clears it and loses queued output).
 */
public final class ConnectionTable {
    public static final int NONE = -1;
    private static final int KEY_WORDS = 6;

    private final int capacity;
    private final int mask;
    private final int[] slots; // connection id + 1, 0 = empty
    private final long[] keys; // KEY_WORDS per connection id
    private final long[] lastSeen;
    private final int[] lruPrev;
    private final int[] lruNext;
    private final int[] freeIds;
    private int freeTop;
    private int lruHead = NONE; // most recent
    private int lruTail = NONE; // least recent
    private int size;

    private int lastDirection;

    public ConnectionTable(int maxConnections) {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be >= 1");
        }
        capacity = maxConnections;
        int tableSize = Integer.highestOneBit(Math.max(2, maxConnections * 2 - 1)) << 1;
        mask = tableSize - 1;
        slots = new int[tableSize];
        keys = new long[maxConnections * KEY_WORDS];
        lastSeen = new long[maxConnections];
        lruPrev = new int[maxConnections];
        lruNext = new int[maxConnections];
        freeIds = new int[maxConnections];
        for (int i = 0; i < maxConnections; i++) {
            freeIds[i] = maxConnections - 1 - i;
        }
        freeTop = maxConnections;
    }

    public int capacity() {
        return capacity;
    }

    public int size() {
        return size;
    }

    /**
     * Direction of the frame passed to the last {@link #find} or {@link #insert}: 0 from the lower
     * endpoint, 1 from the higher. Frames carry their key precomputed ({@link FrameInfo#computeKey()}).
     */
    public int lastDirection() {
        return lastDirection;
    }

    /** @return the connection id, or NONE */
    public int find(FrameInfo f) {
        lastDirection = f.keyDirection;
        long k0 = f.key0;
        long k1 = f.key1;
        long k2 = f.key2;
        long k3 = f.key3;
        long k4 = f.key4;
        long k5 = f.key5;
        int i = f.keyHash & mask;
        while (true) {
            int s = slots[i];
            if (s == 0) {
                return NONE;
            }
            int b = (s - 1) * KEY_WORDS;
            if (keys[b] == k0 && keys[b + 1] == k1 && keys[b + 2] == k2 && keys[b + 3] == k3
                    && keys[b + 4] == k4 && keys[b + 5] == k5) {
                return s - 1;
            }
            i = (i + 1) & mask;
        }
    }

    /** Inserts the frame's connection (the caller checked it is absent). @return the id, or NONE when full. */
    public int insert(FrameInfo f, long now) {
        if (freeTop == 0) {
            return NONE;
        }
        lastDirection = f.keyDirection;
        int id = freeIds[--freeTop];
        int b = id * KEY_WORDS;
        keys[b] = f.key0;
        keys[b + 1] = f.key1;
        keys[b + 2] = f.key2;
        keys[b + 3] = f.key3;
        keys[b + 4] = f.key4;
        keys[b + 5] = f.key5;
        int i = slotOf(id);
        while (slots[i] != 0) {
            i = (i + 1) & mask;
        }
        slots[i] = id + 1;
        size++;
        lastSeen[id] = now;
        linkHead(id);
        return id;
    }

    /** Marks activity: moves the connection to the most-recent end of the LRU list. */
    public void touch(int id, long now) {
        lastSeen[id] = now;
        if (lruHead != id) {
            unlink(id);
            linkHead(id);
        }
    }

    public long lastSeen(int id) {
        return lastSeen[id];
    }

    public int leastRecent() {
        return lruTail;
    }

    /** The next more recently used connection after {@code id}, or NONE. */
    public int moreRecent(int id) {
        return lruPrev[id];
    }

    public void remove(int id) {
        int i = slotOf(id);
        while (slots[i] != id + 1) {
            i = (i + 1) & mask;
        }
        // Backward-shift deletion keeps every probe chain unbroken without tombstones.
        int hole = i;
        int j = (i + 1) & mask;
        while (slots[j] != 0) {
            int home = slotOf(slots[j] - 1);
            boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (movable) {
                slots[hole] = slots[j];
                hole = j;
            }
            j = (j + 1) & mask;
        }
        slots[hole] = 0;
        unlink(id);
        freeIds[freeTop++] = id;
        size--;
    }

    public void clear() {
        Arrays.fill(slots, 0);
        freeTop = 0;
        for (int i = 0; i < capacity; i++) {
            freeIds[freeTop++] = capacity - 1 - i;
        }
        lruHead = lruTail = NONE;
        size = 0;
    }

    /** Human-readable endpoints, e.g. "TCP 10.0.0.1:80 <-> 10.0.0.2:4242". Off the hot path. */
    public String describe(int id) {
        int b = id * KEY_WORDS;
        int protocol = (int) (keys[b + 5] >>> 32);
        int vlan = (short) (keys[b + 5] >>> 16);
        int portA = (int) (keys[b + 4] >>> 16) & 0xffff;
        int portB = (int) keys[b + 4] & 0xffff;
        String proto = FlowNames.protocol(protocol);
        StringBuilder sb = new StringBuilder(proto).append(' ');
        boolean ported = protocol == 6 || protocol == 17;
        sb.append(FlowNames.address(keys[b], keys[b + 1]));
        if (ported) {
            sb.append(FlowNames.portSeparator(keys[b], keys[b + 1])).append(portA);
        }
        sb.append(" <-> ").append(FlowNames.address(keys[b + 2], keys[b + 3]));
        if (ported) {
            sb.append(FlowNames.portSeparator(keys[b + 2], keys[b + 3])).append(portB);
        } else if (portA != 0) {
            sb.append(" id ").append(portA);
        }
        if (vlan >= 0) {
            sb.append(" vlan ").append(vlan);
        }
        return sb.toString();
    }

    private int slotOf(int id) {
        int b = id * KEY_WORDS;
        return FrameInfo.hash(keys[b], keys[b + 1], keys[b + 2], keys[b + 3], keys[b + 4], keys[b + 5]) & mask;
    }

    private void linkHead(int id) {
        lruPrev[id] = NONE;
        lruNext[id] = lruHead;
        if (lruHead != NONE) {
            lruPrev[lruHead] = id;
        }
        lruHead = id;
        if (lruTail == NONE) {
            lruTail = id;
        }
    }

    private void unlink(int id) {
        int p = lruPrev[id];
        int n = lruNext[id];
        if (p == NONE) {
            lruHead = n;
        } else {
            lruNext[p] = n;
        }
        if (n == NONE) {
            lruTail = p;
        } else {
            lruPrev[n] = p;
        }
    }

}
