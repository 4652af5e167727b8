package dev.colo.proxy.rewrite;

import java.nio.ByteBuffer;

/**
 * Changes 32-bit fields of a TCP segment in place and patches its checksum incrementally (RFC 1624:
 * HC' = ~(~HC + ~m + m') per 16-bit word), so a rewrite costs a few loads and stores, not a pass over
 * the payload. Works the same for IPv4 and IPv6 (the pseudo-header does not change).
 */
final class TcpFieldEditor {
    private TcpFieldEditor() {
    }

    /** Adds {@code delta} to the u32 at {@code at}, fixing the checksum at {@code checksumAt}. */
    static void add(ByteBuffer frame, int at, int delta, int checksumAt) {
        int old = frame.getInt(at);
        int now = old + delta;
        frame.putInt(at, now);
        int sum = ~frame.getShort(checksumAt) & 0xffff;
        sum = fold(sum + (~(old >>> 16) & 0xffff) + (now >>> 16));
        sum = fold(sum + (~old & 0xffff) + (now & 0xffff));
        frame.putShort(checksumAt, (short) ~sum);
    }

    private static int fold(int sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return sum;
    }
}
