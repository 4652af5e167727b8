package dev.colo.compare.packet;

/** Internet checksum (RFC 1071) helpers. */
public final class Checksums {
    private Checksums() {
    }

    /** One's-complement sum of {@code b[off, off+len)} added to {@code initial}, not yet folded. */
    public static long sum(byte[] b, int off, int len, long initial) {
        long s = initial;
        int i = off;
        int end = off + len;
        for (; i + 1 < end; i += 2) {
            s += (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
        }
        if (i < end) {
            s += (b[i] & 0xff) << 8;
        }
        return s;
    }

    public static int fold(long sum) {
        long s = sum;
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) (~s & 0xffff);
    }
}
