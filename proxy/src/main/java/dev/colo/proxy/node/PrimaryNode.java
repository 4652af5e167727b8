package dev.colo.proxy.node;

import dev.colo.compare.CheckpointGate;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.DecisionListener;
import dev.colo.compare.Divergence;
import dev.colo.compare.Side;
import dev.colo.compare.packet.FrameDecoder;
import dev.colo.compare.pipeline.ComparePipeline;
import dev.colo.compare.pipeline.CompareStage;
import dev.colo.compare.pipeline.InlineCompare;
import dev.colo.proxy.io.FramePort;
import dev.colo.proxy.link.FrameLink;
import dev.colo.proxy.link.FrameReceiver;
import java.nio.ByteBuffer;
import java.util.concurrent.ScheduledFuture;
import java.util.logging.Logger;

/**
 * The primary node: forwards between the PVM's port and the network port, mirrors every frame from the
 * network to the secondary, and releases the PVM's output to the network only once the comparator
 * found it equal to the SVM's (which arrives over the redirect link) or a checkpoint made the SVM
 * consistent with it, or the pair runs unprotected.
 *
 * <pre>
 * network port --(client frames)--> PVM port
 *              \--> mirror link --> secondary node
 * PVM port --(PVM output)--> comparator <-- redirect link <-- secondary node (SVM output)
 * comparator --(released)--> network port
 * </pre>
 *
 * All of it runs on the node's {@link NodeLoop}: both ports are watched by it, both links run on it, and
 * the comparator runs on it too (or, with {@link NodeTuning#compareOnOwnThread}, behind the Disruptor on a
 * thread of its own). No frame changes threads between the port and the comparator.
 */
public final class PrimaryNode implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PrimaryNode.class.getName());
    /** The gates are re-checked (and refused port writes retried) at least this often. */
    private static final long RECHECK_NANOS = 2_000_000L;
    private static final String MIRROR_FULL = "the mirror link is above its high-water mark";
    private static final String VM_PORT_FULL = "the PVM's port refuses frames";
    private static final String NETWORK_PORT_FULL = "the network port refuses frames";
    private static final String PRIMARY_AHEAD = "the PVM is ahead of the SVM (its share of the store is full)";
    private static final String SECONDARY_AHEAD = "the SVM is ahead of the PVM (its share of the store is full)";

    private final NodeLoop loop;
    private final FramePort vmPort;
    private final FramePort netPort;
    private final FrameLink mirror;
    private final CompareStage compare;
    private final NodeStats stats = new NodeStats();
    /** The network outbox's counters, by index: a released frame is counted when it has left. */
    private static final int RELEASED = 0;
    private static final int RELEASED_UNPROTECTED = 1;
    private final long scanNanos;
    private final int maxFrame;
    private final PortOutbox toVm;
    private final PortOutbox toNetwork;
    private PortWatch fromVm;
    private PortWatch fromNetwork;
    /** Set on the loop, read by status and metrics from anywhere. */
    private volatile SourceGate vmGate;
    private volatile SourceGate networkGate;
    private volatile SourceGate redirectGate;
    private ScheduledFuture<?> ticker;
    private ScheduledFuture<?> recheck;
    /** For the counters only: a frame released unheld is unprotected output, or a frame whose twin came first. */
    private volatile boolean unprotected;
    /** Loop only: fenced by the lease (see {@link #fence}). */
    private volatile boolean fenced;

    /**
     * @param mirror a link on {@code loop}
     * @param observer sees every decision after the node acted on it (logs, counters); called on the compare thread
     */
    public PrimaryNode(CompareConfig config, NodeLoop loop, NodeTuning tuning, FramePort vmPort, FramePort netPort, FrameLink mirror,
            CheckpointGate gate, DecisionListener observer, int maxFrame) {
        this.loop = loop;
        this.vmPort = vmPort;
        this.netPort = netPort;
        this.mirror = mirror;
        this.maxFrame = maxFrame;
        this.scanNanos = Math.max(1_000_000L, config.scanIntervalNanos());
        this.toVm = new PortOutbox(vmPort, maxFrame);
        this.toNetwork = new PortOutbox(netPort, maxFrame, stats.released, stats.releasedUnprotected);
        Release release = new Release(observer);
        // The comparator (on the loop, or behind the Disruptor counting what is in flight) is asked before
        // each frame whether its side has room: back-pressure, never a frame it cannot hold.
        config.admissionControl(true);
        this.compare = tuning.compareOnOwnThread()
                ? ComparePipeline.builder().config(config).gate(gate).sink(release).emitOn(ComparePipeline.EmitOn.COMPARE_THREAD)
                        .multipleProducers(true) // the loop publishes; close() publishes the end from the caller's thread
                        .start()
                : new InlineCompare(config, gate, release);
    }

    /** Receives the SVM's output from the redirect link, which must run on the node's loop. */
    public FrameReceiver secondaryOutput() {
        return new FrameReceiver() {
            @Override
            public void onFrame(ByteBuffer frame) {
                stats.fromPeer.incrementAndGet();
                compare.publish(Side.SECONDARY.ordinal(), System.nanoTime(), FrameDecoder.LINKTYPE_ETHERNET, frame);
                updateGates();
            }

            @Override
            public void onLinkUp(String peer) {
                if (!loop.inLoop()) {
                    throw new IllegalStateException("the redirect link must run on the primary node's loop");
                }
            }

            @Override
            public void onLinkDown(String reason) {
                // The link logs its disconnects as episodes already: a line here per connection would let a churn of
                // strangers flood the log.
                LOG.fine(() -> "redirect link down: " + reason);
            }
        };
    }

    /** The redirect link (SVM output), which must run on the node's loop: paused while its side has no room. */
    public void attachRedirect(FrameLink redirect) {
        loop.run(() -> {
            redirectGate = new SourceGate("redirect", redirect::pauseReceiving, () -> compare.comparator().heldFrames(), "frames held");
            updateGates();
        });
    }

    public void start() {
        loop.run(() -> {
            fromVm = loop.watch(vmPort, maxFrame, (frame, now, last) -> {
                stats.fromVm.incrementAndGet();
                compare.publish(Side.PRIMARY.ordinal(), now, FrameDecoder.LINKTYPE_ETHERNET, frame);
                updateGates();
            });
            fromNetwork = loop.watch(netPort, maxFrame, this::fromNetwork);
            vmGate = new SourceGate("vm port", fromVm::pause, () -> compare.comparator().heldFrames(), "frames held");
            networkGate = new SourceGate("network port", fromNetwork::pause, mirror::queuedBytes, "bytes queued for the mirror");
            mirror.onWritabilityChange(this::updateGates);
            ticker = loop.every(scanNanos, () -> {
                compare.tick(System.nanoTime());
                updateGates();
            });
            recheck = loop.every(RECHECK_NANOS, this::updateGates);
        });
    }

    /**
     * On the loop, after anything that may have filled or freed a destination: each source is read only while
     * everything it feeds has room. The network port feeds the mirror and the PVM; the PVM's port and the
     * redirect link feed the comparator (each its side) and, through releases, the network port.
     */
    private void updateGates() {
        if (toNetwork.blocked()) {
            toNetwork.retry();
        }
        if (toVm.blocked()) {
            toVm.retry();
        }
        boolean networkFull = toNetwork.blocked();
        if (networkGate != null) {
            boolean mirrorFull = mirror.isConnected() && !mirror.isWritable();
            networkGate.set(mirrorFull || toVm.blocked(), mirrorFull ? MIRROR_FULL : VM_PORT_FULL);
            vmGate.set(networkFull || !compare.canAccept(Side.PRIMARY.ordinal()),
                    networkFull ? NETWORK_PORT_FULL : PRIMARY_AHEAD);
        }
        if (redirectGate != null) {
            redirectGate.set(networkFull || !compare.canAccept(Side.SECONDARY.ordinal()),
                    networkFull ? NETWORK_PORT_FULL : SECONDARY_AHEAD);
        }
    }

    /**
     * On the loop: a client frame goes to both replicas or to neither. Mirror first, and flush the mirror after a
     * burst's last frame, before the PVM sees it, so the SVM's twin starts as early as it can. While unprotected
     * (no secondary, or one being synced without its mirror link yet) the PVM alone gets it.
     */
    private void fromNetwork(ByteBuffer frame, long now, boolean lastOfBurst) {
        stats.fromNetwork.incrementAndGet();
        if (mirror.isConnected() && mirror.send(frame)) {
            stats.mirrored.incrementAndGet();
            if (lastOfBurst) {
                mirror.flush();
            }
        } else if (!unprotected) {
            // Not mirrored while protected: the PVM must not see it either, or the replicas' inputs would differ.
            stats.networkDropped.incrementAndGet();
            updateGates();
            return;
        }
        if (toVm.send(frame)) {
            stats.toVm.incrementAndGet();
        } else {
            stats.toVmDropped.incrementAndGet();
        }
        updateGates();
    }

    /** The secondary is lost: held output is released and the PVM's output passes unchecked from now on. */
    public void enterUnprotected(String reason) {
        LOG.warning("running UNPROTECTED: " + reason);
        loop.execute(() -> {
            unprotected = true;
            compare.enterUnprotected(System.nanoTime());
        });
    }

    /**
     * The witness lease may run out before it is renewed (a partition, or the witness is gone): no output may
     * leave from now on, so that at no instant two nodes release output. Released frames wait in the network
     * port's outbox and its sources pause. Any thread.
     */
    public void fence(String reason) {
        LOG.warning("FENCED: releasing no output (" + reason + ")");
        loop.execute(() -> {
            fenced = true;
            toNetwork.hold(true);
        });
    }

    /**
     * Asked before each frame is released: may output leave now? (The checkpoint coordinator's release permit: a
     * deadline, so that a node resuming from a freeze sends nothing before it may.) Any thread; before {@link #start}.
     */
    public void guardReleases(java.util.function.BooleanSupplier permit) {
        loop.execute(() -> toNetwork.guard(permit));
    }

    /** The lease is confirmed again: held output leaves, in order. Any thread. */
    public void unfence() {
        loop.execute(() -> {
            if (fenced) {
                LOG.info("unfenced: the lease is confirmed, held output leaves (" + toNetwork.waiting() + " frames)");
            }
            fenced = false;
            toNetwork.hold(false);
            updateGates();
        });
    }

    /** A secondary is in sync (again): compare from a clean slate. */
    public void resumeProtection() {
        LOG.info("protected: comparing output again");
        loop.execute(() -> {
            unprotected = false;
            compare.resumeProtection(System.nanoTime());
        });
    }

    public NodeStats stats() {
        return stats;
    }

    /** The comparator: read its stats anywhere; call it only from its own thread. */
    public dev.colo.compare.OutputComparator comparator() {
        return compare.comparator();
    }

    public FrameLink mirror() {
        return mirror;
    }

    /** The back-pressure on the network port, the PVM's port and the redirect link (null before start / attach). */
    public SourceGate networkGate() {
        return networkGate;
    }

    public SourceGate vmGate() {
        return vmGate;
    }

    public SourceGate redirectGate() {
        return redirectGate;
    }

    /** The live status: the node's counters, the frames held now, the mirror's queue, divergences and checkpoints by reason. */
    public String statusLine() {
        dev.colo.compare.CompareStats c = compare.comparator().stats();
        return stats.line() + "; held " + c.heldPrimary() + " frames, lost " + c.get(dev.colo.compare.CompareStats.LOST)
                + ", mirror queue " + mirror.queuedBytes() + " B, waiting for the network port " + toNetwork.waiting()
                + ", for the vm port " + toVm.waiting() + "; divergences: " + c.divergencesByReason() + "; checkpoints asked: "
                + c.checkpointsByReason() + "; back-pressure: " + gateStatus(networkGate) + ", " + gateStatus(vmGate) + ", "
                + gateStatus(redirectGate) + "; kernel drops: network " + NodeStats.drops(netPort) + ", vm " + NodeStats.drops(vmPort) + (fenced ? "; FENCED by the lease: releasing nothing" : "");
    }

    private static String gateStatus(SourceGate g) {
        return g == null ? "-" : g.status();
    }

    /** Stops watching the ports and comparing; the loop, the links and the ports are the caller's to close. */
    @Override
    public void close() {
        loop.runUnlessStopped(() -> {
            if (ticker != null) {
                ticker.cancel(false);
                recheck.cancel(false);
                fromNetwork.cancel();
                fromVm.cancel();
            }
        });
        compare.close();
    }

    /** The sink: released frames go to the network port, or wait for it in its outbox (never dropped for a full queue). */
    private final class Release extends dev.colo.compare.ForwardingDecisions {
        Release(DecisionListener observer) {
            super(observer);
        }

        @Override
        public void onRelease(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
            send(frame, offset, length, RELEASED);
            observer().onRelease(frame, offset, length, capturedAtNanos, nowNanos);
        }

        @Override
        public void onReleaseUnheld(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
            // Unheld: passed unchecked (unprotected), or compared on arrival against a twin that came first.
            send(frame, offset, length, unprotected ? RELEASED_UNPROTECTED : RELEASED);
            observer().onReleaseUnheld(frame, offset, length, capturedAtNanos, nowNanos);
        }

        /** Counted as released (by kind) once it has left through the port: a frame waiting while fenced is not output. */
        private void send(byte[] frame, int offset, int length, int counter) {
            if (!toNetwork.send(frame, offset, length, counter)) {
                stats.releaseDropped.incrementAndGet();
            }
        }

        @Override
        public void onDivergence(Divergence divergence) {
            stats.divergences.incrementAndGet();
            super.onDivergence(divergence);
        }

        @Override
        public void onCheckpointRequested(Divergence cause) {
            stats.checkpointRequests.incrementAndGet();
            super.onCheckpointRequested(cause);
        }

        @Override
        public void onFlush(long nowNanos, int releasedPrimary, int droppedSecondary) {
            stats.flushes.incrementAndGet();
            super.onFlush(nowNanos, releasedPrimary, droppedSecondary);
        }
    }
}
