package dev.colo.proxy.node;

import dev.colo.proxy.io.FramePort;
import dev.colo.proxy.link.FrameLink;
import dev.colo.proxy.link.FrameReceiver;
import dev.colo.proxy.rewrite.TcpRewriter;
import java.nio.ByteBuffer;
import java.util.logging.Logger;

/**
 * The secondary node: mirrored client frames are rewritten (TCP ack += offset) and injected into the
 * SVM's port; the SVM's output is rewritten (seq -= offset) and sent to the primary over the redirect
 * link. Nothing of the SVM reaches the real network, until {@link #promote} makes the node a plain
 * forwarder between the SVM and the network after a failover, keeping the offsets so that established
 * client connections survive.
 *
 * <p>Everything runs on the node's {@link NodeLoop}, which therefore owns the rewriter (single-threaded
 * by design): the mirror and redirect links run on it and it watches the SVM's port (and, once promoted,
 * the network port). A mirrored frame goes into the SVM in the same call that read it from the link.
 */
public final class SecondaryNode implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SecondaryNode.class.getName());
    private static final int HELD_SLOTS = 4096;
    private static final long RECHECK_NANOS = 2_000_000L;
    private static final String SVM_FULL = "the SVM's port refuses frames or the checkpoint queue is full";
    private static final String REDIRECT_FULL = "the redirect link is above its high-water mark";
    private static final String NETWORK_FULL = "the network port refuses frames";

    private final NodeLoop loop;
    private final FramePort svmPort;
    private final FrameLink redirect;
    private final TcpRewriter rewriter;
    private final int maxFrame;
    private final NodeStats stats = new NodeStats();
    /** Frames for the SVM while it is paused for a checkpoint; loop only. */
    private final FrameQueue held;
    /** Loop only (written elsewhere only through {@link NodeLoop#run}). */
    private boolean holding;
    private volatile FramePort network;
    private final PortOutbox toSvm;
    private PortOutbox toNetwork;
    private PortWatch fromVm;
    private PortWatch fromNetwork;
    /** Set on the loop, read by status and metrics from anywhere. */
    private volatile SourceGate mirrorGate;
    private volatile SourceGate vmGate;
    private volatile SourceGate networkGate;
    private java.util.concurrent.ScheduledFuture<?> recheck;
    private final TakeoverAnnouncer announcer = new TakeoverAnnouncer();
    /** Gratuitous ARPs sent at takeover (for tests and the status line). */
    private final java.util.concurrent.atomic.AtomicLong announced = new java.util.concurrent.atomic.AtomicLong();

    /** @param redirect a link on {@code loop} */
    public SecondaryNode(NodeLoop loop, FramePort svmPort, FrameLink redirect, TcpRewriter rewriter, int maxFrame) {
        this.loop = loop;
        this.svmPort = svmPort;
        this.redirect = redirect;
        this.rewriter = rewriter;
        this.maxFrame = maxFrame;
        this.held = new FrameQueue(HELD_SLOTS, maxFrame, this::toVm);
        this.toSvm = new PortOutbox(svmPort, maxFrame);
    }

    /** The mirror link (client frames), on the node's loop: paused while the SVM's port or the checkpoint queue is full. */
    public void attachMirror(FrameLink mirror) {
        loop.run(() -> {
            mirrorGate = new SourceGate("mirror", mirror::pauseReceiving, held::depth, "frames held for a checkpoint");
            updateGates();
        });
    }

    /** Receives mirrored client frames from the primary, on the loop (the mirror link must run on it). */
    public FrameReceiver mirrorInput() {
        return new FrameReceiver() {
            @Override
            public void onFrame(ByteBuffer frame) {
                stats.fromPeer.incrementAndGet();
                forVm(frame);
                updateGates();
            }

            @Override
            public void onLinkUp(String peer) {
                if (!loop.inLoop()) {
                    throw new IllegalStateException("the mirror link must run on the secondary node's loop");
                }
            }

            @Override
            public void onLinkDown(String reason) {
                // The link logs its disconnects as episodes already: a line here per connection would let a churn of
                // strangers flood the log.
                LOG.fine(() -> "mirror link down: " + reason);
            }
        };
    }

    public void start() {
        loop.run(() -> {
            fromVm = loop.watch(svmPort, maxFrame, this::fromVm);
            vmGate = new SourceGate("vm port", fromVm::pause, redirect::queuedBytes, "bytes queued");
            redirect.onWritabilityChange(this::updateGates);
            recheck = loop.every(RECHECK_NANOS, this::updateGates);
        });
    }

    /**
     * On the loop: each source is read only while what it feeds has room. Client frames (the mirror link, or
     * the network port once promoted) feed the SVM's port and, during a checkpoint, the held queue; the SVM's
     * port feeds the redirect link (or, once promoted, the network port).
     */
    private void updateGates() {
        if (toSvm.blocked()) {
            toSvm.retry();
        }
        PortOutbox net = toNetwork;
        if (net != null && net.blocked()) {
            net.retry();
        }
        boolean svmFull = toSvm.blocked() || held.depth() >= HELD_SLOTS - 1;
        if (mirrorGate != null) {
            mirrorGate.set(svmFull, SVM_FULL);
        }
        if (networkGate != null) {
            networkGate.set(svmFull, SVM_FULL);
        }
        if (vmGate != null) {
            boolean outFull = net != null ? net.blocked() : redirect.isConnected() && !redirect.isWritable();
            vmGate.set(outFull, net != null ? NETWORK_FULL : REDIRECT_FULL);
        }
    }

    /**
     * The SVM is paused for a checkpoint: frames for it wait in this node's queue, not in its tap, until
     * the checkpoint ends. Whether they need the old offsets or none depends on whether it commits. Returns
     * once no frame goes to the SVM any more.
     */
    public void holdForCheckpoint() {
        loop.runUnlessStopped(() -> holding = true);
    }

    /**
     * A checkpoint made the SVM carry the PVM's exact TCP state: offsets become zero, then held frames
     * flow again (in that order).
     */
    public void checkpointCommitted() {
        loop.execute(() -> {
            rewriter.checkpointCommitted();
            releaseHeld();
        });
    }

    /** The checkpoint broke: the SVM keeps its own state and its offsets; held frames flow again. */
    public void checkpointAborted() {
        loop.execute(this::releaseHeld);
    }

    private void releaseHeld() {
        holding = false;
        while (held.drain()) {
            // until empty
        }
        updateGates();
    }

    /**
     * Failover: the SVM now serves the clients. Frames from {@code networkPort} go to the SVM (rewritten
     * with the offsets kept), the SVM's output goes to {@code networkPort} (rewritten) instead of the
     * primary. Close the mirror link before calling this. Output leaves only while {@code mayRelease} allows it
     * (the coordinator's release permit: the lease this node now holds).
     */
    public void promote(FramePort networkPort, java.util.function.BooleanSupplier mayRelease) {
        loop.runUnlessStopped(() -> {
            if (network != null) {
                return;
            }
            toNetwork = new PortOutbox(networkPort, maxFrame, stats.released);
            toNetwork.guard(mayRelease);
            network = networkPort;
            rewriter.startForwarding();
            releaseHeld();
            fromNetwork = loop.watch(networkPort, maxFrame, (frame, now, last) -> {
                stats.fromNetwork.incrementAndGet();
                forVm(frame);
                updateGates();
            });
            networkGate = new SourceGate("network port", fromNetwork::pause, toSvm::waiting, "frames waiting for the SVM");
            LOG.warning("promoted: forwarding between the SVM and " + networkPort.describe() + " with the TCP offsets kept");
            announce(networkPort);
        });
    }

    /**
     * The takeover is announced at once and twice more (100 and 500 ms later): one lost frame must not leave a
     * switch pointing at the dead primary's port.
     */
    private void announce(FramePort networkPort) {
        if (announcer.known() == 0) {
            LOG.info("takeover not announced: the SVM sent no IPv4, IPv6 or ARP frame to learn its addresses from");
            return;
        }
        Runnable once = () -> announced.addAndGet(announcer.announce(networkPort));
        once.run();
        try {
            loop.loop().schedule(once, 100, java.util.concurrent.TimeUnit.MILLISECONDS);
            loop.loop().schedule(once, 500, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: the first announcement went out
        }
        LOG.info("takeover announced: gratuitous ARP for " + announcer.known() + " address(es), three times");
    }

    /** Gratuitous ARPs sent since the takeover. */
    public long announced() {
        return announced.get();
    }

    /** On the loop: a frame for the SVM, now or (during a checkpoint) once it ends, in arrival order. */
    private void forVm(ByteBuffer frame) {
        if (!holding) {
            toVm(frame);
        } else if (!held.offer(frame)) {
            stats.toVmDropped.incrementAndGet();
        }
    }

    private void toVm(ByteBuffer frame) {
        rewriter.towardSecondary(frame, System.nanoTime());
        if (toSvm.send(frame)) {
            stats.toVm.incrementAndGet();
        } else {
            stats.toVmDropped.incrementAndGet();
        }
    }

    /** On the loop: the SVM's output; the redirect link is flushed after a burst. */
    private void fromVm(ByteBuffer frame, long now, boolean lastOfBurst) {
        stats.fromVm.incrementAndGet();
        if (network == null) {
            announcer.learn(frame); // before the rewriter: the VM's own addresses, whatever it rewrites
        }
        rewriter.fromSecondary(frame, now);
        FramePort net = network;
        if (net == null) {
            if (redirect.send(frame)) {
                stats.redirected.incrementAndGet();
            } else {
                stats.redirectDropped.incrementAndGet();
            }
            if (lastOfBurst) {
                redirect.flush();
            }
            updateGates();
            return;
        }
        if (!toNetwork.send(frame, 0)) { // counted as released once it has left (0: stats.released)
            stats.releaseDropped.incrementAndGet();
        }
        updateGates();
    }

    public NodeStats stats() {
        return stats;
    }

    public FrameLink redirect() {
        return redirect;
    }

    /** The back-pressure on the mirror link, the SVM's port and (once promoted) the network port; null before. */
    public SourceGate mirrorGate() {
        return mirrorGate;
    }

    public SourceGate vmGate() {
        return vmGate;
    }

    public SourceGate networkGate() {
        return networkGate;
    }

    /** The live status: the node's counters, frames held for a checkpoint, the redirect link's queue. */
    public String statusLine() {
        return stats.line() + "; held for a checkpoint " + held.depth() + " frames, redirect queue " + redirect.queuedBytes()
                + " B, waiting for the SVM's port " + toSvm.waiting() + "; back-pressure: " + status(mirrorGate) + ", "
                + status(vmGate) + ", " + status(networkGate) + "; kernel drops: vm " + NodeStats.drops(svmPort);
    }

    private static String status(SourceGate g) {
        return g == null ? "-" : g.status();
    }

    public boolean promoted() {
        return network != null;
    }

    /** Stops watching the ports; the loop, the links and the ports are the caller's to close. */
    @Override
    public void close() {
        loop.runUnlessStopped(() -> {
            if (recheck != null) {
                recheck.cancel(false);
            }
            if (fromNetwork != null) {
                fromNetwork.cancel();
            }
            if (fromVm != null) {
                fromVm.cancel();
            }
        });
    }
}
