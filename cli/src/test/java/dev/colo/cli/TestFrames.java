package dev.colo.cli;

import dev.colo.compare.packet.FrameBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Frames the cli tests feed to a live comparator. */
public final class TestFrames {
    private TestFrames() {
    }

    /** A UDP datagram 10.0.0.2:7 -> 10.0.0.1:4000 carrying {@code text}: its flow is the same for every text. */
    public static byte[] udp(String text) {
        byte[] f = new byte[256];
        byte[] p = text.getBytes(StandardCharsets.US_ASCII);
        int n = new FrameBuilder().udp4(f, 0, FrameBuilder.ipv4(10, 0, 0, 2), FrameBuilder.ipv4(10, 0, 0, 1), 7, 4000, p, 0, p.length);
        return Arrays.copyOf(f, n);
    }
}
