package dev.colo.pcap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Opens a capture file and picks the reader by the magic number in its first four bytes. */
final class ReaderFactory {
    /** A small file gets a buffer of its size (but not below this), sparing direct memory for corpora of tiny files. */
    private static final int SMALL_FILE_BUFFER_SIZE = 4096;

    private ReaderFactory() {
    }

    /** {@code bufferSize} (the most to use) is a parameter so tests can force frames to straddle many refills. */
    static PacketFileReader open(Path path, int bufferSize) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        ChannelInput in;
        try {
            long wanted = Math.max(channel.size(), SMALL_FILE_BUFFER_SIZE);
            in = new ChannelInput(channel, (int) Math.min(bufferSize, wanted));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        boolean ok = false;
        try {
            PacketFileReader reader = create(path, in);
            ok = true;
            return reader;
        } finally {
            if (!ok) {
                in.close();
            }
        }
    }

    private static PacketFileReader create(Path path, ChannelInput in) throws IOException {
        if (!in.request(4)) {
            if (in.remaining() == 0) {
                throw new PcapFormatException(path, 0, "empty file");
            }
            throw new PcapFormatException(path, 0,
                    "file too short for a magic number: " + in.remaining() + " of 4 bytes");
        }
        ByteBuffer b = in.buffer();
        int magic = b.order(ByteOrder.BIG_ENDIAN).getInt(b.position());
        switch (magic) {
            case PcapReader.MAGIC_MICROS:
                return new PcapReader(path, in, ByteOrder.BIG_ENDIAN, false);
            case PcapReader.MAGIC_NANOS:
                return new PcapReader(path, in, ByteOrder.BIG_ENDIAN, true);
            case PcapReader.MAGIC_MICROS_SWAPPED:
                return new PcapReader(path, in, ByteOrder.LITTLE_ENDIAN, false);
            case PcapReader.MAGIC_NANOS_SWAPPED:
                return new PcapReader(path, in, ByteOrder.LITTLE_ENDIAN, true);
            case PcapngReader.SECTION_HEADER_BLOCK:
                return new PcapngReader(path, in);
            default:
                throw new PcapFormatException(path, 0, String.format(
                        "unknown magic number 0x%08x: neither pcap (a1b2c3d4 / a1b23c4d, either byte order) "
                                + "nor pcapng (0a0d0d0a)", magic));
        }
    }
}
