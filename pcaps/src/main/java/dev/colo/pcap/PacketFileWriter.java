package dev.colo.pcap;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Buffered writer of a pcap or pcapng file with one interface. Files are written little-endian; an existing file is
 * replaced. Frames longer than the snaplen are truncated to it and keep their original length. Not thread-safe.
 */
public interface PacketFileWriter extends Closeable, Flushable {

    /**
     * Classic pcap (version 2.4) with microsecond or nanosecond timestamps.
     *
     * @param snaplen 1 .. 262144 (256 KiB)
     */
    static PacketFileWriter pcap(Path path, int linkType, int snaplen, boolean nanosecondResolution)
            throws IOException {
        return PcapWriter.open(path, linkType, snaplen, nanosecondResolution,
                ChannelOutput.DEFAULT_BUFFER_SIZE);
    }

    /**
     * pcapng with one Section Header Block and one Interface Description Block (if_tsresol = 9, nanoseconds);
     * frames are written as Enhanced Packet Blocks.
     *
     * @param snaplen 0 (no limit, as pcapng defines it) .. 262144 (256 KiB)
     */
    static PacketFileWriter pcapng(Path path, int linkType, int snaplen) throws IOException {
        return PcapngWriter.open(path, linkType, snaplen, ChannelOutput.DEFAULT_BUFFER_SIZE);
    }

    /**
     * Appends one frame.
     *
     * @param timestampNanos capture time, nanoseconds since the epoch; must not be negative
     * @param length         bytes of {@code frame} from {@code offset}; more than the snaplen is truncated to it
     * @param originalLength length on the wire; must be at least {@code length}
     */
    void write(long timestampNanos, byte[] frame, int offset, int length, int originalLength) throws IOException;

    /** Frames written so far. */
    long framesWritten();
}
