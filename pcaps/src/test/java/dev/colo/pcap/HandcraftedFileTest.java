package dev.colo.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files written byte by byte from the specifications: byte orders, resolutions and blocks our writer never emits. */
class HandcraftedFileTest {
    private static final long SECONDS = 1_700_000_000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    /** A pcap file header; {@code magic} is given as read big-endian (a1b2c3d4 or a1b23c4d). */
    private static ByteSink pcapHeader(ByteOrder order, long magic, int snaplen, long network) {
        return new ByteSink(order).u32(magic).u16(2).u16(4).u32(0).u32(0).u32(snaplen).u32(network);
    }

    @Test
    void bigEndianMicrosecondPcap() throws IOException {
        ByteSink f = pcapHeader(ByteOrder.BIG_ENDIAN, 0xa1b2c3d4L, 65535, LinkType.ETHERNET);
        byte[] a = Frames.content(1, 60);
        byte[] b = Frames.content(2, 1514);
        f.u32(SECONDS).u32(999_999).u32(a.length).u32(a.length).bytes(a);
        f.u32(0xffff_ffffL).u32(1).u32(b.length).u32(4000).bytes(b);
        Path file = f.writeTo(dir.resolve("be-usec.pcap"));
        assertEquals(0xa1, f.toByteArray()[0] & 0xff, "big-endian magic is spelled a1 b2 c3 d4");

        try (PacketFileReader r = PacketFileReader.open(file)) {
            assertTrue(r.next());
            Frames.assertFrame(r, a);
            assertEquals(SECONDS * NANOS_PER_SECOND + 999_999_000L, r.timestampNanos());
            assertEquals(24, r.frameOffset());
            assertEquals(LinkType.ETHERNET, r.linkType());
            assertTrue(r.next());
            Frames.assertFrame(r, b);
            assertEquals(4000, r.originalLength());
            assertEquals(0xffff_ffffL * NANOS_PER_SECOND + 1000, r.timestampNanos(), "seconds are unsigned");
            assertEquals(24 + 16 + 60, r.frameOffset());
            assertFalse(r.next());
        }
    }

    @Test
    void bigEndianNanosecondPcap() throws IOException {
        ByteSink f = pcapHeader(ByteOrder.BIG_ENDIAN, 0xa1b23c4dL, 262144, LinkType.LINUX_SLL);
        byte[] a = Frames.content(3, 77);
        f.u32(SECONDS).u32(123_456_789).u32(a.length).u32(a.length).bytes(a);
        Path file = f.writeTo(dir.resolve("be-nsec.pcap"));
        try (PacketFileReader r = PacketFileReader.open(file)) {
            assertTrue(r.next());
            Frames.assertFrame(r, a);
            assertEquals(SECONDS * NANOS_PER_SECOND + 123_456_789L, r.timestampNanos());
            assertEquals(LinkType.LINUX_SLL, r.linkType());
            assertFalse(r.next());
        }
    }

    @Test
    void littleEndianPcapIgnoresFcsBitsOfTheLinkTypeField() throws IOException {
        long network = LinkType.ETHERNET | (1L << 26) | (4L << 27); // "FCS of 4 bytes present" flags
        for (long magic : new long[] {0xa1b2c3d4L, 0xa1b23c4dL}) {
            ByteSink f = pcapHeader(ByteOrder.LITTLE_ENDIAN, magic, 1514, network);
            f.u32(SECONDS).u32(5).u32(1).u32(1).u8(0x42);
            Path file = f.writeTo(dir.resolve("le-" + Long.toHexString(magic) + ".pcap"));
            try (PacketFileReader r = PacketFileReader.open(file)) {
                assertTrue(r.next());
                assertEquals(LinkType.ETHERNET, r.linkType());
                assertEquals(SECONDS * NANOS_PER_SECOND + (magic == 0xa1b2c3d4L ? 5000 : 5), r.timestampNanos());
                assertEquals(0x42, r.data()[0]);
                assertFalse(r.next());
            }
        }
    }

    /**
     * Section 1 (big-endian): five interfaces with different link types, snaplens and timestamp resolutions
     * (10^-6, 2^-20, 10^-9 with if_tsoffset, 10^-12, default), EPBs on each, an SPB, an obsolete PB, and
     * NRB / ISB / custom / unknown blocks to skip. Section 2 (little-endian): interface ids start again.
     */
    @Test
    void multiSectionMultiInterfacePcapng() throws IOException {
        PcapngBuilder f = new PcapngBuilder();
        f.shb(ByteOrder.BIG_ENDIAN);
        f.idb(LinkType.ETHERNET, 0, 6, 0);
        f.block(PcapngBuilder.NRB, f.body().u16(1).u16(8).raw(10, 0, 0, 1).raw('a', 'b', 'c', 0).u16(0).u16(0));
        f.idb(LinkType.RAW, 128, 0x80 | 20, 0);
        f.idb(LinkType.LINUX_SLL, 262144, 9, 1000);
        f.idb(LinkType.LINUX_SLL2, 65535, 12, 0);
        f.idb(LinkType.ETHERNET, 65535, -1, 0);

        byte[][] d = new byte[12][];
        for (int i = 0; i < d.length; i++) {
            d[i] = Frames.content(100 + i, 1 + i * 13);
        }
        long[] offsets = new long[12];
        offsets[0] = f.epb(0, SECONDS * 1_000_000 + 123_456, d[0], d[0].length);
        offsets[1] = f.epb(1, (SECONDS << 20) + (1 << 19), d[1], d[1].length + 10);
        offsets[2] = f.epb(1, (SECONDS << 20) + 1, d[2], d[2].length);
        f.block(0x00000bad, f.body().u32(32473).raw('c', 'u', 's', 't', 'o', 'm')); // custom block, PEN 32473
        offsets[3] = f.epb(2, 5, d[3], d[3].length);
        offsets[4] = f.epb(3, 123_456_789_123_456L, d[4], d[4].length);
        offsets[5] = f.epb(4, SECONDS * 1_000_000 + 7, d[5], d[5].length);
        f.block(PcapngBuilder.ISB, f.body().u32(0).u32(0).u32(0).u16(0).u16(0));
        offsets[6] = f.spb(d[6].length, d[6]);
        offsets[7] = f.pb(1, (SECONDS << 20) + (3 << 18), d[7], d[7].length);
        f.block(0x7eadbeef, f.body().zeros(1000));

        f.shb(ByteOrder.LITTLE_ENDIAN);
        f.block(0x0000000a, f.body().u32(0x544c534b).u32(4).raw(1, 2, 3, 4)); // decryption secrets
        f.idb(LinkType.LINUX_SLL2, 64, 9, 0);
        byte[] full = Frames.content(999, 100);
        offsets[8] = f.spb(100, java.util.Arrays.copyOf(full, 64));
        offsets[9] = f.epb(0, SECONDS * NANOS_PER_SECOND + 1, d[9], d[9].length);
        Path file = f.writeTo(dir.resolve("multi.pcapng"));

        try (PacketFileReader r = PacketFileReader.open(file)) {
            expect(r, d[0], 0, LinkType.ETHERNET, SECONDS * NANOS_PER_SECOND + 123_456_000L, offsets[0]);
            expect(r, d[1], 1, LinkType.RAW, SECONDS * NANOS_PER_SECOND + 500_000_000L, offsets[1]);
            assertEquals(d[1].length + 10, r.originalLength());
            // 2^-20 s = 953.67... ns, rounded down
            expect(r, d[2], 1, LinkType.RAW, SECONDS * NANOS_PER_SECOND + 953, offsets[2]);
            expect(r, d[3], 2, LinkType.LINUX_SLL, 1000 * NANOS_PER_SECOND + 5, offsets[3]);
            expect(r, d[4], 3, LinkType.LINUX_SLL2, 123_456_789_123L, offsets[4]);
            expect(r, d[5], 4, LinkType.ETHERNET, SECONDS * NANOS_PER_SECOND + 7000, offsets[5]);
            // SPB: interface 0, no timestamp, captured = original because interface 0 has snaplen 0 (no limit)
            expect(r, d[6], 0, LinkType.ETHERNET, 0, offsets[6]);
            expect(r, d[7], 1, LinkType.RAW, SECONDS * NANOS_PER_SECOND + 750_000_000L, offsets[7]);
            // second section: interface 0 is the new LINUX_SLL2 IDB with snaplen 64
            expect(r, java.util.Arrays.copyOf(full, 64), 0, LinkType.LINUX_SLL2, 0, offsets[8]);
            assertEquals(100, r.originalLength());
            expect(r, d[9], 0, LinkType.LINUX_SLL2, SECONDS * NANOS_PER_SECOND + 1, offsets[9]);
            assertFalse(r.next());
            assertEquals(10, r.framesRead());
        }
    }

    private static void expect(PacketFileReader r, byte[] data, int interfaceId, int linkType, long nanos,
            long offset) throws IOException {
        assertTrue(r.next(), "expected a frame at offset " + offset);
        Frames.assertFrame(r, data);
        assertEquals(interfaceId, r.interfaceId(), "interface id");
        assertEquals(linkType, r.linkType(), "link type");
        assertEquals(nanos, r.timestampNanos(), "timestamp");
        assertEquals(offset, r.frameOffset(), "frame offset");
    }

    @Test
    void pcapngWithOnlyMetadataBlocksHasNoFrames() throws IOException {
        PcapngBuilder f = new PcapngBuilder();
        f.shb(ByteOrder.BIG_ENDIAN);
        f.idb(LinkType.ETHERNET, 65535, 6, 0);
        f.block(PcapngBuilder.ISB, f.body().u32(0).u64(0));
        f.shb(ByteOrder.LITTLE_ENDIAN);
        Path file = f.writeTo(dir.resolve("meta.pcapng"));
        try (PacketFileReader r = PacketFileReader.open(file)) {
            assertFalse(r.next());
        }
    }

    @Test
    void powerOfTwoResolutionMatchesExactArithmetic() {
        Random random = new Random(7);
        BigInteger billion = BigInteger.valueOf(NANOS_PER_SECOND);
        for (int n = 0; n < 128; n++) {
            for (int i = 0; i < 200; i++) {
                long units = i < 3 ? new long[] {0, 1, -1}[i] : random.nextLong() >>> random.nextInt(64);
                BigInteger exact = new BigInteger(Long.toUnsignedString(units)).multiply(billion).shiftRight(n);
                if (exact.bitLength() < 64) {
                    assertEquals(exact.longValueExact(), InterfaceDescription.binaryToNanos(units, n),
                            "units " + Long.toUnsignedString(units) + " / 2^" + n);
                }
            }
        }
    }

    @Test
    void decimalResolutionsBelowOneNanosecondDivide() {
        long units = Long.parseUnsignedLong("18000000000000000000");
        assertEquals(18_000_000_000L, new InterfaceDescription(1, 0, 18, 0).toNanos(units));
        assertEquals(1, new InterfaceDescription(1, 0, 28, 0).toNanos(units));
        assertEquals(0, new InterfaceDescription(1, 0, 29, 0).toNanos(units));
        assertEquals(5_000_000_000L, new InterfaceDescription(1, 0, 0, 0).toNanos(5));
        assertEquals(5_000_000_000L + 3_000_000_000L, new InterfaceDescription(1, 0, 0, 3).toNanos(5));
    }
}
