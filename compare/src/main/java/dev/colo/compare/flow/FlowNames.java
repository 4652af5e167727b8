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
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            long word = i < 4 ? hi >>> (48 - 16 * i) : lo >>> (48 - 16 * (i - 4));
            if (i > 0) {
                sb.append(':');
            }
            sb.append(Long.toHexString(word & 0xffff));
        }
        return sb.toString().replaceFirst("(^|:)(0(:|$)){2,}", "::").replaceFirst(":::", "::");
    }
}
