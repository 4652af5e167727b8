package dev.colo.pcap;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/** Argument checks, truncation to the snaplen and lifecycle shared by the pcap and pcapng writers. */
abstract class AbstractPacketWriter implements PacketFileWriter {
    protected static final long NANOS_PER_SECOND = 1_000_000_000L;

    protected final Path path;
    protected final ChannelOutput out;
    /** Effective limit for captured bytes; the snaplen, or the sanity limit when the snaplen says "no limit". */
    private final int captureLimit;
    private long framesWritten;
    private boolean closed;

    AbstractPacketWriter(Path path, ChannelOutput out, int snaplen) {
        this.path = path;
        this.out = out;
        this.captureLimit = snaplen == 0 ? Limits.MAX_CAPTURED_LENGTH : snaplen;
    }

    static void checkSnaplen(int snaplen, int minimum) {
        if (snaplen < minimum || snaplen > Limits.MAX_CAPTURED_LENGTH) {
            throw new IllegalArgumentException("snaplen " + snaplen + " outside " + minimum + ".."
                    + Limits.MAX_CAPTURED_LENGTH);
        }
    }

    static void checkLinkType(int linkType) {
        if (linkType < 0 || linkType > 0xffff) {
            throw new IllegalArgumentException("link type " + linkType + " outside 0..65535");
        }
    }

    @Override
    public final void write(long timestampNanos, byte[] frame, int offset, int length, int originalLength)
            throws IOException {
        Objects.checkFromIndexSize(offset, length, frame.length);
        if (originalLength < length) {
            throw new IllegalArgumentException("original length " + originalLength + " < length " + length);
        }
        if (timestampNanos < 0) {
            throw new IllegalArgumentException("timestamp " + timestampNanos + " ns is before the epoch");
        }
        if (closed) {
            throw new IOException(path + ": writer is closed");
        }
        writeFrame(timestampNanos, frame, offset, Math.min(length, captureLimit), originalLength);
        framesWritten++;
    }

    /** Appends one record; arguments are already checked and the length truncated to the snaplen. */
    protected abstract void writeFrame(long timestampNanos, byte[] frame, int offset, int captured,
            int originalLength) throws IOException;

    @Override
    public final long framesWritten() {
        return framesWritten;
    }

    @Override
    public final void flush() throws IOException {
        if (!closed) {
            out.flush();
        }
    }

    @Override
    public final void close() throws IOException {
        if (!closed) {
            closed = true;
            out.close();
        }
    }

    /** Closes the output after a failure in a subclass constructor, keeping the original exception. */
    static void closeQuietly(ChannelOutput out, Throwable cause) {
        try {
            out.close();
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
