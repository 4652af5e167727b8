package dev.colo.pcap;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Streaming reader of a pcap or pcapng file, one frame at a time.
 *
 * <p>Built for a hot replay loop: {@link #next()} allocates nothing per frame; the frame bytes land in one reused
 * array returned by {@link #data()} (valid until the next call to {@code next()}), and the file is read through a
 * large reusable buffer, so files of any size (beyond 2 GiB too) stream in constant memory. Not thread-safe.
 *
 * <p>Malformed input raises {@link PcapFormatException} naming the file and the byte offset; every frame before the
 * malformed one has been delivered by earlier {@code next()} calls. Once thrown, the same exception is thrown again by
 * later {@code next()} calls.
 */
public interface PacketFileReader extends Closeable {

    /**
     * Opens a capture file, telling pcap (microsecond or nanosecond magic, either byte order) from pcapng by its magic
     * number. The file header (pcap) or first section header (pcapng) is validated before this returns.
     *
     * @throws PcapFormatException if the file is empty, too short, or starts with an unknown magic number
     */
    static PacketFileReader open(Path path) throws IOException {
        return ReaderFactory.open(path, ChannelInput.DEFAULT_BUFFER_SIZE);
    }

    /** Advances to the next frame; {@code false} at the clean end of the file (then and after). */
    boolean next() throws IOException;

    /** Capture time of the current frame in nanoseconds since the Unix epoch (0 for a pcapng Simple Packet Block). */
    long timestampNanos();

    /** The current frame's captured bytes from index 0 to {@link #capturedLength()}; reused, valid until next(). */
    byte[] data();

    /** Number of valid bytes in {@link #data()}. */
    int capturedLength();

    /** Length of the frame on the wire, at least {@link #capturedLength()}. */
    int originalLength();

    /** Index of the frame's interface within its pcapng section; always 0 for pcap. */
    int interfaceId();

    /** LINKTYPE_ of the current frame's interface, see {@link LinkType}. */
    int linkType();

    /** Byte offset in the file of the current frame's record header (pcap) or block (pcapng). */
    long frameOffset();

    /** Frames delivered so far, including the current one. */
    long framesRead();

    /** The file being read. */
    Path path();
}
