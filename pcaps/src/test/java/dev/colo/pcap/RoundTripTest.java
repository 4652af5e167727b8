package dev.colo.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Our writer to our reader, for pcap (usec, nsec) and pcapng. */
class RoundTripTest {
    private static final long BASE_NANOS = 1_700_000_000_123_456_789L;

    @TempDir
    Path dir;

    private static long timestamp(int i) {
        return BASE_NANOS + i * 1_000_003_007L + (i % 7) * 111L;
    }

    private static int length(int i) {
        return i == 3 ? 0 : 42 + (i * 37) % 1500;
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void framesComeBackExactly(Format format) throws IOException {
        Path file = dir.resolve("rt" + format.extension);
        int frames = 300;
        try (PacketFileWriter w = format.create(file, LinkType.ETHERNET, 65535)) {
            for (int i = 0; i < frames; i++) {
                byte[] f = Frames.content(i, length(i));
                w.write(timestamp(i), f, 0, f.length, f.length + (i % 2) * 4);
                assertEquals(i + 1, w.framesWritten());
            }
        }
        try (PacketFileReader r = PacketFileReader.open(file)) {
            assertEquals(file, r.path());
            long offset = format.headerLength();
            for (int i = 0; i < frames; i++) {
                assertTrue(r.next(), "frame " + i);
                Frames.assertFrame(r, Frames.content(i, length(i)));
                assertEquals(length(i) + (i % 2) * 4, r.originalLength());
                assertEquals(format.stored(timestamp(i)), r.timestampNanos(), "timestamp of frame " + i);
                assertEquals(LinkType.ETHERNET, r.linkType());
                assertEquals(0, r.interfaceId());
                assertEquals(offset, r.frameOffset());
                assertEquals(i + 1, r.framesRead());
                offset += format.recordLength(length(i));
            }
            assertEquals(Files.size(file), offset);
            assertFalse(r.next());
            assertFalse(r.next(), "end of file is sticky");
            assertEquals(frames, r.framesRead());
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void framesLongerThanSnaplenAreTruncatedKeepingOriginalLength(Format format) throws IOException {
        Path file = dir.resolve("snap" + format.extension);
        byte[] big = Frames.content(1, 300);
        try (PacketFileWriter w = format.create(file, LinkType.RAW, 100)) {
            w.write(BASE_NANOS, big, 0, 300, 300);
            w.write(BASE_NANOS, big, 50, 100, 1000);
            w.write(BASE_NANOS, big, 7, 99, 99);
        }
        try (PacketFileReader r = PacketFileReader.open(file)) {
            assertTrue(r.next());
            Frames.assertFrame(r, Arrays.copyOf(big, 100));
            assertEquals(300, r.originalLength());
            assertEquals(LinkType.RAW, r.linkType());
            assertTrue(r.next());
            Frames.assertFrame(r, Arrays.copyOfRange(big, 50, 150));
            assertEquals(1000, r.originalLength());
            assertTrue(r.next());
            Frames.assertFrame(r, Arrays.copyOfRange(big, 7, 106));
            assertEquals(99, r.originalLength());
            assertFalse(r.next());
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void headerOnlyFileHasNoFrames(Format format) throws IOException {
        Path file = dir.resolve("empty" + format.extension);
        format.create(file, LinkType.LINUX_SLL2, 262144).close();
        assertEquals(format.headerLength(), Files.size(file));
        try (PacketFileReader r = PacketFileReader.open(file)) {
            assertFalse(r.next());
            assertEquals(0, r.framesRead());
        }
    }

    @Test
    void magicNumbersOnDisk() throws IOException {
        assertArrayEquals(new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1},
                firstBytes(Format.PCAP_MICROS, 4));
        assertArrayEquals(new byte[] {0x4d, 0x3c, (byte) 0xb2, (byte) 0xa1}, firstBytes(Format.PCAP_NANOS, 4));
        assertArrayEquals(new byte[] {0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a},
                firstBytes(Format.PCAPNG, 12));
    }

    private byte[] firstBytes(Format format, int n) throws IOException {
        Path file = dir.resolve("magic-" + format + format.extension);
        format.create(file, LinkType.ETHERNET, 1514).close();
        return Arrays.copyOf(Files.readAllBytes(file), n);
    }

    @Test
    void frameArrayIsReusedAndGrowsForLargerFrames() throws IOException {
        Path file = dir.resolve("reuse.pcap");
        try (PacketFileWriter w = PacketFileWriter.pcap(file, LinkType.ETHERNET, 262144, true)) {
            for (int len : new int[] {60, 1514, 60, 9000, 64, 262144, 10}) {
                byte[] f = Frames.content(len, len);
                w.write(BASE_NANOS, f, 0, len, len);
            }
        }
        try (PacketFileReader r = PacketFileReader.open(file)) {
            assertTrue(r.next());
            byte[] first = r.data();
            assertTrue(r.next());
            assertTrue(r.next());
            assertSame(first, r.data(), "no allocation for frames that fit");
            for (int len : new int[] {9000, 64, 262144, 10}) {
                assertTrue(r.next());
                Frames.assertFrame(r, Frames.content(len, len));
            }
            assertFalse(r.next());
        }
    }

    @Test
    void writerRejectsBadArguments() throws IOException {
        Path file = dir.resolve("args.pcap");
        assertThrows(IllegalArgumentException.class, () -> PacketFileWriter.pcap(file, LinkType.ETHERNET, 0, false));
        assertThrows(IllegalArgumentException.class,
                () -> PacketFileWriter.pcapng(file, LinkType.ETHERNET, 262145));
        assertThrows(IllegalArgumentException.class, () -> PacketFileWriter.pcapng(file, -1, 100));
        assertFalse(Files.exists(file), "no file is created for rejected arguments");
        byte[] f = new byte[100];
        PacketFileWriter w = PacketFileWriter.pcap(file, LinkType.ETHERNET, 1514, false);
        assertThrows(IllegalArgumentException.class, () -> w.write(-1, f, 0, 10, 10));
        assertThrows(IllegalArgumentException.class, () -> w.write(0, f, 0, 10, 9));
        assertThrows(IndexOutOfBoundsException.class, () -> w.write(0, f, 95, 10, 10));
        assertThrows(IllegalArgumentException.class, () -> w.write(1L << 62, f, 0, 10, 10),
                "pcap seconds are 32 bits");
        assertEquals(0, w.framesWritten());
        w.write(0, f, 0, 10, 10);
        w.flush();
        assertEquals(24 + 16 + 10, Files.size(file), "flush() reaches the file");
        w.close();
        assertThrows(IOException.class, () -> w.write(0, f, 0, 10, 10));
        w.close(); // idempotent
        assertEquals(1, w.framesWritten());
        try (PacketFileReader r = PacketFileReader.open(file)) {
            assertTrue(r.next());
            assertEquals(0, r.timestampNanos());
            assertFalse(r.next());
        }
    }

    @Test
    void closedReaderRefusesToContinue() throws IOException {
        Path file = dir.resolve("closed.pcapng");
        try (PacketFileWriter w = PacketFileWriter.pcapng(file, LinkType.ETHERNET, 1514)) {
            w.write(1, new byte[10], 0, 10, 10);
            w.write(2, new byte[10], 0, 10, 10);
        }
        PacketFileReader r = PacketFileReader.open(file);
        assertTrue(r.next());
        r.close();
        IOException e = assertThrows(IOException.class, r::next);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void pcapngKeepsFullSixtyFourBitNanosecondTimestamps() throws IOException {
        Path file = dir.resolve("far.pcapng");
        long far = Long.MAX_VALUE - 5; // year 2262: beyond what pcap can store, fine for pcapng
        try (PacketFileWriter w = PacketFileWriter.pcapng(file, LinkType.ETHERNET, 0)) {
            w.write(far, new byte[] {1, 2, 3}, 0, 3, 3);
        }
        try (PacketFileReader r = PacketFileReader.open(file)) {
            assertTrue(r.next());
            assertEquals(far, r.timestampNanos());
            Frames.assertFrame(r, new byte[] {1, 2, 3});
        }
    }

    @Test
    void linkTypeNames() {
        assertEquals("ETHERNET", LinkType.name(LinkType.ETHERNET));
        assertEquals("RAW", LinkType.name(LinkType.RAW));
        assertEquals("LINUX_SLL", LinkType.name(LinkType.LINUX_SLL));
        assertEquals("LINUX_SLL2", LinkType.name(LinkType.LINUX_SLL2));
        assertEquals("LINKTYPE_4242", LinkType.name(4242));
        assertEquals(1, LinkType.ETHERNET);
        assertEquals(101, LinkType.RAW);
        assertEquals(113, LinkType.LINUX_SLL);
        assertEquals(276, LinkType.LINUX_SLL2);
    }
}
