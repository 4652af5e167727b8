package dev.colo.compare;

/**
 * Log-linear histogram of hold times (how long a primary frame waited before release): 3 significant
 * bits of precision (within 12.5%), from 1 ns to ~290 years, fixed memory, no allocation. Single writer.
 */
public final class HoldTimeHistogram {
    private static final int SUB_BUCKET_BITS = 3;
    private static final int SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
    private static final int BUCKETS = (64 - SUB_BUCKET_BITS + 1) * SUB_BUCKETS;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long max;

    public void record(long nanos) {
        long v = Math.max(0, nanos);
        counts[index(v)]++;
        total++;
        if (v > max) {
            max = v;
        }
    }

    public long count() {
        return total;
    }

    public long max() {
        return max;
    }

    /** Upper bound of the bucket holding the q-quantile (0 < q <= 1). */
    public long quantile(double q) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(max, upperBound(i));
            }
        }
        return max;
    }

    /** Adds every value another histogram recorded (e.g. one per replayed pair, summed over a sweep). */
    public void add(HoldTimeHistogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = Math.max(max, other.max);
    }

    public void reset() {
        java.util.Arrays.fill(counts, 0);
        total = 0;
        max = 0;
    }

    static int index(long v) {
        if (v < SUB_BUCKETS) {
            return (int) v;
        }
        // Shift so that the top four bits remain: the leading one and SUB_BUCKET_BITS below it.
        int exp = 64 - Long.numberOfLeadingZeros(v) - SUB_BUCKET_BITS - 1;
        int sub = (int) (v >>> exp) - SUB_BUCKETS;
        return (exp + 1) * SUB_BUCKETS + sub;
    }

    static long upperBound(int index) {
        if (index < SUB_BUCKETS) {
            return index;
        }
        int exp = index / SUB_BUCKETS - 1;
        long sub = index % SUB_BUCKETS;
        return ((SUB_BUCKETS + sub + 1) << exp) - 1;
    }
}
