package dev.colo.proxy.node;

import dev.colo.compare.CheckpointGate;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.DecisionListener;
import dev.colo.compare.Divergence;
import dev.colo.compare.Side;
import dev.colo.compare.packet.FrameDecoder;
import dev.colo.compare.pipeline.ComparePipeline;
import dev.colo.proxy.io.FramePort;
import dev.colo.proxy.link.FrameLink;
import dev.colo.proxy.link.FrameReceiver;
import java.io.IOException;
import java.nio.ByteBuffer;
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
 */
public final class PrimaryNode implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PrimaryNode.class.getName());

    private final FramePort vmPort;
    private final FramePort netPort;
    private final FrameLink mirror;
    private final ComparePipeline pipeline;
    private final NodeStats stats = new NodeStats();
    private final FramePump fromVm;
    private final FramePump fromNetwork;
    private final long scanNanos;

    /**
     * @param observer sees every decision after the node acted on it (logs, counters); called on the emit thread
     */
    public PrimaryNode(CompareConfig config, FramePort vmPort, FramePort netPort, FrameLink mirror, CheckpointGate gate,
            DecisionListener observer, int maxFrame) {
        this.vmPort = vmPort;
        this.netPort = netPort;
        this.mirror = mirror;
        this.scanNanos = config.scanIntervalNanos();
        this.pipeline = ComparePipeline.builder().config(config).gate(gate).sink(new Release(netPort, maxFrame, observer))
                .multipleProducers(true).emitOn(ComparePipeline.EmitOn.COMPARE_THREAD).start();
        this.fromVm = new FramePump("pvm-out", vmPort, maxFrame, (frame, now) -> {
            stats.fromVm.incrementAndGet();
            pipeline.publish(Side.PRIMARY.ordinal(), now, FrameDecoder.LINKTYPE_ETHERNET, frame);
        }, () -> false);
        this.fromNetwork = new FramePump("network-in", netPort, maxFrame, this::fromNetwork, () -> false);
    }

    /** Receives the SVM's output from the redirect link. */
    public FrameReceiver secondaryOutput() {
        return new FrameReceiver() {
            @Override
            public void onFrame(ByteBuffer frame) {
                stats.fromPeer.incrementAndGet();
                pipeline.publish(Side.SECONDARY.ordinal(), System.nanoTime(), FrameDecoder.LINKTYPE_ETHERNET, frame);
            }

            @Override
            public void onLinkDown(String reason) {
                LOG.info("redirect link down: " + reason);
            }
        };
    }

    public void start() {
        fromVm.start();
        fromNetwork.start();
        pipeline.tickEvery(scanNanos);
    }

    private void fromNetwork(ByteBuffer frame, long now) {
        stats.fromNetwork.incrementAndGet();
        try {
            if (!vmPort.send(frame)) {
                stats.toVmDropped.incrementAndGet();
            } else {
                stats.toVm.incrementAndGet();
            }
        } catch (IOException e) {
            stats.toVmDropped.incrementAndGet();
        }
        if (mirror.send(frame)) {
            stats.mirrored.incrementAndGet();
        } else {
            stats.mirrorDropped.incrementAndGet();
        }
    }

    /** The secondary is lost: held output is released and the PVM's output passes unchecked from now on. */
    public void enterUnprotected(String reason) {
        LOG.warning("running UNPROTECTED: " + reason);
        pipeline.enterUnprotected(System.nanoTime());
    }

    /** A secondary is in sync (again): compare from a clean slate. */
    public void resumeProtection() {
        LOG.info("protected: comparing output again");
        pipeline.resumeProtection(System.nanoTime());
    }

    public NodeStats stats() {
        return stats;
    }

    @Override
    public void close() {
        fromNetwork.close();
        fromVm.close();
        pipeline.close();
    }

    /** The emit stage: released frames go to the network port through one reused direct buffer. */
    private final class Release implements DecisionListener {
        private final FramePort out;
        private final ByteBuffer buffer;
        private final DecisionListener observer;

        Release(FramePort out, int maxFrame, DecisionListener observer) {
            this.out = out;
            this.buffer = ByteBuffer.allocateDirect(maxFrame);
            this.observer = observer;
        }

        @Override
        public void onRelease(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
            send(frame, offset, length, stats.released);
            observer.onRelease(frame, offset, length, capturedAtNanos, nowNanos);
        }

        @Override
        public void onReleaseUnheld(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
            send(frame, offset, length, stats.releasedUnprotected);
            observer.onReleaseUnheld(frame, offset, length, capturedAtNanos, nowNanos);
        }

        private void send(byte[] frame, int offset, int length, java.util.concurrent.atomic.AtomicLong counter) {
            if (length > buffer.capacity()) {
                stats.releaseDropped.incrementAndGet();
                return;
            }
            buffer.clear();
            buffer.put(frame, offset, length).flip();
            try {
                if (out.send(buffer)) {
                    counter.incrementAndGet();
                } else {
                    stats.releaseDropped.incrementAndGet();
                }
            } catch (IOException e) {
                stats.releaseDropped.incrementAndGet();
            }
        }

        @Override
        public void onDivergence(Divergence divergence) {
            stats.divergences.incrementAndGet();
            observer.onDivergence(divergence);
        }

        @Override
        public void onCheckpointRequested(Divergence cause) {
            stats.checkpointRequests.incrementAndGet();
            observer.onCheckpointRequested(cause);
        }

        @Override
        public void onFlush(long nowNanos, int releasedPrimary, int droppedSecondary) {
            stats.flushes.incrementAndGet();
            observer.onFlush(nowNanos, releasedPrimary, droppedSecondary);
        }

        @Override
        public void onRuleFired(String rule, String flow) {
            observer.onRuleFired(rule, flow);
        }
    }
}
