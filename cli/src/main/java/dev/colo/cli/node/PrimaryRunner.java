package dev.colo.cli.node;

import dev.colo.checkpoint.CheckpointConfig;
import dev.colo.checkpoint.CoordinatorListener;
import dev.colo.checkpoint.PrimaryCoordinator;
import dev.colo.checkpoint.arbiter.Arbiter;
import dev.colo.checkpoint.vm.ReplicatedVm;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.DecisionListener;
import dev.colo.proxy.io.FramePort;
import dev.colo.proxy.io.FramePorts;
import dev.colo.proxy.link.FrameLinkServer;
import dev.colo.proxy.link.FrameReceiver;
import dev.colo.proxy.link.LinkConfig;
import dev.colo.proxy.node.NodeLoop;
import dev.colo.proxy.node.NodeTuning;
import dev.colo.proxy.node.PrimaryNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Everything of a primary node, wired: the PVM's port and the network port, the mirror and redirect
 * links (both listening: the secondary connects), the comparator pipeline and the checkpoint
 * coordinator, whose state drives the comparator (unprotected until a secondary is in sync).
 */
public final class PrimaryRunner implements AutoCloseable {
    private final FramePort vmPort;
    private final FramePort netPort;
    private final FrameLinkServer mirror;
    private final FrameLinkServer redirect;
    private final PrimaryNode node;
    private final PrimaryCoordinator coordinator;
    private final InetSocketAddress checkpointAddress;
    private final NodeLoop loop;
    private final CompareConfig compareConfig;
    private final CheckpointConfig checkpointConfig;
    private final dev.colo.cli.control.ControlEvents events = new dev.colo.cli.control.ControlEvents(dev.colo.checkpoint.protocol.Role.PRIMARY);

    public PrimaryRunner(NodeAddresses addresses, FramePort vmPort, FramePort netPort, LinkConfig link, NodeTuning tuning,
            CompareConfig compare, CheckpointConfig checkpoint, ReplicatedVm vm, Arbiter arbiter, DecisionListener observer,
            CoordinatorListener listener) throws IOException, InterruptedException {
        this.vmPort = vmPort;
        this.netPort = netPort;
        this.compareConfig = compare;
        this.checkpointConfig = checkpoint;
        this.loop = NodeLoop.start("primary", tuning.busyPoll());
        CoordinatorGate gate = new CoordinatorGate();
        FrameLinkServer m = null;
        FrameLinkServer r = null;
        PrimaryNode n = null;
        PrimaryCoordinator c = null;
        try {
            m = new FrameLinkServer("mirror", addresses.mirror(), link.copy().peerSends(false), new FrameReceiver() {
                @Override
                public void onFrame(ByteBuffer frame) {
                    // The secondary sends nothing on the mirror link; a frame here is ignored.
                }
            }, loop.loop());
            n = new PrimaryNode(compare, loop, tuning, vmPort, netPort, m, gate, observer, FramePorts.MAX_FRAME);
            r = new FrameLinkServer("redirect", addresses.redirect(), link, n.secondaryOutput(), loop.loop());
            n.attachRedirect(r);
            PrimaryNode nodeRef = n;
            CoordinatorListener protection = new CoordinatorListener() {
                @Override
                public void onSecondaryLost(String reason) {
                    nodeRef.enterUnprotected("secondary lost: " + reason);
                }

                @Override
                public void onProtected(String secondaryNodeId) {
                    nodeRef.resumeProtection();
                }

                @Override
                public void onFenced(String reason) {
                    nodeRef.fence(reason);
                }

                @Override
                public void onUnfenced() {
                    nodeRef.unfence();
                }
            };
            c = new PrimaryCoordinator(checkpoint, vm, arbiter, Listeners.all(gate, protection, events, listener));
            gate.attach(c);
            n.guardReleases(c.releasePermit());
            n.enterUnprotected("no secondary in sync yet");
            n.start();
            checkpointAddress = c.start(addresses.checkpoint());
        } catch (IOException | InterruptedException | RuntimeException e) {
            for (AutoCloseable a : new AutoCloseable[] {c, r, n, m, loop}) {
                closeQuietly(a);
            }
            throw e;
        }
        this.mirror = m;
        this.redirect = r;
        this.node = n;
        this.coordinator = c;
    }

    public FrameLinkServer redirect() {
        return redirect;
    }

    public PrimaryNode node() {
        return node;
    }

    public PrimaryCoordinator coordinator() {
        return coordinator;
    }

    /** For the control socket: the comparator's configuration (changed only through its live-change queue). */
    public CompareConfig compareConfig() {
        return compareConfig;
    }

    /** For the control socket: the coordinator's configuration (its intervals are settable at run time). */
    public CheckpointConfig checkpointConfig() {
        return checkpointConfig;
    }

    /** Divergences and checkpoint requests by reason, counted on their way to the observer. */

    /** The coordinator's events as the control socket needs them (mode, checkpoint results). */
    public dev.colo.cli.control.ControlEvents events() {
        return events;
    }

    /** Where the secondary must connect: checkpoint link, mirror link, redirect link. */
    public NodeAddresses boundAddresses() {
        return new NodeAddresses(checkpointAddress, mirror.boundAddress(), redirect.boundAddress());
    }

    static void closeQuietly(AutoCloseable a) {
        if (a == null) {
            return;
        }
        try {
            a.close();
        } catch (Exception e) {
            // closing on a failure path: the first failure is the one reported
        }
    }

    @Override
    public void close() {
        closeQuietly(coordinator);
        closeQuietly(node);
        closeQuietly(redirect);
        closeQuietly(mirror);
        closeQuietly(loop);
        closeQuietly(vmPort);
        closeQuietly(netPort);
    }
}
