package dev.colo.bench;

import dev.colo.cli.lab.LabPair;
import dev.colo.lab.LabTopology;
import dev.colo.checkpoint.CoordinatorListener;
import dev.colo.compare.DecisionListener;
import dev.colo.proxy.io.FramePortType;
import dev.colo.proxy.io.FramePorts;
import dev.colo.proxy.io.PortOptions;
import dev.colo.proxy.node.NodeTuning;
import dev.colo.proxy.node.NodeStats;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Live COLO against the direct path, in one run over the same namespace topology (LabTopology: same
 * MTU, offloads off on every interface of both paths): iperf3 TCP throughput client -> server and
 * server -> client (-R), and ping RTT. The direct path is a host on the same bridge; the bare forwarder
 * is two threads copying frames in the primary node's place (this machine's floor for any user-space
 * node: a thread wake-up costs 100-200 us on this 2-vCPU VM); the COLO path is
 * the PVM namespace behind the primary node, with the SVM namespace behind the secondary node (both
 * nodes in this process, links over loopback, identical replicas).
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.colo.bench.ColoNetworkBench [--seconds N] [--pings N]</pre>
 */
public final class ColoNetworkBench {
    private static final Pattern BITS = Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*?\"bits_per_second\"\\s*:\\s*([0-9.e+E]+)");
    private static final Pattern RTT = Pattern.compile("time=([0-9.]+) ms");

    private static final Pattern FLOOD_AVG = Pattern.compile("= [0-9.]+/([0-9.]+)/");
    private static final String HTTP_FILE = "data.bin";
    private static final long HTTP_BYTES = 50_000_000;
    private static final int UP_PORT = 5201;
    private static final int DOWN_PORT = 5202;

    private ColoNetworkBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = 5;
        int pings = 200;
        NodeTuning tuning = NodeTuning.DEFAULT;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--pings" -> pings = Integer.parseInt(args[++i]);
                case "--busy-poll" -> tuning = new NodeTuning(java.time.Duration.ofNanos(1000 * Long.parseLong(args[++i])), tuning.compareOnOwnThread());
                case "--compare-thread" -> tuning = new NodeTuning(tuning.busyPoll(), true);
                default -> {
                    System.err.println("usage: ColoNetworkBench [--seconds N] [--pings N] [--busy-poll MICROS] [--compare-thread]");
                    System.exit(2);
                }
            }
        }
        try (LabTopology net = new LabTopology()) {
            // One file for every server: the same bytes and the same Last-Modified on both replicas.
            java.nio.file.Path www = java.nio.file.Files.createTempDirectory("colo-bench-www");
            LabTopology.file(www, HTTP_FILE, HTTP_BYTES, 7);
            net.httpServer(net.pvm, www);
            net.httpServer(net.svm, www);
            net.httpServer(net.direct, www, LabTopology.DIRECT_IP);
            for (String ns : new String[] {net.pvm, net.svm, net.direct}) {
                // A server per direction: a stand-in SVM that diverged in one test (iperf3's closing JSON
                // differs) cannot be checkpointed back, so the next test starts on a fresh server.
                net.start(ns, null, "iperf3", "-s", "-p", "" + UP_PORT);
                net.start(ns, null, "iperf3", "-s", "-p", "" + DOWN_PORT);
            }
            Thread.sleep(500);
            Result direct = measure(net, LabTopology.DIRECT_IP, seconds, pings);
            Result bare;
            try (BareForwarder f = new BareForwarder(FramePorts.open(FramePortType.AFPACKET, net.primaryNet, PortOptions.defaults()),
                    FramePorts.open(FramePortType.AFPACKET, net.primaryVm, PortOptions.defaults()))) {
                bare = measure(net, LabTopology.VM_IP, seconds, pings);
            }
            java.util.List<String> firstDivergences = new java.util.concurrent.CopyOnWriteArrayList<>();
            try (LabPair pair = new LabPair(net, new DecisionListener() {
                @Override
                public void onRelease(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
                }

                @Override
                public void onDivergence(dev.colo.compare.Divergence d) {
                    if (firstDivergences.size() < 5) {
                        firstDivergences.add(d.toString());
                    }
                }
            }, CoordinatorListener.NONE, tuning)) {
                Result colo = measure(net, LabTopology.VM_IP, seconds, pings);
                NodeStats ps = pair.primary.node().stats();
                System.out.printf(Locale.ROOT, "COLO vs direct path, %d s iperf3 per direction, %d pings (LabTopology, MTU 1500, offloads off)%n",
                        seconds, pings);
                System.out.printf(Locale.ROOT, "%-28s %12s %12s %12s %8s%n", "", "direct", "bare fwd", "COLO", "COLO/direct");
                row("TCP client->server Mbit/s", direct.upMbps, bare.upMbps, colo.upMbps);
                row("TCP server->client Mbit/s", direct.downMbps, bare.downMbps, colo.downMbps);
                row("HTTP download (curl) MB/s", direct.httpMBps, bare.httpMBps, colo.httpMBps);
                System.out.printf(Locale.ROOT, "%-28s %10.3fms %10.3fms %10.3fms %+8.3fms added%n", "ping RTT median", direct.rttMedian,
                        bare.rttMedian, colo.rttMedian, colo.rttMedian - direct.rttMedian);
                System.out.printf(Locale.ROOT, "%-28s %10.3fms %10.3fms %10.3fms%n", "ping RTT p90", direct.rttP90, bare.rttP90, colo.rttP90);
                System.out.printf(Locale.ROOT, "%-28s %10.3fms %10.3fms %10.3fms %+8.3fms added%n", "ping RTT avg, back-to-back", direct.floodAvg,
                        bare.floodAvg, colo.floodAvg, colo.floodAvg - direct.floodAvg);
                System.out.println("primary node: " + pair.primary.node().statusLine());
                System.out.println("secondary node: " + pair.secondary.node().statusLine());
                firstDivergences.forEach(d -> System.out.println("divergence: " + d));
                System.out.println("checkpoints: " + pair.primary.coordinator().status().checkpoints()
                        + ", rewriter: " + pair.secondary.rewriter().stats());
            }
        }
    }

    private static void row(String what, double direct, double bare, double colo) {
        System.out.printf(Locale.ROOT, "%-28s %12.0f %12.0f %12.0f %7.0f%%%n", what, direct, bare, colo, 100 * colo / direct);
    }

    /** rttMedian, rttP90: pings 10 ms apart (every hop wakes from idle); floodAvg: back-to-back pings (ping -f), a busy path. */
    record Result(double upMbps, double downMbps, double rttMedian, double rttP90, double floodAvg, double httpMBps) {
    }

    private static Result measure(LabTopology net, String server, int seconds, int pings) throws Exception {
        // Ping first, on a pair that has not diverged yet. 10000 back-to-back pings first: they measure a busy
        // path, and they let the JIT compile the node's path (the kernel's needs no warm-up), as on a node up for a while.
        String flood = net.ns(net.client, "ping", "-q", "-f", "-c", "10000", "-W", "1", "-n", server);
        String out = net.ns(net.client, "ping", "-c", "" + pings, "-i", "0.01", "-W", "1", "-n", server);
        // A 50 MB file over HTTP before iperf3: python's server writes a deterministic byte stream (iperf3's
        // sender does not: a short write restarts at the start of its buffer), so the replicas agree.
        double http = seconds > 0 ? Double.parseDouble(net.ns(net.client, "curl", "-sS", "--max-time", "120", "-o", "/dev/null",
                "-w", "%{speed_download}", "http://" + server + ":8000/" + HTTP_FILE).trim()) / 1e6 : 0;
        double up = seconds > 0 ? iperf(net, server, seconds, false) : 0;
        double down = seconds > 0 ? iperf(net, server, seconds, true) : 0;
        double[] rtts = RTT.matcher(out).results().mapToDouble(m -> Double.parseDouble(m.group(1))).sorted().toArray();
        if (rtts.length == 0) {
            throw new IllegalStateException("no ping replies from " + server + ": " + out);
        }
        Matcher avg = FLOOD_AVG.matcher(flood);
        return new Result(up, down, rtts[rtts.length / 2], rtts[rtts.length * 9 / 10], avg.find() ? Double.parseDouble(avg.group(1)) : Double.NaN, http);
    }

    private static double iperf(LabTopology net, String server, int seconds, boolean reverse) throws Exception {
        // --repeating-payload: both replicas send the same bytes (iperf3 fills its buffer with random ones otherwise).
        String[] cmd = reverse ? new String[] {"iperf3", "-c", server, "-p", "" + DOWN_PORT, "-t", "" + seconds, "-J", "-R", "--repeating-payload"}
                : new String[] {"iperf3", "-c", server, "-p", "" + UP_PORT, "-t", "" + seconds, "-J", "--repeating-payload"};
        String json = net.ns(net.client, cmd);
        Matcher m = BITS.matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no iperf3 result: " + json.substring(0, Math.min(400, json.length())));
        }
        return Double.parseDouble(m.group(1)) / 1e6;
    }

}
