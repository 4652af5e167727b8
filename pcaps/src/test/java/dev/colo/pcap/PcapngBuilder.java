package dev.colo.pcap;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Hand-builds pcapng files block by block, straight from the specification, so the reader is tested against bytes
 * our writer never produces (big-endian, several sections and interfaces, SPB, obsolete PB, unknown blocks).
 * Each method returns the byte offset of the block it appended.
 */
final class PcapngBuilder {
    static final int SHB = 0x0a0d0d0a;
    static final int IDB = 1;
    static final int PB = 2;
    static final int SPB = 3;
    static final int NRB = 4;
    static final int ISB = 5;
    static final int EPB = 6;

    private final ByteSink file = new ByteSink(ByteOrder.LITTLE_ENDIAN);

    ByteOrder order() {
        return file.order();
    }

    /** A new section in the given byte order. */
    long shb(ByteOrder order) {
        file.order(order);
        ByteSink body = body().u32(0x1a2b3c4dL).u16(1).u16(0).u64(-1L);
        return block(SHB, body);
    }

    /** An IDB; {@code tsresol} < 0 means no if_tsresol option, {@code tsoffset} 0 means no if_tsoffset option. */
    long idb(int linkType, long snaplen, int tsresol, long tsoffset) {
        ByteSink body = body().u16(linkType).u16(0).u32(snaplen);
        // An option we do not interpret first (if_name), to check that options are walked correctly.
        byte[] name = "eth0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        body.u16(2).u16(name.length).bytes(name).pad4();
        if (tsresol >= 0) {
            body.u16(9).u16(1).u8(tsresol).pad4();
        }
        if (tsoffset != 0) {
            body.u16(14).u16(8).u64(tsoffset);
        }
        body.u16(0).u16(0);
        return block(IDB, body);
    }

    long epb(int interfaceId, long timestamp, byte[] data, int originalLength) {
        ByteSink body = body().u32(interfaceId).u32(timestamp >>> 32).u32(timestamp)
                .u32(data.length).u32(originalLength).bytes(data).pad4();
        // A comment option, which the reader must skip along with the padding.
        body.u16(1).u16(3).raw('h', 'i', '!').pad4().u16(0).u16(0);
        return block(EPB, body);
    }

    long spb(int originalLength, byte[] data) {
        return block(SPB, body().u32(originalLength).bytes(data).pad4());
    }

    long pb(int interfaceId, long timestamp, byte[] data, int originalLength) {
        ByteSink body = body().u16(interfaceId).u16(0).u32(timestamp >>> 32).u32(timestamp)
                .u32(data.length).u32(originalLength).bytes(data).pad4();
        return block(PB, body);
    }

    /** Any block type with an arbitrary (padded) body. */
    long block(int type, ByteSink body) {
        long offset = file.size();
        body.pad4();
        int total = body.size() + 12;
        file.u32(type).u32(total).append(body).u32(total);
        return offset;
    }

    /** Raw bytes, for deliberately broken blocks. */
    ByteSink raw() {
        return file;
    }

    /** A sink in the current section's byte order for a block body. */
    ByteSink body() {
        return new ByteSink(file.order());
    }

    long size() {
        return file.size();
    }

    byte[] toByteArray() {
        return file.toByteArray();
    }

    Path writeTo(Path path) throws IOException {
        return file.writeTo(path);
    }
}
