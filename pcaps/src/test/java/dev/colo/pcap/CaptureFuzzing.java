package dev.colo.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The contract both capture readers are fuzzed against (PcapReaderFuzzTest, PcapngReaderFuzzTest): a capture file
 * of any bytes yields frames within bounds and then either a clean end or a {@link PcapFormatException} (nothing
 * else escapes), sticky once thrown; and the same transcript whether the file is read through one window or through
 * the smallest one, remapped at every record.
 */
final class CaptureFuzzing {
    private CaptureFuzzing() {
    }

    static void assertContract(byte[] file) throws IOException {
        Path path = Files.createTempFile("colo-fuzz-", ".cap");
        try {
            Files.write(path, file);
            List<String> whole = transcript(path, Math.max(file.length, ChannelInput.MIN_BUFFER_SIZE));
            List<String> smallest = transcript(path, ChannelInput.MIN_BUFFER_SIZE);
            assertEquals(whole, smallest, "the window size changed what was read");
        } finally {
            Files.delete(path);
        }
    }

    /** Every frame read and how the file ended: its clean end or the format error's offset and problem. */
    private static List<String> transcript(Path path, int window) throws IOException {
        List<String> out = new ArrayList<>();
        PacketFileReader reader;
        try {
            reader = ReaderFactory.open(path, window);
        } catch (PcapFormatException e) {
            out.add("open failed at " + e.offset() + ": " + e.problem());
            return out;
        }
        try (reader) {
            long size = Files.size(path);
            long previousOffset = -1;
            try {
                while (reader.next()) {
                    int captured = reader.capturedLength();
                    assertTrue(captured >= 0 && captured <= Limits.MAX_CAPTURED_LENGTH, "captured length " + captured);
                    assertTrue(captured <= reader.originalLength(), "captured above original length");
                    assertTrue(captured <= reader.data().length, "captured length beyond the frame array");
                    assertTrue(reader.data().length <= Limits.MAX_CAPTURED_LENGTH, "frame array grew to " + reader.data().length);
                    long at = reader.frameOffset();
                    assertTrue(at > previousOffset && at + captured <= size, "frame at " + at + " outside the file of " + size);
                    previousOffset = at;
                    assertEquals(out.size() + 1, reader.framesRead());
                    out.add(at + " if" + reader.interfaceId() + " lt" + reader.linkType() + " t" + reader.timestampNanos() + " "
                            + captured + "/" + reader.originalLength() + " #" + Arrays.hashCode(Arrays.copyOf(reader.data(), captured)));
                }
                assertFalse(reader.next(), "a reader at its end stays there");
                out.add("end");
            } catch (PcapFormatException e) {
                try {
                    reader.next();
                    throw new AssertionError("a failed reader read on");
                } catch (PcapFormatException again) {
                    assertSame(e, again, "a failed reader repeats its failure");
                }
                assertEquals(path, e.path());
                out.add("failed at " + e.offset() + ": " + e.problem());
            }
        }
        return out;
    }
}
