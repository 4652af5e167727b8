package dev.colo.kvm.state;

/** Operations on page bitmaps held as long[] (bit p of word p / 64 is page p), as KVM's dirty log is. */
public final class PageBitmap {
    private PageBitmap() {
    }

    /** The first set bit at or after {@code from}, or {@code limit}. */
    public static int nextSet(long[] bits, int from, int limit) {
        int word = from >>> 6;
        if (from >= limit || word >= bits.length) {
            return limit;
        }
        long w = bits[word] & (-1L << from);
        while (w == 0) {
            if (++word >= bits.length) {
                return limit;
            }
            w = bits[word];
        }
        return Math.min(limit, (word << 6) + Long.numberOfTrailingZeros(w));
    }

    /** The first clear bit at or after {@code from}, or {@code limit}. */
    public static int nextClear(long[] bits, int from, int limit) {
        int word = from >>> 6;
        if (from >= limit || word >= bits.length) {
            return limit;
        }
        long w = ~bits[word] & (-1L << from);
        while (w == 0) {
            if (++word >= bits.length) {
                return limit;
            }
            w = ~bits[word];
        }
        return Math.min(limit, (word << 6) + Long.numberOfTrailingZeros(w));
    }

    public static void clear(long[] bits, int first, int count) {
        for (int p = first; p < first + count; p++) {
            bits[p >>> 6] &= ~(1L << p);
        }
    }

    public static int count(long[] bits) {
        int n = 0;
        for (long w : bits) {
            n += Long.bitCount(w);
        }
        return n;
    }
}
