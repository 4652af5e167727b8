package dev.colo.compare.flow;

import dev.colo.compare.packet.FrameInfo;

/** Formatting of flow keys for reports; never on the hot path. */
final class FlowNames {
    private FlowNames() {
    }

    static String protocol(int p) {
        switch (p) {
            case 6: return "TCP";
            case 17: return "UDP";
            case 1: return "ICMP";
            case 58: return "ICMPv6";
            case FrameInfo.PROTO_ARP: return "ARP";
            case FrameInfo.PROTO_NON_IP: return "non-IP";
            case FrameInfo.PROTO_MALFORMED: return "malformed";
            default: return "IP-proto-" + p;
        }
    }

    static boolean isV4Mapped(long hi, long lo) {
        return hi == 0 && (lo >>> 32) == 0xffffL;
    }

    static String portSeparator(long hi, long lo) {
        return isV4Mapped(hi, lo) ? ":" : ".";
    }

    static String address(long hi, long lo) {
        if (isV4Mapped(hi, lo)) {
            return ((lo >>> 24) & 0xff) + "." + ((lo >>> 16) & 0xff) + "." + ((lo >>> 8) & 0xff) + "." + (lo & 0xff);
        }
        if (hi == 0 && lo == 0) {
            return "-";
        }
        // RFC 5952: the longest run of two or more zero groups (the first of equal runs) becomes "::".
        int runStart = -1;
        int runLength = 1;
        for (int i = 0, start = -1; i < 8; i++) {
            if (group(hi, lo, i) == 0) {
                start = start < 0 ? i : start;
                if (i - start + 1 > runLength) {
                    runStart = start;
                    runLength = i - start + 1;
                }
            } else {
                start = -1;
            }
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == runStart) {
                sb.append("::");
                i += runLength - 1;
                continue;
            }
            if (i > 0 && i != runStart + runLength) {
                sb.append(':');
            }
            sb.append(Integer.toHexString(group(hi, lo, i)));
        }
        return sb.toString();
    }

    private static int group(long hi, long lo, int i) {
        return (int) ((i < 4 ? hi >>> (48 - 16 * i) : lo >>> (48 - 16 * (i - 4))) & 0xffff);
    }
}
