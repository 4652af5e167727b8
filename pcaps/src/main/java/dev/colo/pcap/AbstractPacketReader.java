package dev.colo.pcap;

import java.io.IOException;
import java.nio.file.Path;

/** Current-frame state and the error handling shared by the pcap and pcapng readers. */
abstract class AbstractPacketReader implements PacketFileReader {
    /** Typical MTU-sized frames never trigger a resize. */
    private static final int INITIAL_FRAME_CAPACITY = 2048;

    protected final Path path;
    protected final ChannelInput in;

    protected byte[] data = new byte[INITIAL_FRAME_CAPACITY];
    protected long timestampNanos;
    protected int capturedLength;
    protected int originalLength;
    protected int interfaceId;
    protected int linkType;
    protected long frameOffset = -1;
    protected long framesRead;

    /** Sticky: a reader that hit malformed input stays failed rather than resynchronising on garbage. */
    private PcapFormatException failure;
    private boolean endOfFile;
    private boolean closed;

    AbstractPacketReader(Path path, ChannelInput in) {
        this.path = path;
        this.in = in;
    }

    @Override
    public final boolean next() throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (closed) {
            throw new IOException(path + ": reader is closed");
        }
        if (endOfFile) {
            return false;
        }
        if (readFrame()) {
            framesRead++;
            return true;
        }
        endOfFile = true;
        return false;
    }

    /** Reads the next frame into the fields above; false at a clean end of file. */
    protected abstract boolean readFrame() throws IOException;

    /** Records and returns the failure, for {@code throw fail(...)}. */
    protected final PcapFormatException fail(long offset, String problem) {
        failure = new PcapFormatException(path, offset, problem);
        return failure;
    }

    /** Copies the frame bytes into {@link #data}, growing it first if needed; the caller checked the length bound. */
    protected final void readFrameData(long recordOffset, int length) throws IOException {
        if (length > data.length) {
            data = new byte[Math.max(length, Math.min(data.length * 2, Limits.MAX_CAPTURED_LENGTH))];
        }
        int copied = in.read(data, 0, length);
        if (copied < length) {
            throw fail(recordOffset, "truncated frame: captured length " + length + " but the file ends after "
                    + copied + " bytes of it, at byte " + in.position());
        }
    }

    /** Shared caplen checks: bounded absolutely (never trust a length enough to allocate 2 GiB) and by origlen. */
    protected final void checkLengths(long recordOffset, long captured, long original, long snaplen)
            throws PcapFormatException {
        // A caplen above the snaplen is a writer bug seen in the wild; tolerated up to the absolute limit.
        if (captured > Limits.MAX_CAPTURED_LENGTH) {
            throw fail(recordOffset, "captured length " + captured + " exceeds the sanity limit of "
                    + Limits.MAX_CAPTURED_LENGTH + " bytes (snaplen " + snaplen + ")");
        }
        if (captured > original) {
            throw fail(recordOffset, "captured length " + captured + " exceeds the original length " + original);
        }
        if (original > Integer.MAX_VALUE) {
            throw fail(recordOffset, "original length " + original + " exceeds 2^31-1");
        }
    }

    @Override
    public final long timestampNanos() {
        return timestampNanos;
    }

    @Override
    public final byte[] data() {
        return data;
    }

    @Override
    public final int capturedLength() {
        return capturedLength;
    }

    @Override
    public final int originalLength() {
        return originalLength;
    }

    @Override
    public final int interfaceId() {
        return interfaceId;
    }

    @Override
    public final int linkType() {
        return linkType;
    }

    @Override
    public final long frameOffset() {
        return frameOffset;
    }

    @Override
    public final long framesRead() {
        return framesRead;
    }

    @Override
    public final Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        in.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + path + ", frames read " + framesRead + "]";
    }
}
