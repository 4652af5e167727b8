package dev.colo.cli.control;

import dev.colo.cli.node.CompareNode;
import dev.colo.cli.node.PrimaryRunner;
import dev.colo.cli.node.SecondaryRunner;
import dev.colo.proxy.node.NodeStats;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/** The control handler of each kind of node, from what the node runs. */
public final class NodeControls {
    private NodeControls() {
    }

    public static NodeControl primary(PrimaryRunner runner, PrintWriter log, boolean compareThread) {
        // The primary node ticks its comparator at the scan interval it started with; a changed interval moves the
        // comparator's timeout grid, and the ticks keep their period.
        LiveSettings settings = new LiveSettings(runner.compareConfig(), runner.checkpointConfig(), log, null);
        return new NodeControl("primary").settings(settings).compareThread(compareThread)
                .primary(runner.coordinator(), runner.events())
                .counters(() -> {
                    Map<String, Object> m = nodeStats(runner.node().stats());
                    dev.colo.compare.CompareStats c = runner.node().comparator().stats();
                    m.put("divergences", c.divergenceCounts());
                    m.put("checkpoints-asked", c.checkpointCounts());
                    m.put("held", c.heldPrimary());
                    m.put("lost", c.get(dev.colo.compare.CompareStats.LOST));
                    gates(m, runner.node().networkGate(), runner.node().vmGate(), runner.node().redirectGate());
                    return m;
                })
                .statusLine(() -> runner.node().statusLine());
    }

    public static NodeControl secondary(SecondaryRunner runner) {
        return new NodeControl("secondary").secondary(runner.coordinator(), runner.events())
                .counters(() -> {
                    Map<String, Object> m = nodeStats(runner.node().stats());
                    gates(m, runner.node().mirrorGate(), runner.node().vmGate(), runner.node().networkGate());
                    return m;
                })
                .statusLine(() -> runner.node().statusLine() + "; rewriter: " + runner.rewriter().stats());
    }

    public static NodeControl compare(CompareNode node, PrintWriter log, boolean compareThread) {
        LiveSettings settings = new LiveSettings(node.config(), null, log, node::scanIntervalChanged);
        return new NodeControl("compare").settings(settings).compareThread(compareThread)
                .counters(node::counters).statusLine(node::statusLine);
    }

    /** Back-pressure per source: pauses and seconds paused (a source not watched yet is left out). */
    private static void gates(Map<String, Object> m, dev.colo.proxy.node.SourceGate... gates) {
        Map<String, Object> g = new LinkedHashMap<>();
        for (dev.colo.proxy.node.SourceGate gate : gates) {
            if (gate != null) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("pauses", gate.episodes());
                one.put("paused-seconds", gate.pausedNanos() / 1e9);
                one.put("paused-now", gate.paused());
                g.put(gate.name(), one);
            }
        }
        m.put("back-pressure", g);
    }

    private static Map<String, Object> nodeStats(NodeStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("released", s.released.get());
        m.put("released-unprotected", s.releasedUnprotected.get());
        m.put("release-dropped", s.releaseDropped.get());
        m.put("from-network", s.fromNetwork.get());
        m.put("not-mirrored-dropped", s.networkDropped.get());
        m.put("from-vm", s.fromVm.get());
        m.put("from-peer", s.fromPeer.get());
        m.put("mirrored", s.mirrored.get());
        m.put("redirected", s.redirected.get());
        m.put("divergences-total", s.divergences.get());
        m.put("checkpoint-requests", s.checkpointRequests.get());
        m.put("flushes", s.flushes.get());
        return m;
    }
}
