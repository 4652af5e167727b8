package dev.colo.compare.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of the frame decoder and its flyweights (JAZZER_FUZZ=1, see bench/run-fuzz.sh); in the
 * suite the corpus in FrameDecoderFuzzTestInputs runs as regression tests.
 *
 * <p>Input: one control byte (bits 0-1 pick the link type: Ethernet, raw IP, or two unsupported ones; bits 2-5 how
 * far into the buffer the frame starts), then the frame. The decoder must never throw, must keep every region it
 * reports inside the frame, and must not depend on bytes outside the frame nor on the frame it decoded before.
 */
class FrameDecoderFuzzTest {
    private static final int[] LINK_TYPES = {FrameDecoder.LINKTYPE_ETHERNET, FrameDecoder.LINKTYPE_RAW, 0, 113};

    /** Reused across inputs, as on the hot path: stale state from the previous frame would show as a difference. */
    private static final FrameDecoder REUSED = new FrameDecoder();
    private static final FrameInfo REUSED_INFO = new FrameInfo();

    @FuzzTest(maxDuration = "5m")
    void decode(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int linkType = LINK_TYPES[input[0] & 3];
        int offset = (input[0] >>> 2) & 0x0f;
        int length = input.length - 1;

        byte[] zeros = new byte[offset + length + 16];
        System.arraycopy(input, 1, zeros, offset, length);
        REUSED.decode(linkType, zeros, offset, length, REUSED_INFO);
        assertContract(REUSED_INFO, offset, length);

        // The same frame among other surrounding bytes, by a fresh decoder: the same result.
        byte[] ones = new byte[zeros.length];
        Arrays.fill(ones, (byte) 0xff);
        System.arraycopy(input, 1, ones, offset, length);
        FrameInfo fresh = new FrameInfo();
        new FrameDecoder().decode(linkType, ones, offset, length, fresh);
        assertEquals(describe(REUSED_INFO), describe(fresh), "result depends on bytes outside the frame or on the previous frame");
    }

    private static void assertContract(FrameInfo info, int offset, int length) {
        int end = offset + length;
        assertNotNull(info.kind);
        if (info.kind == FrameKind.MALFORMED) {
            assertNotNull(info.malformation, "a malformed frame says why");
            assertEquals(FrameInfo.PROTO_MALFORMED, info.protocol);
            assertEquals(offset, info.compareOffset, "a malformed frame is compared whole");
            assertEquals(length, info.compareLength, "a malformed frame is compared whole");
        } else {
            assertNull(info.malformation);
        }
        assertTrue(info.compareLength >= 0, "negative compare length " + info.compareLength);
        assertTrue(info.compareOffset >= offset && info.compareOffset + info.compareLength <= end,
                "compare region [" + info.compareOffset + ", +" + info.compareLength + ") outside the frame [" + offset + ", " + end + ")");
        if (info.kind == FrameKind.TCP) {
            assertTrue(info.tcpOptionsLength >= 0 && info.tcpOptionsLength <= 40, "TCP options length " + info.tcpOptionsLength);
            assertTrue(info.tcpOptionsOffset >= offset && info.tcpOptionsOffset + info.tcpOptionsLength <= info.compareOffset,
                    "TCP options outside the header");
        }
        assertTrue(info.vlanId >= -1 && info.vlanId <= 0x0fff, "VLAN id " + info.vlanId);
        assertTrue(info.srcPort >= 0 && info.srcPort <= 0xffff && info.dstPort >= 0 && info.dstPort <= 0xffff, "ports");
        assertTrue(info.keyDirection == 0 || info.keyDirection == 1);
        assertEquals(FrameInfo.hash(info.key0, info.key1, info.key2, info.key3, info.key4, info.key5), info.keyHash);
    }

    private static String describe(FrameInfo i) {
        return i.kind + " " + i.malformation + " v" + i.ipVersion + " p" + i.protocol + " vlan" + i.vlanId + " " + i.srcHi + "/" + i.srcLo
                + ":" + i.srcPort + ">" + i.dstHi + "/" + i.dstLo + ":" + i.dstPort + " cmp" + i.compareOffset + "+" + i.compareLength
                + " tag" + i.compareTag + " tcp" + i.tcpSeq + "/" + i.tcpAck + "/" + i.tcpFlags + "/" + i.tcpOptionsOffset + "+"
                + i.tcpOptionsLength + " key" + i.keyHash + "/" + i.keyDirection;
    }
}
