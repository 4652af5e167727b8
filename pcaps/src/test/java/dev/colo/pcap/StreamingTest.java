package dev.colo.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Files far larger than the read buffer, read with the default 1 MiB buffer and with tiny ones so that headers and
 * frames straddle refills constantly (and a 65 KiB frame spans many of them); every byte is checked.
 */
class StreamingTest {
    private static final int FRAMES = 50_000;
    private static final int HUGE_INDEX = 31_337;
    private static final int HUGE_LENGTH = 65 * 1024;
    private static final long BASE_NANOS = 1_650_000_000_000_000_000L;

    @TempDir
    Path dir;

    private static int[] lengths() {
        SplittableRandom random = new SplittableRandom(42);
        int[] lengths = new int[FRAMES];
        for (int i = 0; i < FRAMES; i++) {
            int kind = random.nextInt(100);
            lengths[i] = kind < 2 ? random.nextInt(9000) : kind < 5 ? random.nextInt(16) : 60 + random.nextInt(1455);
        }
        lengths[HUGE_INDEX] = HUGE_LENGTH;
        return lengths;
    }

    private static long timestamp(int i) {
        return BASE_NANOS + i * 12_345_678L + i % 1000;
    }

    private Path writeLargeFile(Format format, int[] lengths) throws IOException {
        Path file = dir.resolve("large" + format.extension);
        byte[] frame = new byte[HUGE_LENGTH];
        try (PacketFileWriter w = format.create(file, LinkType.ETHERNET, 262144)) {
            for (int i = 0; i < FRAMES; i++) {
                Frames.fill(frame, i, lengths[i]);
                w.write(timestamp(i), frame, 0, lengths[i], lengths[i] + 4);
            }
        }
        return file;
    }

    @ParameterizedTest
    @EnumSource(value = Format.class, names = {"PCAP_NANOS", "PCAPNG"})
    void fileLargerThanTheBufferStreamsExactly(Format format) throws IOException {
        int[] lengths = lengths();
        Path file = writeLargeFile(format, lengths);
        long size = Files.size(file);
        int window = 1 << 20;
        assertTrue(size > 20 * window, "file of " + size + " bytes");
        // A 1 MiB window (remapped 40 times); an odd size so window edges drift through records; the minimum,
        // where almost every header and frame straddles a window edge and the 65 KiB frame spans a thousand.
        for (int bufferSize : new int[] {window, 4093, ChannelInput.MIN_BUFFER_SIZE}) {
            try (PacketFileReader r = ReaderFactory.open(file, bufferSize)) {
                long offset = format.headerLength();
                for (int i = 0; i < FRAMES; i++) {
                    assertTrue(r.next(), "frame " + i + " with buffer " + bufferSize);
                    Frames.assertContent(r, i, lengths[i]);
                    assertEquals(lengths[i] + 4, r.originalLength());
                    assertEquals(timestamp(i), r.timestampNanos());
                    assertEquals(offset, r.frameOffset());
                    offset += format.recordLength(lengths[i]);
                }
                assertFalse(r.next());
                assertEquals(size, offset);
                assertEquals(FRAMES, r.framesRead());
            }
        }
    }

    /** The hot loop allocates nothing per frame (measured with the HotSpot per-thread allocation counter). */
    @ParameterizedTest
    @EnumSource(value = Format.class, names = {"PCAP_MICROS", "PCAPNG"})
    void readingAllocatesNothingPerFrame(Format format) throws IOException {
        java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean,
                "needs com.sun.management.ThreadMXBean (HotSpot) to count allocations");
        com.sun.management.ThreadMXBean allocations = (com.sun.management.ThreadMXBean) bean;
        long thread = Thread.currentThread().getId();
        Path file = dir.resolve("alloc" + format.extension);
        int frames = 20_000;
        byte[] frame = Frames.content(7, 1514);
        try (PacketFileWriter w = format.create(file, LinkType.ETHERNET, 65535)) {
            for (int i = 0; i < frames; i++) {
                w.write(BASE_NANOS + i, frame, 0, 60 + i % 1455, 1514);
            }
        }
        long allocated = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) { // the first rounds warm up the JIT
            try (PacketFileReader r = PacketFileReader.open(file)) {
                long sum = 0;
                long before = allocations.getThreadAllocatedBytes(thread);
                while (r.next()) {
                    sum += r.capturedLength() + r.data()[r.capturedLength() - 1] + r.timestampNanos();
                }
                allocated = Math.min(allocated, allocations.getThreadAllocatedBytes(thread) - before);
                assertEquals(frames, r.framesRead());
                assertTrue(sum != 0);
            }
        }
        assertTrue(allocated < 16L * 1024, allocated + " bytes allocated reading " + frames + " frames");
    }

    /**
     * Offsets past 4 GiB: a sparse file whose pcapng section holds an unknown block of almost 4 GiB, which the
     * reader must skip by seeking (not reading), then a frame beyond it.
     */
    @Test
    void skipsHugeBlocksAndReportsOffsetsBeyondFourGiB() throws IOException {
        PcapngBuilder f = new PcapngBuilder();
        f.shb(ByteOrder.LITTLE_ENDIAN);
        f.idb(LinkType.ETHERNET, 0, 9, 0);
        byte[] a = Frames.content(1, 100);
        f.epb(0, 1, a, a.length);
        long hugeOffset = f.size();
        long hugeLength = 0xffff_fff0L;
        Path file = f.writeTo(dir.resolve("sparse.pcapng"));

        PcapngBuilder tail = new PcapngBuilder();
        byte[] b = Frames.content(2, 1514);
        tail.epb(0, 2, b, b.length);
        long tailOffset = hugeOffset + hugeLength;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(0x0bad).putInt((int) hugeLength).flip();
            ch.write(header, hugeOffset);
            ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) hugeLength);
            ch.write(trailer.flip(), tailOffset - 4);
            ch.write(ByteBuffer.wrap(tail.toByteArray()), tailOffset);
        }
        assertTrue(Files.size(file) > 4L << 30);

        try (PacketFileReader r = PacketFileReader.open(file)) {
            assertTrue(r.next());
            Frames.assertFrame(r, a);
            assertTrue(r.next());
            Frames.assertFrame(r, b);
            assertEquals(tailOffset, r.frameOffset());
            assertEquals(2, r.timestampNanos());
            assertFalse(r.next());
        }
    }

    /**
     * Found by PcapngReaderFuzzTest: an IDB option header or a section header's version straddling a window edge was
     * read through the window before the remap (IndexOutOfBoundsException, or the old window's bytes). Every window
     * size from the minimum up moves the edges through both; each must read what one whole-file window reads.
     */
    @Test
    void sectionAndInterfaceHeadersStraddlingAWindowEdgeAreReadFromTheNewWindow() throws IOException {
        PcapngBuilder f = new PcapngBuilder();
        byte[] a = Frames.content(1, 60);
        byte[] b = Frames.content(2, 61);
        f.shb(ByteOrder.LITTLE_ENDIAN);
        f.idb(LinkType.ETHERNET, 0, 9, 3);
        f.epb(0, 1_000_000_007L, a, a.length);
        f.shb(ByteOrder.BIG_ENDIAN);
        f.idb(LinkType.ETHERNET, 0, 3, 5);
        f.epb(0, 42, b, b.length);
        Path file = f.writeTo(dir.resolve("edges.pcapng"));
        for (int window = ChannelInput.MIN_BUFFER_SIZE; window < ChannelInput.MIN_BUFFER_SIZE + 96; window++) {
            try (PacketFileReader r = ReaderFactory.open(file, window)) {
                assertTrue(r.next(), "window " + window);
                Frames.assertFrame(r, a);
                assertEquals(4_000_000_007L, r.timestampNanos(), "window " + window + ": if_tsresol 9, if_tsoffset 3 s");
                assertTrue(r.next(), "window " + window);
                Frames.assertFrame(r, b);
                assertEquals(5_042_000_000L, r.timestampNanos(), "window " + window + ": if_tsresol 3, if_tsoffset 5 s");
                assertFalse(r.next());
            }
        }
    }
}
