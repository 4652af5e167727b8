package dev.colo.proxy.node;

import dev.colo.proxy.io.FramePort;
import dev.colo.proxy.link.FrameLink;
import dev.colo.proxy.link.FrameReceiver;
import dev.colo.proxy.rewrite.TcpRewriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.logging.Logger;

/**
 * The secondary node: mirrored client frames are rewritten (TCP ack += offset) and injected into the
 * SVM's port; the SVM's output is rewritten (seq -= offset) and sent to the primary over the redirect
 * link. Nothing of the SVM reaches the real network, until {@link #promote} makes the node a plain
 * forwarder between the SVM and the network after a failover, keeping the offsets so that established
 * client connections survive.
 *
 * <p>One I/O thread owns the rewriter (it is single-threaded by design): it receives the SVM's output
 * and drains the frames that the link's thread (or, once promoted, the network port's thread) queued.
 */
public final class SecondaryNode implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SecondaryNode.class.getName());
    private static final int QUEUE_SLOTS = 4096;

    private final FramePort svmPort;
    private final FrameLink redirect;
    private final TcpRewriter rewriter;
    private final int maxFrame;
    private final NodeStats stats = new NodeStats();
    private final FrameQueue towardVm;
    private final FramePump io;
    private volatile boolean resetOffsets;
    private volatile boolean holding;
    private volatile FramePort network;
    private FramePump fromNetwork;

    public SecondaryNode(FramePort svmPort, FrameLink redirect, TcpRewriter rewriter, int maxFrame) {
        this.svmPort = svmPort;
        this.redirect = redirect;
        this.rewriter = rewriter;
        this.maxFrame = maxFrame;
        this.towardVm = new FrameQueue(QUEUE_SLOTS, maxFrame, this::toVm);
        this.io = new FramePump("svm-io", svmPort, maxFrame, this::fromVm, this::between);
    }

    /** Receives mirrored client frames from the primary. */
    public FrameReceiver mirrorInput() {
        return new FrameReceiver() {
            @Override
            public void onFrame(ByteBuffer frame) {
                stats.fromPeer.incrementAndGet();
                if (towardVm.offer(frame)) {
                    io.wake();
                } else {
                    stats.toVmDropped.incrementAndGet();
                }
            }

            @Override
            public void onLinkDown(String reason) {
                LOG.info("mirror link down: " + reason);
            }
        };
    }

    public void start() {
        io.start();
    }

    /**
     * The SVM is paused for a checkpoint: frames for it wait in this node's queue, not in its tap, until
     * the checkpoint ends. Whether they need the old offsets or none depends on whether it commits.
     */
    public void holdForCheckpoint() {
        holding = true;
    }

    /**
     * A checkpoint made the SVM carry the PVM's exact TCP state: offsets become zero, then held frames
     * flow again (both on the I/O thread, in that order).
     */
    public void checkpointCommitted() {
        resetOffsets = true;
        holding = false;
        io.wake();
    }

    /** The checkpoint broke: the SVM keeps its own state and its offsets; held frames flow again. */
    public void checkpointAborted() {
        holding = false;
        io.wake();
    }

    /**
     * Failover: the SVM now serves the clients. Frames from {@code networkPort} go to the SVM (rewritten
     * with the offsets kept), the SVM's output goes to {@code networkPort} (rewritten) instead of the
     * primary. Close the mirror link before calling this.
     */
    public synchronized void promote(FramePort networkPort) {
        if (network != null) {
            return;
        }
        network = networkPort;
        holding = false;
        rewriter.startForwarding();
        fromNetwork = new FramePump("network-in", networkPort, maxFrame, (frame, now) -> {
            stats.fromNetwork.incrementAndGet();
            if (towardVm.offer(frame)) {
                io.wake();
            } else {
                stats.toVmDropped.incrementAndGet();
            }
        }, () -> false);
        fromNetwork.start();
        LOG.warning("promoted: forwarding between the SVM and " + networkPort.describe() + " with the TCP offsets kept");
    }

    private boolean between() {
        if (resetOffsets) {
            resetOffsets = false;
            rewriter.checkpointCommitted();
        }
        return !holding && towardVm.drain();
    }

    /** On the I/O thread: a frame for the SVM. */
    private void toVm(ByteBuffer frame) {
        rewriter.towardSecondary(frame, System.nanoTime());
        try {
            if (svmPort.send(frame)) {
                stats.toVm.incrementAndGet();
            } else {
                stats.toVmDropped.incrementAndGet();
            }
        } catch (IOException e) {
            stats.toVmDropped.incrementAndGet();
        }
    }

    /** On the I/O thread: the SVM's output. */
    private void fromVm(ByteBuffer frame, long now) {
        stats.fromVm.incrementAndGet();
        rewriter.fromSecondary(frame, now);
        FramePort net = network;
        if (net == null) {
            if (redirect.send(frame)) {
                stats.redirected.incrementAndGet();
            } else {
                stats.redirectDropped.incrementAndGet();
            }
            return;
        }
        try {
            if (net.send(frame)) {
                stats.released.incrementAndGet();
            } else {
                stats.releaseDropped.incrementAndGet();
            }
        } catch (IOException e) {
            stats.releaseDropped.incrementAndGet();
        }
    }

    public NodeStats stats() {
        return stats;
    }

    public boolean promoted() {
        return network != null;
    }

    @Override
    public synchronized void close() {
        if (fromNetwork != null) {
            fromNetwork.close();
        }
        io.close();
    }
}
