package dev.colo.pcap;

/**
 * What a pcapng Interface Description Block says about the frames of one interface: link type, snaplen, and how to
 * turn its 64-bit timestamps into nanoseconds since the epoch (if_tsresol and if_tsoffset).
 */
final class InterfaceDescription {
    /** if_tsresol default when the option is absent: microseconds. */
    static final int DEFAULT_TSRESOL = 6;
    /** if_tsresol bit 7 set: the rest is a negative power of two instead of ten. */
    static final int TSRESOL_BINARY_FLAG = 0x80;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long[] POWERS_OF_TEN = {
        1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L, 1_000_000_000L,
        10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L, 10_000_000_000_000L, 100_000_000_000_000L,
        1_000_000_000_000_000L, 10_000_000_000_000_000L, 100_000_000_000_000_000L, 1_000_000_000_000_000_000L,
    };

    private static final long TEN_TO_THE_19_UNSIGNED = Long.parseUnsignedLong("10000000000000000000");

    private static final int MULTIPLY = 0;
    private static final int DIVIDE = 1;
    private static final int BINARY = 2;

    final int linkType;
    /** Unsigned 32-bit value; 0 means no limit. */
    final long snaplen;
    final int tsresol;
    /** if_tsoffset in nanoseconds. */
    final long offsetNanos;

    private final int mode;
    /** MULTIPLY: nanoseconds per unit; DIVIDE: units per nanosecond; BINARY: the power of two. */
    private final long factor;

    InterfaceDescription(int linkType, long snaplen, int tsresol, long offsetSeconds) {
        this.linkType = linkType;
        this.snaplen = snaplen;
        this.tsresol = tsresol;
        this.offsetNanos = offsetSeconds * NANOS_PER_SECOND;
        int exponent = tsresol & ~TSRESOL_BINARY_FLAG;
        if ((tsresol & TSRESOL_BINARY_FLAG) != 0) {
            mode = BINARY;
            factor = exponent;
        } else if (exponent <= 9) {
            mode = MULTIPLY;
            factor = POWERS_OF_TEN[9 - exponent];
        } else {
            mode = DIVIDE;
            int divisorExponent = exponent - 9;
            // 10^19 still fits an unsigned long; beyond it any 64-bit count is under 1 ns, and 0 marks "always 0".
            factor = divisorExponent < POWERS_OF_TEN.length ? POWERS_OF_TEN[divisorExponent]
                    : divisorExponent == POWERS_OF_TEN.length ? TEN_TO_THE_19_UNSIGNED : 0;
        }
    }

    /** Converts a raw unsigned 64-bit timestamp (in units of 10^-n or 2^-n seconds) to epoch nanoseconds. */
    long toNanos(long units) {
        long nanos;
        if (mode == MULTIPLY) {
            nanos = units * factor;
        } else if (mode == DIVIDE) {
            nanos = factor == 0 ? 0 : Long.divideUnsigned(units, factor);
        } else {
            nanos = binaryToNanos(units, (int) factor);
        }
        return nanos + offsetNanos;
    }

    /** units / 2^n seconds in nanoseconds, without overflowing the intermediate product. */
    static long binaryToNanos(long units, int n) {
        if (n == 0) {
            return units * NANOS_PER_SECOND;
        }
        if (n >= 64) {
            // Less than one second in total: the high 64 bits of units * 1e9, shifted further.
            long high = unsignedMultiplyHigh(units, NANOS_PER_SECOND);
            return n - 64 >= 64 ? 0 : high >>> (n - 64);
        }
        long seconds = units >>> n;
        long fraction = units & ((1L << n) - 1);
        // fraction * 1e9 may need up to 93 bits: take the 128-bit product and shift it right by n.
        long low = fraction * NANOS_PER_SECOND;
        long high = unsignedMultiplyHigh(fraction, NANOS_PER_SECOND);
        long fractionNanos = (low >>> n) | (high << (64 - n));
        return seconds * NANOS_PER_SECOND + fractionNanos;
    }

    /** Math.unsignedMultiplyHigh arrived in Java 18. */
    private static long unsignedMultiplyHigh(long x, long y) {
        return Math.multiplyHigh(x, y) + ((x >> 63) & y) + ((y >> 63) & x);
    }
}
