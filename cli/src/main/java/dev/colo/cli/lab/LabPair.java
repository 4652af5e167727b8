package dev.colo.cli.lab;

import dev.colo.checkpoint.CheckpointConfig;
import dev.colo.lab.LabTopology;
import dev.colo.checkpoint.CoordinatorListener;
import dev.colo.checkpoint.PrimaryState;
import dev.colo.checkpoint.arbiter.AlwaysArbiter;
import dev.colo.checkpoint.vm.InMemoryVm;
import dev.colo.cli.node.NodeAddresses;
import dev.colo.cli.node.PrimaryRunner;
import dev.colo.cli.node.SecondaryRunner;
import dev.colo.compare.CheckpointModel;
import dev.colo.compare.CompareConfig;
import dev.colo.compare.DecisionListener;
import dev.colo.compare.rules.IgnoreRule;
import dev.colo.compare.rules.RuleSet;
import dev.colo.proxy.io.FramePortType;
import dev.colo.proxy.io.FramePorts;
import dev.colo.proxy.io.PortOptions;
import dev.colo.proxy.link.LinkConfig;
import dev.colo.proxy.node.NodeTuning;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * A primary and a secondary node in this process on a {@link LabTopology}, linked over loopback. The
 * replicas are namespaces, which cannot be checkpointed: both nodes' VM is a one-page stand-in, so the
 * protocol runs for real but a commit leaves the SVM as it is (the comparator and rewriter are told so).
 */
public final class LabPair implements AutoCloseable {
    public final PrimaryRunner primary;
    public final SecondaryRunner secondary;

    public LabPair(LabTopology net, DecisionListener observer, CoordinatorListener listener) throws Exception {
        this(net, observer, listener, NodeTuning.DEFAULT);
    }

    public LabPair(LabTopology net, DecisionListener observer, CoordinatorListener listener, NodeTuning tuning) throws Exception {
        CompareConfig compare = new CompareConfig().checkpointModel(CheckpointModel.SECONDARY_UNCHANGED)
                .rules(new RuleSet(true, List.of(IgnoreRule.parse("http-date"))));
        PortOptions ports = PortOptions.defaults();
        primary = new PrimaryRunner(NodeAddresses.on(InetAddress.getLoopbackAddress(), true),
                FramePorts.open(FramePortType.AFPACKET, net.primaryVm, ports), FramePorts.open(FramePortType.AFPACKET, net.primaryNet, ports),
                new LinkConfig(), tuning, compare, config("pvm-node"), new InMemoryVm("external", 1), new AlwaysArbiter(), observer, listener);
        SecondaryRunner s;
        try {
            s = new SecondaryRunner(primary.boundAddresses(), FramePorts.open(FramePortType.AFPACKET, net.secondaryVm, ports),
                    FramePorts.open(FramePortType.AFPACKET, net.secondaryNet, ports), new LinkConfig(), tuning, config("svm-node"),
                    new InMemoryVm("external", 1), false, new AlwaysArbiter(), listener);
        } catch (Exception e) {
            primary.close();
            throw e;
        }
        secondary = s;
        long deadline = System.currentTimeMillis() + 10_000;
        while (primary.coordinator().state() != PrimaryState.PROTECTED) {
            if (System.currentTimeMillis() > deadline) {
                close();
                throw new IllegalStateException("the pair did not reach PROTECTED within 10 s");
            }
            Thread.sleep(10);
        }
    }

    /** Short timeouts: a lab pair notices a dead peer within half a second. */
    static CheckpointConfig config(String node) {
        return new CheckpointConfig().nodeId(node).heartbeatInterval(Duration.ofMillis(100)).heartbeatMisses(5).leaseTtl(Duration.ofSeconds(2))
                .syncTimeout(Duration.ofSeconds(2)).periodicInterval(Duration.ZERO).minInterval(Duration.ZERO)
                .reconnectDelay(Duration.ofMillis(50)).promotionTimeout(Duration.ofMillis(500));
    }

    @Override
    public void close() {
        if (secondary != null) {
            secondary.close();
        }
        primary.close();
    }
}
