package dev.colo.cli.node;

import dev.colo.checkpoint.CheckpointConfig;
import dev.colo.checkpoint.CoordinatorListener;
import dev.colo.checkpoint.SecondaryCoordinator;
import dev.colo.checkpoint.arbiter.Arbiter;
import dev.colo.checkpoint.protocol.Role;
import dev.colo.checkpoint.protocol.Trigger;
import dev.colo.checkpoint.vm.ReplicatedVm;
import dev.colo.proxy.io.FramePort;
import dev.colo.proxy.io.FramePorts;
import dev.colo.proxy.link.FrameLinkClient;
import dev.colo.proxy.link.FrameReceiver;
import dev.colo.proxy.link.LinkConfig;
import dev.colo.proxy.node.NodeLoop;
import dev.colo.proxy.node.NodeTuning;
import dev.colo.proxy.node.SecondaryNode;
import dev.colo.proxy.rewrite.RewriterConfig;
import dev.colo.proxy.rewrite.TcpRewriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * Everything of a secondary node, wired: the SVM's port, the mirror and redirect links (connecting to
 * the primary), the TCP rewriter and the checkpoint coordinator. A committed checkpoint zeroes the
 * rewriter's offsets when the VM really is restored; a failover turns the node into a forwarder
 * between the SVM and the network port.
 */
public final class SecondaryRunner implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SecondaryRunner.class.getName());

    private final FramePort svmPort;
    private final FramePort netPort;
    private final FrameLinkClient mirror;
    private final FrameLinkClient redirect;
    private final SecondaryNode node;
    private final TcpRewriter rewriter;
    private final SecondaryCoordinator coordinator;
    private final Thread starter;
    private final NodeLoop loop;
    private volatile boolean closed;
    private final dev.colo.cli.control.ControlEvents events = new dev.colo.cli.control.ControlEvents(Role.SECONDARY);

    /**
     * @param vmRestoredByCheckpoints true when a commit makes the SVM a copy of the PVM (a real VM); false
     *        for a VM this appliance cannot checkpoint (then the TCP offsets must stay as learned)
     * @param netPort the port to serve clients on after a failover; null: the SVM stays off the network
     */
    public FrameLinkClient mirror() {
        return mirror;
    }

    public SecondaryRunner(NodeAddresses primary, FramePort svmPort, FramePort netPort, LinkConfig link, NodeTuning tuning,
            CheckpointConfig checkpoint, ReplicatedVm vm, boolean vmRestoredByCheckpoints, Arbiter arbiter, CoordinatorListener listener) {
        this.svmPort = svmPort;
        this.netPort = netPort;
        this.loop = NodeLoop.start("secondary", tuning.busyPoll());
        this.rewriter = new TcpRewriter(new RewriterConfig());
        this.redirect = new FrameLinkClient("redirect", primary.redirect(), link, new FrameReceiver() {
            @Override
            public void onFrame(ByteBuffer frame) {
                // The primary sends nothing on the redirect link.
            }
        }, loop.loop());
        this.node = new SecondaryNode(loop, svmPort, redirect, rewriter, FramePorts.MAX_FRAME);
        this.mirror = new FrameLinkClient("mirror", primary.mirror(), link, node.mirrorInput(), loop.loop());
        node.attachMirror(mirror);
        SecondaryNode n = node;
        FrameLinkClient m = mirror;
        CoordinatorListener wiring = new CoordinatorListener() {
            @Override
            public void onTransition(Role role, String from, String to, String why) {
                if (vmRestoredByCheckpoints && role == Role.SECONDARY && "SUSPENDED".equals(to)) {
                    n.holdForCheckpoint();
                }
            }

            @Override
            public void onCheckpointCommitted(long id, Trigger trigger) {
                if (vmRestoredByCheckpoints) {
                    n.checkpointCommitted();
                }
            }

            @Override
            public void onCheckpointAborted(long id, String reason) {
                n.checkpointAborted();
            }

            @Override
            public void onFenced(String reason) {
                LOG.warning("FENCED: releasing no output (" + reason + ")");
            }

            @Override
            public void onUnfenced() {
                LOG.info("unfenced: the lease is confirmed, output leaves");
            }

            @Override
            public void onFailover(String reason) {
                m.close();
                if (netPort != null) {
                    n.promote(netPort, SecondaryRunner.this.coordinator.releasePermit());
                } else {
                    LOG.warning("failover with no network port (--net-port): the SVM runs but no client can reach it");
                }
            }
        };
        this.coordinator = new SecondaryCoordinator(checkpoint, vm, arbiter, Listeners.all(wiring, events, listener));
        node.start();
        this.starter = new Thread(() -> startWhenLinked(primary), "secondary-start");
        starter.setDaemon(true);
        starter.start();
    }

    /**
     * The checkpoint protocol starts only once the mirror and redirect links are up: a secondary that
     * went in sync before it could see the client's frames would miss input and diverge at once.
     */
    private void startWhenLinked(NodeAddresses primary) {
        try {
            boolean logged = false;
            while (!mirror.awaitConnected(Duration.ofSeconds(1)) || !redirect.awaitConnected(Duration.ofSeconds(1))) {
                if (closed) {
                    return;
                }
                if (!logged) {
                    logged = true;
                    LOG.info("waiting for the mirror and redirect links to " + primary.mirror() + " and " + primary.redirect()
                            + " before syncing");
                }
            }
            synchronized (this) {
                if (!closed) {
                    coordinator.start(primary.checkpoint());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public SecondaryNode node() {
        return node;
    }

    public TcpRewriter rewriter() {
        return rewriter;
    }

    public SecondaryCoordinator coordinator() {
        return coordinator;
    }

    /** The coordinator's events as the control socket needs them (mode, failover results). */
    public dev.colo.cli.control.ControlEvents events() {
        return events;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        starter.interrupt();
        PrimaryRunner.closeQuietly(coordinator);
        PrimaryRunner.closeQuietly(mirror);
        PrimaryRunner.closeQuietly(node);
        PrimaryRunner.closeQuietly(redirect);
        PrimaryRunner.closeQuietly(loop);
        PrimaryRunner.closeQuietly(svmPort);
        PrimaryRunner.closeQuietly(netPort);
    }
}
