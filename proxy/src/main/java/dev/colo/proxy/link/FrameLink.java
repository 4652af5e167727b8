package dev.colo.proxy.link;

import java.nio.ByteBuffer;

/**
 * A connection between two nodes that carries Ethernet frames in QEMU's socket format
 * ([u32 BE length][u32 BE vnet_hdr_len, when enabled][frame]), so that our nodes can talk to QEMU's
 * filter-mirror, filter-redirector and colo-compare. Sending never buffers without bound.
 */
public interface FrameLink extends AutoCloseable {
    /**
     * Queues a copy of the frame (position..limit, unchanged) for the peer. Returns false, and counts the
     * frame as dropped, when the link is down or its outbound buffer is above the high-water mark.
     */
    boolean send(ByteBuffer frame);

    /**
     * Writes what {@link #send} queued now, when called on the link's event loop (a node that shares the
     * loop calls it after the last frame of a burst, so the peer sees the burst before the node goes on);
     * elsewhere it does nothing, the queued frames are written by the loop anyway.
     */
    void flush();

    /** Bytes accepted and not yet written to the socket (the link's queue and the channel's buffer): the link's queue depth. */
    long queuedBytes();

    /** True while connected and below the high-water mark. */
    boolean isWritable();

    boolean isConnected();

    LinkStats stats();

    /** e.g. "mirror to 10.0.0.2:7480 (connected)". */
    String describe();

    @Override
    void close();
}
