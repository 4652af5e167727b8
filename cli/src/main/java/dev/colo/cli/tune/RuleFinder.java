package dev.colo.cli.tune;

import dev.colo.cli.replay.Hexdump;
import dev.colo.compare.CheckpointReason;
import dev.colo.compare.Divergence;
import dev.colo.compare.packet.FrameDecoder;
import dev.colo.compare.packet.FrameInfo;
import dev.colo.compare.packet.FrameKind;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Looks at one MISMATCH divergence and says whether an ignore rule could excuse it: the differing bytes must lie
 * inside one header line {@code Name: value} (CRLF-terminated, whole in both frames), in its value, at the same
 * distance into the line on both sides, and the bytes of both frames outside that line must compare equal. Then
 * the rule is {@code http-date} for {@code Date}, else {@code header:Name}. Anything else is a real difference.
 */
final class RuleFinder {
    private RuleFinder() {
    }

    /** The rule that could excuse {@code d} (in --ignore syntax), or null: the difference is real. */
    static String candidate(Divergence d) {
        if (d.reason() != CheckpointReason.MISMATCH || d.primaryDiffIndex() < 0 || d.secondaryDiffIndex() < 0) {
            return null;
        }
        byte[] p = payload(d.primaryFrame());
        byte[] s = payload(d.secondaryFrame());
        if (p == null || s == null) {
            return null;
        }
        int pd = locate(p, d.primaryBytes(), d.primaryDiffIndex());
        int sd = locate(s, d.secondaryBytes(), d.secondaryDiffIndex());
        if (pd < 0 || sd < 0) {
            return null;
        }
        int pStart = lineStart(p, pd);
        int sStart = lineStart(s, sd);
        if (pStart < 0 || sStart < 0 || pd - pStart != sd - sStart) {
            return null;
        }
        int pEnd = crlf(p, pd);
        int sEnd = crlf(s, sd);
        if (pEnd < 0 || sEnd < 0) {
            return null; // the line does not end in this frame: no rule would see it whole
        }
        int colon = headerNameEnd(p, pStart, pEnd);
        if (colon < 0 || colon != headerNameEnd(s, sStart, sEnd) - sStart + pStart
                || !Arrays.equals(p, pStart, colon, s, sStart, sStart + (colon - pStart)) || pd <= colon) {
            return null; // not a header line, different names, or the difference is in the name
        }
        // outside the line: what both frames show before it and after it must be equal
        int before = Math.min(pStart, sStart);
        if (!Arrays.equals(p, pStart - before, pStart, s, sStart - before, sStart)) {
            return null;
        }
        int after = Math.min(p.length - (pEnd + 2), s.length - (sEnd + 2));
        if (!Arrays.equals(p, pEnd + 2, pEnd + 2 + after, s, sEnd + 2, sEnd + 2 + after)) {
            return null;
        }
        String name = new String(p, pStart, colon - pStart, StandardCharsets.US_ASCII);
        return name.equalsIgnoreCase("date") ? "http-date" : "header:" + name;
    }

    /** "real difference: payload byte N of connection FLOW (MISMATCH ...)" and both sides' bytes as hexdumps. */
    static String realDifference(String pair, Divergence d) {
        StringBuilder sb = new StringBuilder("real difference: ");
        if (d.streamOffset() >= 0) {
            sb.append("payload byte ").append(d.streamOffset()).append(" of connection ");
        } else {
            sb.append("a datagram of ");
        }
        sb.append(d.flow()).append(" in pair ").append(pair).append(" (").append(d.reason());
        if (!d.detail().isEmpty()) {
            sb.append(": ").append(d.detail());
        }
        sb.append(")\n");
        sb.append("  primary:\n").append(Hexdump.render(d.primaryBytes(), d.primaryDiffIndex(), "    "));
        sb.append("  secondary:\n").append(Hexdump.render(d.secondaryBytes(), d.secondaryDiffIndex(), "    "));
        return sb.toString().stripTrailing();
    }

    /** The TCP payload of a whole frame, or null when it is no TCP segment with data. */
    private static byte[] payload(byte[] frame) {
        if (frame.length == 0) {
            return null;
        }
        FrameInfo info = new FrameInfo();
        new FrameDecoder().decode(FrameDecoder.LINKTYPE_ETHERNET, frame, 0, frame.length, info);
        if (info.kind != FrameKind.TCP || info.compareLength <= 0) {
            return null;
        }
        return Arrays.copyOfRange(frame, info.compareOffset, info.compareOffset + info.compareLength);
    }

    /**
     * Where in {@code payload} the window's marked byte is: the window must occur exactly once (the comparator
     * took it from this payload; an ambiguous place is no place to excuse anything).
     */
    private static int locate(byte[] payload, byte[] window, int diffIndex) {
        int found = -1;
        for (int i = 0; i + window.length <= payload.length; i++) {
            if (Arrays.equals(payload, i, i + window.length, window, 0, window.length)) {
                if (found >= 0) {
                    return -1;
                }
                found = i;
            }
        }
        return found < 0 ? -1 : found + diffIndex;
    }

    /** The start of the line holding {@code at}: just after a LF before it; -1 if the line began in an earlier segment. */
    private static int lineStart(byte[] b, int at) {
        for (int i = at - 1; i >= 0; i--) {
            if (b[i] == '\n') {
                return i + 1;
            }
        }
        return -1;
    }

    /** The index of the CR of the first CRLF at or after {@code from}, or -1; a bare LF before it ends the search. */
    private static int crlf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == '\n') {
                return i > from && b[i - 1] == '\r' ? i - 1 : -1;
            }
        }
        return -1;
    }

    /** The index of the ':' ending an HTTP token name at the line's start, or -1 if the line is no header line. */
    private static int headerNameEnd(byte[] b, int start, int end) {
        int i = start;
        while (i < end && token(b[i])) {
            i++;
        }
        return i > start && i < end && b[i] == ':' ? i : -1;
    }

    private static boolean token(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
