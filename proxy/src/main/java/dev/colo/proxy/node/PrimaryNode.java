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
import java.io.IOException;
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

    private final NodeLoop loop;
    private final FramePort vmPort;
    private final FramePort netPort;
    private final FrameLink mirror;
    private final CompareStage compare;
    private final NodeStats stats = new NodeStats();
    private final long scanNanos;
    private final int maxFrame;
    private PortWatch fromVm;
    private PortWatch fromNetwork;
    private ScheduledFuture<?> ticker;
    /** For the counters only: a frame released unheld is unprotected output, or a frame whose twin came first. */
    private volatile boolean unprotected;

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
        Release release = new Release(netPort, maxFrame, observer);
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
            }

            @Override
            public void onLinkUp(String peer) {
                if (!loop.inLoop()) {
                    throw new IllegalStateException("the redirect link must run on the primary node's loop");
                }
            }

            @Override
            public void onLinkDown(String reason) {
                LOG.info("redirect link down: " + reason);
            }
        };
    }

    public void start() {
        loop.run(() -> {
            fromVm = loop.watch(vmPort, maxFrame, (frame, now, last) -> {
                stats.fromVm.incrementAndGet();
                compare.publish(Side.PRIMARY.ordinal(), now, FrameDecoder.LINKTYPE_ETHERNET, frame);
            });
            fromNetwork = loop.watch(netPort, maxFrame, this::fromNetwork);
            ticker = loop.every(scanNanos, () -> compare.tick(System.nanoTime()));
        });
    }

    /** On the loop: mirror first, and flush the mirror after a burst's last frame, before the PVM sees it, so the SVM's twin starts as early as it can. */
    private void fromNetwork(ByteBuffer frame, long now, boolean lastOfBurst) {
        stats.fromNetwork.incrementAndGet();
        if (mirror.send(frame)) {
            stats.mirrored.incrementAndGet();
        } else {
            stats.mirrorDropped.incrementAndGet();
        }
        if (lastOfBurst) {
            mirror.flush();
        }
        try {
            if (!vmPort.send(frame)) {
                stats.toVmDropped.incrementAndGet();
            } else {
                stats.toVm.incrementAndGet();
            }
        } catch (IOException e) {
            stats.toVmDropped.incrementAndGet();
        }
    }

    /** The secondary is lost: held output is released and the PVM's output passes unchecked from now on. */
    public void enterUnprotected(String reason) {
        LOG.warning("running UNPROTECTED: " + reason);
        loop.execute(() -> {
            unprotected = true;
            compare.enterUnprotected(System.nanoTime());
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

    /** The live status: the node's counters, the frames held now, the mirror's queue, divergences and checkpoints by reason. */
    public String statusLine() {
        dev.colo.compare.CompareStats c = compare.comparator().stats();
        return stats.line() + "; held " + c.heldPrimary() + " frames, mirror queue " + mirror.queuedBytes() + " B; divergences: "
                + c.divergencesByReason() + "; checkpoints asked: " + c.checkpointsByReason() + "; kernel drops: network "
                + NodeStats.drops(netPort) + ", vm " + NodeStats.drops(vmPort);
    }

    /** Stops watching the ports and comparing; the loop, the links and the ports are the caller's to close. */
    @Override
    public void close() {
        loop.runUnlessStopped(() -> {
            if (ticker != null) {
                ticker.cancel(false);
                fromNetwork.cancel();
                fromVm.cancel();
            }
        });
        compare.close();
    }

    /** The sink: released frames go to the network port through one reused direct buffer. */
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
            // Unheld: passed unchecked (unprotected), or compared on arrival against a twin that came first.
            send(frame, offset, length, unprotected ? stats.releasedUnprotected : stats.released);
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
