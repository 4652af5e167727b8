package dev.colo.proxy.link;

import java.nio.ByteBuffer;

/**
 * A connection between two nodes that carries Ethernet frames in QEMU's socket format
 * ([u32 BE length][u32 BE vnet_hdr_len, when enabled][frame]), so that our nodes can talk to QEMU's
 * filter-mirror, filter-redirector and colo-compare. Sending never buffers without bound.
 */
public interface FrameLink extends AutoCloseable {
    /**
     * Queues a copy of the frame (position..limit, unchanged) for the peer. While connected it is always
     * accepted: above the high-water mark the link only stops being {@link #isWritable writable}, and the
     * caller stops reading what feeds it. Returns false, and counts the frame as dropped, when the link is
     * down (unless it holds frames while down), the frame is too long, or a caller that ignored the
     * back-pressure reached the hard queue limit.
     */
    boolean send(ByteBuffer frame);

    /** As {@link #send(ByteBuffer)}, for a frame in an array (no intermediate buffer). */
    boolean send(byte[] frame, int offset, int length);

    /**
     * Called on the link's event loop whenever {@link #isWritable} may have changed (the outbound buffer
     * crossed a water mark, the connection came or went), so a feeder paused for this link can resume.
     */
    void onWritabilityChange(Runnable listener);

    /**
     * Stops (true) or resumes (false) delivering received frames: the socket is no longer read, so the peer's
     * writes back up into its own socket (back-pressure over TCP). A frame already decoded is delivered; the
     * bytes of the next ones wait, at most one read's worth. Any thread; effective on the event loop.
     */
    void pauseReceiving(boolean paused);

    /**
     * Writes what {@link #send} queued now, when called on the link's event loop (a node that shares the
     * loop calls it after the last frame of a burst, so the peer sees the burst before the node goes on);
     * elsewhere it does nothing, the queued frames are written by the loop anyway.
     */
    void flush();

    /** Bytes accepted and not yet written to the socket (the link's queue and the channel's buffer): the link's queue depth. */
    long queuedBytes();

    /** True while connected and below the high-water mark: a feeder may go on sending. */
    boolean isWritable();

    boolean isConnected();

    LinkStats stats();

    /** e.g. "mirror to 10.0.0.2:7480 (connected)". */
    String describe();

    @Override
    void close();
}
