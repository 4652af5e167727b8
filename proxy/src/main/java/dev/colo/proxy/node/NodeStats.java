package dev.colo.proxy.node;

import java.util.concurrent.atomic.AtomicLong;

/** Live counters of a node, updated by its threads, read by anyone (status lines, tests). */
public final class NodeStats {
    /** Frames from the network side toward the VM (client to PVM, or, after failover, to the SVM). */
    public final AtomicLong fromNetwork = new AtomicLong();
    /** Frames the VM sent (PVM output on the primary, SVM output on the secondary). */
    public final AtomicLong fromVm = new AtomicLong();
    /** Frames from the other node (SVM output on the primary, mirrored client frames on the secondary). */
    public final AtomicLong fromPeer = new AtomicLong();
    public final AtomicLong mirrored = new AtomicLong();
    /**
     * Client frames given to neither replica: the mirror link could not take them while the pair is protected
     * (input integrity: both replicas see a frame or neither does; the client's TCP retransmits).
     */
    public final AtomicLong networkDropped = new AtomicLong();
    public final AtomicLong mirrorDropped = new AtomicLong();
    public final AtomicLong released = new AtomicLong();
    public final AtomicLong releasedUnprotected = new AtomicLong();
    public final AtomicLong releaseDropped = new AtomicLong();
    public final AtomicLong toVm = new AtomicLong();
    public final AtomicLong toVmDropped = new AtomicLong();
    public final AtomicLong redirected = new AtomicLong();
    public final AtomicLong redirectDropped = new AtomicLong();
    public final AtomicLong divergences = new AtomicLong();
    public final AtomicLong checkpointRequests = new AtomicLong();
    public final AtomicLong flushes = new AtomicLong();

    /** A port's kernel drop count for a status line ("?" when its backend cannot tell). */
    static String drops(dev.colo.proxy.io.FramePort port) {
        long n = port.kernelDrops();
        return n < 0 ? "?" : Long.toString(n);
    }

    /** One status line. */
    public String line() {
        return "network->vm " + fromNetwork + " (not mirrored, dropped " + networkDropped + "), vm out " + fromVm + ", peer in " + fromPeer + ", mirrored " + mirrored
                + " (dropped " + mirrorDropped + "), released " + released + " (+" + releasedUnprotected + " unprotected, dropped "
                + releaseDropped + "), divergences " + divergences + ", checkpoint requests " + checkpointRequests
                + ", flushes " + flushes + ", to vm " + toVm + " (dropped " + toVmDropped + "), redirected " + redirected
                + " (dropped " + redirectDropped + ")";
    }
}
