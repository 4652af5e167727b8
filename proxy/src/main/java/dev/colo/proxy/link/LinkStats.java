package dev.colo.proxy.link;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of one link; the link's threads update them, anyone reads them. */
public final class LinkStats {
    public final AtomicLong framesSent = new AtomicLong();
    public final AtomicLong bytesSent = new AtomicLong();
    public final AtomicLong framesReceived = new AtomicLong();
    public final AtomicLong bytesReceived = new AtomicLong();
    /** Frames not sent: link down or above the high-water mark. */
    public final AtomicLong sendDropped = new AtomicLong();
    /** Connections closed because the peer sent something that is not a valid frame stream. */
    public final AtomicLong protocolErrors = new AtomicLong();
    /** Server only: connections refused because a peer was already connected. */
    public final AtomicLong refusedPeers = new AtomicLong();
    public final AtomicLong connects = new AtomicLong();
    public final AtomicLong disconnects = new AtomicLong();

    /**
     * Adds to a counter that only the link's event loop writes (frames and bytes received and sent): an
     * ordered store instead of a locked read-modify-write per frame. Readers anywhere see it with a delay of
     * at most a few frames.
     */
    static void addFromLoop(AtomicLong counter, long delta) {
        counter.lazySet(counter.get() + delta);
    }

    @Override
    public String toString() {
        return "sent " + framesSent + " frames (" + bytesSent + " B), received " + framesReceived + " (" + bytesReceived
                + " B), send drops " + sendDropped + ", protocol errors " + protocolErrors + ", connects " + connects
                + ", disconnects " + disconnects + ", refused peers " + refusedPeers;
    }
}
