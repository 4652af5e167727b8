package dev.colo.proxy.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Test frames, and receiving the ones a test is after (other traffic may share the link). */
final class Frames {
    /** IEEE "local experimental" EtherType: nobody else on the link sends it. */
    static final int TEST_ETHERTYPE = 0x88B5;
    static final int ARP = 0x0806;
    static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};
    static final byte[] OUR_MAC = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};

    private Frames() {
    }

    /** A test frame of {@code length} bytes whose payload is a pattern derived from {@code seed}. */
    static byte[] test(int length, int seed) {
        byte[] f = new byte[length];
        System.arraycopy(BROADCAST, 0, f, 0, 6);
        System.arraycopy(OUR_MAC, 0, f, 6, 6);
        f[12] = (byte) (TEST_ETHERTYPE >> 8);
        f[13] = (byte) TEST_ETHERTYPE;
        for (int i = 14; i < length; i++) {
            f[i] = (byte) (seed * 31 + i * 7);
        }
        return f;
    }

    /** "Who has {@code targetIp}? Tell {@code senderIp}", broadcast from {@link #OUR_MAC}. */
    static byte[] arpRequest(byte[] senderIp, byte[] targetIp) {
        ByteBuffer b = ByteBuffer.allocate(60); // padded to the Ethernet minimum
        b.put(BROADCAST).put(OUR_MAC).putShort((short) ARP);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1); // Ethernet, IPv4, request
        b.put(OUR_MAC).put(senderIp).put(new byte[6]).put(targetIp);
        return b.array();
    }

    static int ethertype(byte[] frame) {
        return frame.length < 14 ? -1 : (frame[12] & 0xff) << 8 | frame[13] & 0xff;
    }

    static ByteBuffer direct(byte[] frame) {
        return ByteBuffer.allocateDirect(frame.length).put(frame).flip();
    }

    /** Receives until {@code count} frames of {@code ethertype} came or {@code timeoutMillis} passed. */
    static List<byte[]> receive(FramePort port, int ethertype, int count, long timeoutMillis) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(FramePorts.MAX_FRAME);
        List<byte[]> got = new ArrayList<>();
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (got.size() < count) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                break;
            }
            if (!port.awaitFrame((int) left)) {
                continue;
            }
            buffer.clear();
            while (port.receive(buffer) > 0) {
                byte[] frame = new byte[buffer.flip().remaining()];
                buffer.get(frame).clear();
                if (ethertype(frame) == ethertype) {
                    got.add(frame);
                }
            }
        }
        return got;
    }

    static String hex(byte[] frame) {
        return HexFormat.of().formatHex(frame);
    }
}
