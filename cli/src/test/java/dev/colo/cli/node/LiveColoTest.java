package dev.colo.cli.node;

import dev.colo.cli.lab.LabPair;
import dev.colo.lab.LabTopology;
import dev.colo.lab.Shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.colo.checkpoint.CoordinatorListener;
import dev.colo.checkpoint.PrimaryState;
import dev.colo.compare.DecisionListener;
import dev.colo.proxy.node.NodeTuning;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * COLO live, with real Linux network stacks: a client namespace, a bridge, a 'PVM' and an 'SVM'
 * namespace running the same python3 http.server with the same IP and MAC, each behind a veth as a VM
 * would be behind its tap; a primary and a secondary node in this JVM, linked over loopback.
 *
 * <p>Namespaces cannot be checkpointed, so both nodes' VM is a stand-in (a one-page InMemoryVm): the
 * checkpoint protocol runs for real between real coordinators, but a commit does not change the SVM
 * namespace. The comparator is told so (CheckpointModel.SECONDARY_UNCHANGED) and the rewriter keeps its
 * offsets across commits.
 */
@Timeout(180)
class LiveColoTest {
    @TempDir
    Path tmp;

    private LabTopology net;
    private PrimaryRunner primary;
    private SecondaryRunner secondary;
    private LabPair pair;
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<String> divergences = new CopyOnWriteArrayList<>();

    @BeforeEach
    void topology() throws Exception {
        assumeTrue(LabTopology.available(), "ip, ethtool, curl or python3 missing: skipped");
        net = new LabTopology();
    }

    @AfterEach
    void teardown() throws Exception {
        try {
            PrimaryRunner.closeQuietly(secondary);
            PrimaryRunner.closeQuietly(primary);
        } finally {
            // Even when closing a node fails (an Error is not caught above), the namespaces and servers go.
            if (net != null) {
                net.close();
            }
        }
    }

    private void startPair() throws Exception {
        startPair(NodeTuning.DEFAULT);
    }

    private void startPair(NodeTuning tuning) throws Exception {
        CoordinatorListener log = new CoordinatorListener() {
            @Override
            public void onTransition(dev.colo.checkpoint.protocol.Role role, String from, String to, String why) {
                events.add(role + " " + from + "->" + to + " " + why);
            }
        };
        pair = new LabPair(net, new DecisionListener() {
            @Override
            public void onRelease(byte[] frame, int offset, int length, long capturedAtNanos, long nowNanos) {
            }

            @Override
            public void onDivergence(dev.colo.compare.Divergence d) {
                if (divergences.size() < 5) {
                    divergences.add(d.toString());
                }
            }
        }, log, tuning);
        primary = pair.primary;
        secondary = pair.secondary;
    }

    private String curl(String file, String... extra) throws Exception {
        Path out = tmp.resolve("got-" + file);
        String[] cmd = new String[6 + extra.length];
        cmd[0] = "curl";
        cmd[1] = "-sS";
        cmd[2] = "--max-time";
        cmd[3] = "60";
        cmd[4] = "-o" + out;
        System.arraycopy(extra, 0, cmd, 5, extra.length);
        cmd[cmd.length - 1] = "http://" + LabTopology.VM_IP + ":8000/" + file;
        net.ns(net.client, cmd);
        return sha256(out);
    }

    /** Also with the loops busy-polling, which changes when frames are read and flushed, not what. */
    @ParameterizedTest(name = "busy-poll {0} us")
    @ValueSource(longs = {0, 300})
    void identicalContentReachesTheClientWithNoDivergence(long busyPollMicros) throws Exception {
        // One directory for both replicas: same bytes and same Last-Modified header.
        Path www = tmp.resolve("www");
        Path file = LabTopology.file(www, "data.bin", 2_000_000, 1);
        net.httpServer(net.pvm, www);
        net.httpServer(net.svm, www);
        startPair(new NodeTuning(java.time.Duration.ofNanos(busyPollMicros * 1000), false));
        net.start(net.svm, tmp.resolve("svm.pcap.log"), "tcpdump", "-i", "v0", "-n", "-w", tmp.resolve("svm.pcap").toString());
        Thread.sleep(500);
        for (int i = 0; i < 3; i++) {
            assertEquals(sha256(file), curl("data.bin"), "download " + i);
        }
        var ps = primary.node().stats();
        if (ps.divergences.get() > 0) {
            Thread.sleep(500);
            System.out.println(Shell.run("sh", "-c", "tcpdump -n -r " + tmp.resolve("svm.pcap") + " | head -60"));
        }
        assertEquals(0, ps.divergences.get(), report());
        assertTrue(ps.released.get() > 1000, report());
        String status = primary.node().statusLine();
        assertTrue(status.contains("divergences: none; checkpoints asked: none"), status);
        assertTrue(status.matches(".*\\(not mirrored, dropped 0\\).*; held \\d+ frames, lost 0, mirror queue \\d+ B, waiting for the network port 0, for the vm port 0;"
                + ".*; back-pressure: network port paused \\d+ times.*, vm port paused \\d+ times.*, redirect paused \\d+ times.*; kernel drops: network \\d+, vm \\d+"), status);
        assertTrue(secondary.node().statusLine().matches(".*; held for a checkpoint 0 frames, redirect queue \\d+ B, waiting for the SVM's port 0;"
                + " back-pressure: mirror paused \\d+ times.*; kernel drops: vm \\d+"), secondary.node().statusLine());
        assertTrue(secondary.rewriter().stats().learnedOffsets() >= 3, "the SVM's ISNs differ from the PVM's: " + secondary.rewriter().stats());
    }

    /** With the comparator on the node's loop (the default) and on its own thread behind the Disruptor. */
    @ParameterizedTest(name = "compare on its own thread: {0}")
    @ValueSource(booleans = {false, true})
    void aReplicaThatAnswersDifferentlyCausesACheckpointAndTheClientGetsThePrimarysBytes(boolean compareThread) throws Exception {
        Path pvmDir = tmp.resolve("pvm-www");
        Path svmDir = tmp.resolve("svm-www");
        Path file = LabTopology.file(pvmDir, "data.bin", 300_000, 1);
        LabTopology.file(svmDir, "data.bin", 300_000, 2);
        net.httpServer(net.pvm, pvmDir);
        net.httpServer(net.svm, svmDir);
        startPair(new NodeTuning(java.time.Duration.ZERO, compareThread));
        assertEquals(sha256(file), curl("data.bin"));
        var ps = primary.node().stats();
        assertTrue(ps.divergences.get() >= 1, ps.line());
        assertTrue(ps.checkpointRequests.get() >= 1, ps.line());
        assertTrue(primary.coordinator().status().checkpoints() >= 2, "initial + on-demand: " + primary.coordinator().status());
        String status = primary.node().statusLine();
        assertTrue(status.contains("divergences: MISMATCH ") && status.contains("checkpoints asked: MISMATCH "), status);
    }

    /** An 8 MB file served by both replicas, the pair started, and curl 0.7 s into a rate-limited download of it. */
    private record Download(Path file, Path out, Process curl) {
    }

    private Download slowDownloadUnderWay(long seed) throws Exception {
        Path www = tmp.resolve("www");
        // Large enough that the client's receive buffer (up to ~6 MB) cannot take it all before the failure.
        Path file = LabTopology.file(www, "big.bin", 20_000_000, seed);
        net.httpServer(net.pvm, www);
        net.httpServer(net.svm, www);
        startPair();
        Path out = tmp.resolve("got-big.bin");
        Process curl = net.start(net.client, tmp.resolve("curl.log"), "curl", "-sS", "--max-time", "60", "--limit-rate", "4M",
                "-o" + out, "http://" + LabTopology.VM_IP + ":8000/big.bin");
        Thread.sleep(700);
        return new Download(file, out, curl);
    }

    @Test
    void whenTheSecondaryDiesMidTransferTheClientsTransferCompletes() throws Exception {
        Download d = slowDownloadUnderWay(3);
        secondary.close();
        assertEquals(0, d.curl.waitFor(), Files.readString(tmp.resolve("curl.log")));
        assertEquals(sha256(d.file), sha256(d.out));
        await(() -> primary.coordinator().state() == PrimaryState.UNPROTECTED, 10_000, "unprotected");
        assertTrue(primary.node().stats().released.get() > 0, primary.node().stats().line());
    }

    @Test
    void whenThePrimaryDiesTheSecondaryTakesOverAndTheClientsDownloadCompletes() throws Exception {
        // A port on the LAN bridge, as a switch sees it: the takeover must be announced there. Made first, so
        // that the primary dies as soon as the download is under way.
        dev.colo.proxy.io.FramePort lan = dev.colo.proxy.io.FramePorts.open(dev.colo.proxy.io.FramePortType.AFPACKET, net.addFeederPort(),
                dev.colo.proxy.io.PortOptions.defaults());
        Download d = slowDownloadUnderWay(4);
        primary.close(); // the primary's host dies: its ports and links vanish
        assertEquals(0, d.curl.waitFor(), "curl: " + Files.readString(tmp.resolve("curl.log")) + report());
        assertEquals(sha256(d.file), sha256(d.out), "the same connection finished against the SVM");
        assertTrue(secondary.node().promoted());
        try (lan) {
            assertTrue(sawGratuitousArp(lan, LabTopology.VM_IP, 3000), "no gratuitous ARP for the VM on the LAN after the takeover");
        }
        assertTrue(secondary.node().announced() >= 1, "announced " + secondary.node().announced());
        assertTrue(secondary.node().stats().released.get() > 100, report());
        assertTrue(secondary.rewriter().stats().rewrittenFromSecondary() > 100, report());
        // New connections are served by the former secondary too.
        assertEquals(sha256(d.file), curl("big.bin"));
    }

    @Test
    void malformedFramesAndGarbageOnTheLinksAreSurvived() throws Exception {
        Path www = tmp.resolve("www");
        Path file = LabTopology.file(www, "data.bin", 500_000, 5);
        net.httpServer(net.pvm, www);
        net.httpServer(net.svm, www);
        startPair();
        // A hostile peer on each link port: refused (one peer at a time), the real secondary keeps its links.
        for (java.net.InetSocketAddress at : new java.net.InetSocketAddress[] {primary.boundAddresses().mirror(), primary.boundAddresses().redirect()}) {
            try (java.net.Socket junk = new java.net.Socket(at.getAddress(), at.getPort())) {
                junk.getOutputStream().write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3});
                junk.getOutputStream().flush();
            } catch (java.io.IOException refused) {
                // closed by the server before or while we wrote: the point
            }
        }
        // Junk frames from the client's side: truncated IP, bad lengths, random bytes, all to the VM's MAC.
        String py = String.join("\n", "import socket, random", "random.seed(9)",
                "s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)", "s.bind(('v0', 0))",
                "dst = bytes.fromhex('" + LabTopology.VM_MAC.replace(":", "") + "')", "src = bytes.fromhex('020000990001')",
                "for i in range(300):",
                "    body = bytes(random.getrandbits(8) for _ in range(random.randrange(0, 200)))",
                "    kind = [b'\\x08\\x00', b'\\x86\\xdd', b'\\x08\\x06', b'\\x81\\x00'][i % 4]",
                "    s.send(dst + src + kind + body)");
        Files.writeString(tmp.resolve("junk.py"), py);
        long before = primary.node().stats().fromNetwork.get();
        long svmBefore = secondary.node().stats().toVm.get();
        net.ns(net.client, "python3", tmp.resolve("junk.py").toString());
        Thread.sleep(300);
        long junk = primary.node().stats().fromNetwork.get() - before;
        // Some junk never gets here: the host bridge's netfilter hook validates IP headers. The rest must.
        assertTrue(junk >= 100, "the junk reached the primary node: " + junk + report());
        await(() -> secondary.node().stats().toVm.get() - svmBefore >= junk, 5000, "the junk mirrored into the SVM" + report());
        assertEquals(sha256(file), curl("data.bin"), "valid traffic still flows");
        assertEquals(0, primary.node().stats().divergences.get(), report());
        assertEquals(PrimaryState.PROTECTED, primary.coordinator().state(), report());
    }

    /** Both nodes' counters and the last few protocol events, for failure messages. */
    private String report() {
        int from = Math.max(0, events.size() - 8);
        return "\nprimary: " + primary.node().stats().line() + "\nsecondary: " + secondary.node().stats().line()
                + "\nrewriter: " + secondary.rewriter().stats() + "\nfirst divergences: " + divergences + "\nlast events: " + events.subList(from, events.size());
    }

    static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    /** Whether an ARP request from {@code ip} for itself (a gratuitous ARP) passes the port within {@code ms}. */
    private static boolean sawGratuitousArp(dev.colo.proxy.io.FramePort port, String ip, long ms) throws Exception {
        int want = java.nio.ByteBuffer.wrap(java.net.InetAddress.getByName(ip).getAddress()).getInt();
        java.nio.ByteBuffer f = java.nio.ByteBuffer.allocateDirect(2048);
        long deadline = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < deadline) {
            f.clear();
            if (port.receive(f) <= 0) {
                port.awaitFrame(50);
                continue;
            }
            f.flip();
            if (f.remaining() >= 42 && (f.getShort(12) & 0xffff) == 0x0806 && f.getShort(20) == 1
                    && f.getInt(28) == want && f.getInt(38) == want) {
                return true;
            }
        }
        return false;
    }

    static void await(BooleanSupplier c, long ms, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + ms;
        while (!c.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
