package dev.colo.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of broken input gives a PcapFormatException naming the file, the offset of the offending header, record
 * or block, and the problem, after the frames before it have been delivered.
 */
class MalformedInputTest {
    private static final byte[] A = Frames.content(1, 60);
    private static final byte[] B = Frames.content(2, 61);
    private static final long A_RECORD = 16 + 60;
    private static final long B_RECORD = 16 + 61;

    @TempDir
    Path dir;

    /**
     * Reads {@code file} expecting {@code good} frames and then the failure at {@code offset}, whose message must
     * name the file and the offset and contain {@code problem}.
     */
    private static PcapFormatException assertMalformed(Path file, List<byte[]> good, long offset, String problem)
            throws IOException {
        PcapFormatException e;
        PacketFileReader reader = null;
        int delivered = 0;
        try {
            reader = PacketFileReader.open(file);
            while (reader.next()) {
                assertTrue(delivered < good.size(), "more frames than expected before the failure");
                Frames.assertFrame(reader, good.get(delivered++));
            }
            fail("no PcapFormatException; reader ended cleanly after " + delivered + " frames");
            return null;
        } catch (PcapFormatException caught) {
            e = caught;
        } finally {
            if (reader != null) {
                reader.close();
            }
        }
        assertEquals(good.size(), delivered, "frames delivered before the failure");
        assertEquals(file, e.path());
        assertEquals(offset, e.offset(), "offset in: " + e.getMessage());
        String message = e.getMessage();
        assertTrue(message.contains(file.toString()), "message names the file: " + message);
        assertTrue(message.contains("offset " + offset + ":"), "message names the offset: " + message);
        assertTrue(message.contains(problem), "message says '" + problem + "': " + message);
        return e;
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    private static ByteSink pcap(int snaplen) {
        return new ByteSink(ByteOrder.LITTLE_ENDIAN).u32(0xa1b2c3d4L).u16(2).u16(4).u32(0).u32(0).u32(snaplen)
                .u32(LinkType.ETHERNET);
    }

    /** A pcap with frames A and B, ready for a broken third record at offset {@link #pcapThird()}. */
    private static ByteSink pcapWithTwoFrames(int snaplen) {
        return pcap(snaplen).u32(1).u32(2).u32(A.length).u32(A.length).bytes(A)
                .u32(3).u32(4).u32(B.length).u32(B.length).bytes(B);
    }

    private static long pcapThird() {
        return 24 + A_RECORD + B_RECORD;
    }

    // ---- any format ----

    @Test
    void emptyFile() throws IOException {
        assertMalformed(write("empty.pcap", new byte[0]), List.of(), 0, "empty file");
    }

    @Test
    void fileShorterThanAMagicNumber() throws IOException {
        assertMalformed(write("short.pcap", new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2}), List.of(), 0,
                "3 of 4 bytes");
    }

    @Test
    void wrongMagic() throws IOException {
        byte[] gif = "GIF89a, not a capture at all".getBytes(StandardCharsets.US_ASCII);
        assertMalformed(write("text.pcap", gif), List.of(), 0, "unknown magic number 0x47494638");
    }

    @Test
    void openOfMissingFileIsAPlainIoException() {
        Path missing = dir.resolve("missing.pcap");
        IOException e = assertThrows(IOException.class, () -> PacketFileReader.open(missing));
        assertFalse(e instanceof PcapFormatException);
    }

    // ---- pcap ----

    @Test
    void pcapTruncatedFileHeader() throws IOException {
        byte[] header = pcap(65535).toByteArray();
        assertMalformed(write("hdr.pcap", Arrays.copyOf(header, 10)), List.of(), 0,
                "truncated pcap file header: the file ends after 10 of 24 bytes");
    }

    @Test
    void pcapUnsupportedVersion() throws IOException {
        ByteSink f = new ByteSink(ByteOrder.BIG_ENDIAN).u32(0xa1b2c3d4L).u16(3).u16(0).zeros(16);
        assertMalformed(f.writeTo(dir.resolve("v3.pcap")), List.of(), 0, "unsupported pcap version 3.0");
    }

    @Test
    void pcapTruncatedRecordHeader() throws IOException {
        ByteSink f = pcapWithTwoFrames(65535).u32(5).u32(6).u16(1).u8(0);
        assertMalformed(f.writeTo(dir.resolve("rechdr.pcap")), List.of(A, B), pcapThird(),
                "truncated record header: the file ends after 11 of 16 bytes");
    }

    @Test
    void pcapTruncatedFrame() throws IOException {
        ByteSink f = pcapWithTwoFrames(65535).u32(5).u32(6).u32(100).u32(100).zeros(40);
        assertMalformed(f.writeTo(dir.resolve("frame.pcap")), List.of(A, B), pcapThird(),
                "truncated frame: captured length 100 but the file ends after 40 bytes");
    }

    @Test
    void pcapAbsurdCapturedLengthIsAnErrorNotAnOutOfMemoryError() throws IOException {
        ByteSink f = pcapWithTwoFrames(65535).u32(5).u32(6).u32(0x7fffffff).u32(0x7fffffff).zeros(100);
        assertMalformed(f.writeTo(dir.resolve("absurd.pcap")), List.of(A, B), pcapThird(),
                "captured length 2147483647 exceeds the sanity limit of 262144 bytes (snaplen 65535)");
    }

    @Test
    void pcapCapturedLengthAboveTheLimitEvenIfTheSnaplenClaimsMore() throws IOException {
        ByteSink f = pcapWithTwoFrames(0x7fffffff).u32(5).u32(6).u32(300_000).u32(300_000).zeros(300_000);
        assertMalformed(f.writeTo(dir.resolve("big.pcap")), List.of(A, B), pcapThird(),
                "captured length 300000 exceeds the sanity limit of 262144 bytes");
        ByteSink g = pcapWithTwoFrames(262144).u32(5).u32(6).u32(0xffffffffL).u32(0xffffffffL);
        assertMalformed(g.writeTo(dir.resolve("negative.pcap")), List.of(A, B), pcapThird(),
                "captured length 4294967295 exceeds");
    }

    @Test
    void pcapCapturedLengthAboveSnaplenIsToleratedUpToTheLimit() throws IOException {
        byte[] c = Frames.content(3, 1000);
        ByteSink f = pcap(64).u32(1).u32(2).u32(c.length).u32(c.length).bytes(c);
        try (PacketFileReader r = PacketFileReader.open(f.writeTo(dir.resolve("lenient.pcap")))) {
            assertTrue(r.next());
            Frames.assertFrame(r, c);
            assertFalse(r.next());
        }
    }

    @Test
    void pcapCapturedLengthAboveOriginalLength() throws IOException {
        ByteSink f = pcapWithTwoFrames(65535).u32(5).u32(6).u32(100).u32(99).zeros(100);
        PcapFormatException e = assertMalformed(f.writeTo(dir.resolve("orig.pcap")), List.of(A, B), pcapThird(),
                "captured length 100 exceeds the original length 99");
        assertEquals("captured length 100 exceeds the original length 99", e.problem());
    }

    @Test
    void failureIsStickyAndReaderDoesNotResynchronise() throws IOException {
        ByteSink f = pcapWithTwoFrames(65535).u32(5).u32(6).u32(100).u32(99).zeros(100);
        try (PacketFileReader r = PacketFileReader.open(f.writeTo(dir.resolve("sticky.pcap")))) {
            assertTrue(r.next());
            assertTrue(r.next());
            PcapFormatException first = assertThrows(PcapFormatException.class, r::next);
            assertSame(first, assertThrows(PcapFormatException.class, r::next));
            assertEquals(2, r.framesRead());
        }
    }

    // ---- pcapng ----

    /** SHB + IDB (Ethernet) + EPB(A) + EPB(B); the next block starts at {@code f.size()}. */
    private static PcapngBuilder pcapngWithTwoFrames(ByteOrder order) {
        PcapngBuilder f = new PcapngBuilder();
        f.shb(order);
        f.idb(LinkType.ETHERNET, 65535, 9, 0);
        f.epb(0, 1, A, A.length);
        f.epb(0, 2, B, B.length);
        return f;
    }

    @Test
    void pcapngTruncatedSectionHeader() throws IOException {
        byte[] shb = pcapngWithTwoFrames(ByteOrder.LITTLE_ENDIAN).toByteArray();
        assertMalformed(write("shb.pcapng", Arrays.copyOf(shb, 9)), List.of(), 0,
                "truncated Section Header Block: the file ends at byte 9");
        assertMalformed(write("shb2.pcapng", Arrays.copyOf(shb, 20)), List.of(), 0,
                "truncated Section Header Block of total length 28: the file ends at byte 20");
    }

    @Test
    void pcapngBadByteOrderMagicInALaterSection() throws IOException {
        PcapngBuilder f = pcapngWithTwoFrames(ByteOrder.BIG_ENDIAN);
        long offset = f.size();
        f.raw().raw(0x0a, 0x0d, 0x0d, 0x0a).u32(28).raw(0x1a, 0x2b, 0x3c, 0x4e).u16(1).u16(0).u64(-1).u32(28);
        assertMalformed(f.writeTo(dir.resolve("bom.pcapng")), List.of(A, B), offset,
                "bad byte-order magic 0x1a2b3c4e in Section Header Block");
    }

    @Test
    void pcapngUnsupportedVersion() throws IOException {
        PcapngBuilder f = pcapngWithTwoFrames(ByteOrder.LITTLE_ENDIAN);
        long offset = f.size();
        f.block(PcapngBuilder.SHB, f.body().u32(0x1a2b3c4d).u16(2).u16(0).u64(-1));
        assertMalformed(f.writeTo(dir.resolve("v2.pcapng")), List.of(A, B), offset,
                "unsupported pcapng version 2.0");
    }

    @Test
    void pcapngBlockLengthNotAMultipleOfFour() throws IOException {
        PcapngBuilder f = pcapngWithTwoFrames(ByteOrder.LITTLE_ENDIAN);
        long offset = f.size();
        f.raw().u32(PcapngBuilder.EPB).u32(34).zeros(30);
        assertMalformed(f.writeTo(dir.resolve("mult4.pcapng")), List.of(A, B), offset,
                "Enhanced Packet Block: block total length 34 is not a multiple of 4");
    }

    @Test
    void pcapngBlockLengthTooSmall() throws IOException {
        PcapngBuilder f = pcapngWithTwoFrames(ByteOrder.BIG_ENDIAN);
        long offset = f.size();
        f.raw().u32(0x1234).u32(8).u32(8);
        assertMalformed(f.writeTo(dir.resolve("small.pcapng")), List.of(A, B), offset,
                "block of type 0x00001234: block total length 8 is below the minimum of 12");

        PcapngBuilder g = pcapngWithTwoFrames(ByteOrder.LITTLE_ENDIAN);
        offset = g.size();
        g.raw().u32(PcapngBuilder.EPB).u32(28).zeros(16).u32(28);
        assertMalformed(g.writeTo(dir.resolve("small-epb.pcapng")), List.of(A, B), offset,
                "Enhanced Packet Block: block total length 28 is below the minimum of 32");

        PcapngBuilder h = pcapngWithTwoFrames(ByteOrder.LITTLE_ENDIAN);
        offset = h.size();
        h.raw().u32(PcapngBuilder.IDB).u32(16).u32(1).u32(16);
        assertMalformed(h.writeTo(dir.resolve("small-idb.pcapng")), List.of(A, B), offset,
                "Interface Description Block: block total length 16 is below the minimum of 20");

        ByteSink s = new ByteSink(ByteOrder.LITTLE_ENDIAN).u32(0x0a0d0d0a).u32(24).u32(0x1a2b3c4d).u16(1).u16(0)
                .u64(-1).u32(24);
        assertMalformed(s.writeTo(dir.resolve("small-shb.pcapng")), List.of(), 0,
                "Section Header Block: block total length 24 is below the minimum of 28");
    }

    @Test
    void pcapngTrailingLengthMismatch() throws IOException {
        PcapngBuilder f = pcapngWithTwoFrames(ByteOrder.LITTLE_ENDIAN);
        long offset = f.size();
        byte[] c = Frames.content(3, 8);
        f.raw().u32(PcapngBuilder.EPB).u32(40).u32(0).u32(0).u32(3).u32(8).u32(8).bytes(c).u32(44);
        assertMalformed(f.writeTo(dir.resolve("trailer.pcapng")), List.of(A, B), offset,
                "Enhanced Packet Block: block total length 40 does not match its trailing copy 44");
    }

    @Test
    void pcapngUnknownBlockWithMismatchedTrailer() throws IOException {
        PcapngBuilder f = pcapngWithTwoFrames(ByteOrder.BIG_ENDIAN);
        long offset = f.size();
        f.raw().u32(0x40000bad).u32(20).u32(1).u32(2).u32(24);
        assertMalformed(f.writeTo(dir.resolve("unknown.pcapng")), List.of(A, B), offset,
                "block of type 0x40000bad: block total length 20 does not match its trailing copy 24");
    }

    @Test
    void pcapngPacketOnUndefinedInterface() throws IOException {
        PcapngBuilder f = pcapngWithTwoFrames(ByteOrder.LITTLE_ENDIAN);
        long offset = f.epb(1, 3, A, A.length);
        assertMalformed(f.writeTo(dir.resolve("ifid.pcapng")), List.of(A, B), offset,
                "Enhanced Packet Block refers to interface 1 but this section defines only 0..0");

        PcapngBuilder g = new PcapngBuilder();
        g.shb(ByteOrder.BIG_ENDIAN);
        offset = g.pb(0, 3, A, A.length);
        assertMalformed(g.writeTo(dir.resolve("noidb.pcapng")), List.of(), offset,
                "Packet Block refers to interface 0 but this section defines none");
    }

    @Test
    void pcapngInterfacesDoNotCarryOverToTheNextSection() throws IOException {
        PcapngBuilder f = pcapngWithTwoFrames(ByteOrder.LITTLE_ENDIAN);
        f.shb(ByteOrder.BIG_ENDIAN);
        long offset = f.epb(0, 3, A, A.length);
        assertMalformed(f.writeTo(dir.resolve("section.pcapng")), List.of(A, B), offset,
                "refers to interface 0 but this section defines none");
    }

    @Test
    void pcapngSimplePacketWithoutInterface() throws IOException {
        PcapngBuilder f = new PcapngBuilder();
        f.shb(ByteOrder.LITTLE_ENDIAN);
        long offset = f.spb(A.length, A);
        assertMalformed(f.writeTo(dir.resolve("spb.pcapng")), List.of(), offset,
                "Simple Packet Block but no Interface Description Block in this section");
    }

    @Test
    void pcapngSimplePacketLongerThanItsBlock() throws IOException {
        PcapngBuilder f = pcapngWithTwoFrames(ByteOrder.LITTLE_ENDIAN);
        long offset = f.spb(1000, A);
        assertMalformed(f.writeTo(dir.resolve("spb-len.pcapng")), List.of(A, B), offset,
                "Simple Packet Block: captured length 1000 (original length 1000, snaplen 65535) "
                        + "does not fit the block total length 76");
    }

    @Test
    void pcapngCapturedLengthBeyondTheBlock() throws IOException {
        PcapngBuilder f = pcapngWithTwoFrames(ByteOrder.LITTLE_ENDIAN);
        long offset = f.size();
        f.raw().u32(PcapngBuilder.EPB).u32(36).u32(0).u32(0).u32(3).u32(0x7fffffff).u32(0x7fffffff).u32(0)
                .u32(36);
        assertMalformed(f.writeTo(dir.resolve("caplen.pcapng")), List.of(A, B), offset,
                "Enhanced Packet Block: captured length 2147483647 does not fit the block total length 36");
    }

    @Test
    void pcapngCapturedLengthAboveTheSanityLimit() throws IOException {
        PcapngBuilder f = pcapngWithTwoFrames(ByteOrder.LITTLE_ENDIAN);
        long offset = f.epb(0, 3, new byte[300_000], 300_000);
        assertMalformed(f.writeTo(dir.resolve("limit.pcapng")), List.of(A, B), offset,
                "captured length 300000 exceeds the sanity limit of 262144 bytes (snaplen 65535)");
    }

    @Test
    void pcapngCapturedLengthAboveOriginalLength() throws IOException {
        PcapngBuilder f = pcapngWithTwoFrames(ByteOrder.BIG_ENDIAN);
        long offset = f.epb(0, 3, A, A.length - 1);
        assertMalformed(f.writeTo(dir.resolve("orig.pcapng")), List.of(A, B), offset,
                "captured length 60 exceeds the original length 59");
    }

    @Test
    void pcapngTruncatedInsideABlock() throws IOException {
        PcapngBuilder f = pcapngWithTwoFrames(ByteOrder.LITTLE_ENDIAN);
        long offset = f.epb(0, 3, Frames.content(3, 200), 200);
        byte[] whole = f.toByteArray();
        long end = offset + 50;
        assertMalformed(write("mid-epb.pcapng", Arrays.copyOf(whole, (int) end)), List.of(A, B), offset,
                "truncated frame: captured length 200 but the file ends after 22 bytes of it");
        assertMalformed(write("mid-header.pcapng", Arrays.copyOf(whole, (int) offset + 20)), List.of(A, B),
                offset, "truncated Enhanced Packet Block of total length 244: the file ends at byte " + (offset + 20));
        assertMalformed(write("mid-trailer.pcapng", Arrays.copyOf(whole, whole.length - 2)), List.of(A, B),
                offset, "truncated Enhanced Packet Block of total length 244");
    }

    @Test
    void pcapngTruncatedBlockHeader() throws IOException {
        PcapngBuilder f = pcapngWithTwoFrames(ByteOrder.LITTLE_ENDIAN);
        long offset = f.size();
        f.raw().u32(PcapngBuilder.EPB).u8(1);
        assertMalformed(f.writeTo(dir.resolve("blockhdr.pcapng")), List.of(A, B), offset,
                "truncated block header: the file ends after 5 of 8 bytes");
    }

    @Test
    void pcapngTruncatedUnknownBlockIsNotSilentlyIgnored() throws IOException {
        PcapngBuilder f = pcapngWithTwoFrames(ByteOrder.LITTLE_ENDIAN);
        long offset = f.size();
        f.raw().u32(0x0bad).u32(1 << 20).zeros(100);
        assertMalformed(f.writeTo(dir.resolve("skip.pcapng")), List.of(A, B), offset,
                "truncated block of type 0x00000bad of total length 1048576: the file ends at byte "
                        + (offset + 108));
    }

    @Test
    void pcapngOptionOverrunsInterfaceDescription() throws IOException {
        PcapngBuilder f = pcapngWithTwoFrames(ByteOrder.LITTLE_ENDIAN);
        long offset = f.size();
        // if_tsresol claiming 12 bytes of value in a block with room for 4
        f.raw().u32(PcapngBuilder.IDB).u32(28).u16(1).u16(0).u32(0).u16(9).u16(12).u32(6).u32(28);
        assertMalformed(f.writeTo(dir.resolve("option.pcapng")), List.of(A, B), offset,
                "option 9 at byte " + (offset + 16) + " with length 12 overruns the Interface Description Block");
    }
}
