package dev.colo.cli.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.colo.checkpoint.CoordinatorListener;
import dev.colo.checkpoint.PrimaryState;
import dev.colo.cli.lab.LabPair;
import dev.colo.lab.LabTopology;
import dev.colo.lab.Shell;
import dev.colo.compare.CompareStats;
import dev.colo.compare.DecisionListener;
import dev.colo.compare.pipeline.CompareStage;
import dev.colo.proxy.io.FramePort;
import dev.colo.proxy.io.FramePortType;
import dev.colo.proxy.io.FramePorts;
import dev.colo.proxy.io.PortOptions;
import dev.colo.proxy.node.NodeStats;
import dev.colo.proxy.node.PrimaryNode;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A primary and a secondary node at full rate, with real Linux kernels as the replicas (the {@link LabTopology}'s PVM and
 * SVM namespaces, same IP and MAC, behind a {@link LabPair}). The test injects ICMP echo requests as raw Ethernet frames
 * from the client's MAC and IP on a feeder port (a veth on the lab bridge), as fast as the port takes them, and reads the
 * released echo replies on the same port. Two kernels answer an echo request byte-identically but for the IP ID and the
 * checksums, which the comparator ignores, and Linux does not rate-limit echo replies.
 *
 * <p>Kernel queues outside the appliance may drop (a full NIC ring does), so not every request need come back. What
 * the appliance promises is checked on its counters: no divergence, nothing lost or left held by the comparator, every
 * frame read from the network mirrored and given to the PVM (or counted as dropped at the input, never half-given),
 * nothing dropped on the links or toward the replicas, and what was released reached the client but for the kernel
 * drops counted on the client's side. Replies that reach the client: none twice, in order per echo id, each with its
 * request's payload. No timing is asserted (see bench/); the rate reached is printed.
 */
@Timeout(300)
class NodeLoadTest {
    /** Echo ids used as flows; each id's sequence numbers go 1, 2, ... without wrapping. */
    private static final int FLOWS = 64;
    private static final int FIRST_ID = 0x4c00;
    /** An id of its own for the warm-up echoes (bridge learning, the path answers). */
    private static final int WARMUP_ID = 0x4bff;
    private static final int MIN_PAYLOAD = 18;
    private static final int MAX_PAYLOAD = 1400;
    private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(3);

    private LabTopology net;
    private LabPair pair;
    private final List<String> divergences = new CopyOnWriteArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    /** Every log record of the appliance (INFO and up) during a test: reports, not floods. */
    private final java.util.concurrent.atomic.AtomicLong logRecords = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.logging.Handler countLogs = new java.util.logging.Handler() {
        @Override
        public void publish(java.util.logging.LogRecord r) {
            if (r.getLevel().intValue() >= java.util.logging.Level.INFO.intValue()) {
                logRecords.incrementAndGet();
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void topology() throws Exception {
        assumeTrue(isRoot(), "needs root (network namespaces, veths, AF_PACKET sockets): skipped");
        assumeTrue(LabTopology.available(), "ip, ethtool, curl, python3 or tcpdump missing: skipped");
        net = new LabTopology();
        java.util.logging.Logger.getLogger("dev.colo").addHandler(countLogs);
    }

    @AfterEach
    void teardown() throws Exception {
        java.util.logging.Logger.getLogger("dev.colo").removeHandler(countLogs);
        try {
            if (pair != null) {
                pair.close();
            }
        } finally {
            if (net != null) {
                net.close();
            }
        }
    }

    private static boolean isRoot() {
        try {
            return Shell.run(false, "id", "-u").output().trim().equals("0");
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void aMillionEchoRequestsThroughBothNodesLoseNothingInsideTheAppliance() throws Exception {
        Outcome o = run(Integer.getInteger("colo.load.frames", 1_000_000), 0);
        o.assertAppliance();
    }

    @Test
    void aSlowClientReaderDoesNotMakeTheApplianceLoseAnything() throws Exception {
        // The client reads 64 frames, then sleeps 1 ms, for its first 3 s: its port's ring fills and the kernel drops there.
        Outcome o = run(Integer.getInteger("colo.load.slowFrames", 300_000), 3000);
        o.assertAppliance();
    }

    private void startPair() throws Exception {
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
        }, log);
    }

    private Outcome run(int frames, long slowMillis) throws Exception {
        assertTrue(frames / FLOWS < 65_000, "sequence numbers must not wrap: at most " + 65_000 * FLOWS + " frames");
        String feeder = net.addFeederPort();
        startPair();
        FramePort port = FramePorts.open(FramePortType.AFPACKET, feeder, PortOptions.defaults());
        Receiver rx = new Receiver(port, frames, slowMillis);
        Thread rxThread = new Thread(rx, "load-client-rx");
        rxThread.setDaemon(true);
        rxThread.start();
        try {
            ByteBuffer out = ByteBuffer.allocateDirect(2048);
            byte[] scratch = new byte[2048];
            // Warm-up: the bridge learns where the client and the VM are, and the whole path answers once.
            for (int w = 1; rx.warmup == 0; w++) {
                assertTrue(w <= 100, "no echo reply came back through the pair within 10 s\nprimary: "
                        + pair.primary.node().statusLine() + "\nsecondary: " + pair.secondary.node().statusLine() + "\nevents: " + events);
                out.clear();
                out.put(scratch, 0, echoRequest(scratch, WARMUP_ID, w, w, payloadLength(w))).flip();
                port.send(out);
                Thread.sleep(100);
            }
            Thread.sleep(300); // a late warm-up echo in flight
            NodeStats ps = pair.primary.node().stats();
            Counters before = new Counters(ps, pair.secondary.node().stats());
            long t0 = System.nanoTime();
            long sendRetries = 0;
            for (int i = 0; i < frames; i++) {
                out.clear();
                out.put(scratch, 0, echoRequest(scratch, FIRST_ID + i % FLOWS, i / FLOWS + 1, i, payloadLength(i))).flip();
                while (!port.send(out)) {
                    sendRetries++;
                    Thread.onSpinWait();
                }
            }
            long sendNanos = System.nanoTime() - t0;
            // Bounded: after the last request, wait until no reply came for 3 s.
            while (System.nanoTime() - Math.max(rx.lastReplyNanos, t0 + sendNanos) < QUIET_NANOS) {
                Thread.sleep(50);
            }
            long replyNanos = rx.lastReplyNanos - t0;
            // The comparator's own timeouts (3 s) have had their time too; let the counters settle.
            CompareStats cs = compareStats(pair.primary.node());
            long deadline = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < deadline && (cs.heldPrimary() > 0
                    || pair.secondary.node().stats().fromPeer.get() < ps.mirrored.get()
                    || ps.fromPeer.get() < pair.secondary.node().stats().redirected.get())) {
                Thread.sleep(50);
            }
            rx.stop = true;
            rxThread.join(5000);
            // Stray frames (the client's own chatter) may be on the mirror link at the instant of a snapshot:
            // take it again until both ends of every link agree, or give up after 2 s and report what differs.
            Outcome o = new Outcome(frames, sendNanos, replyNanos, sendRetries, rx, port.kernelDrops(), cs, pathDrops(feeder), before);
            for (int i = 0; i < 40 && !o.linksAgree(); i++) {
                Thread.sleep(50);
                o = new Outcome(frames, sendNanos, replyNanos, sendRetries, rx, port.kernelDrops(), cs, pathDrops(feeder), before);
            }
            System.out.println(o.report());
            return o;
        } finally {
            rx.stop = true;
            rxThread.join(5000);
            port.close();
        }
    }

    /** rx_dropped and tx_dropped of the root-namespace devices frames pass between the client and the nodes. */
    private Map<String, Long> pathDrops(String feeder) throws Exception {
        Map<String, Long> drops = new LinkedHashMap<>();
        for (String dev : new String[] {feeder, feeder + "b", net.bridge, net.primaryNet, net.primaryNet + "b", net.primaryVm, net.secondaryVm}) {
            long n = 0;
            for (String c : new String[] {"rx_dropped", "tx_dropped"}) {
                Path p = Path.of("/sys/class/net", dev, "statistics", c);
                if (Files.exists(p)) {
                    n += Long.parseLong(Files.readString(p).trim());
                }
            }
            drops.put(dev, n);
        }
        return drops;
    }

    /** The comparator's counters: through an accessor if the node has one, else from its compare stage. */
    static CompareStats compareStats(PrimaryNode node) throws Exception {
        for (String name : new String[] {"compareStats", "comparatorStats"}) {
            try {
                return (CompareStats) PrimaryNode.class.getMethod(name).invoke(node);
            } catch (NoSuchMethodException absent) {
                // older node: read the stage
            }
        }
        var f = PrimaryNode.class.getDeclaredField("compare");
        f.setAccessible(true);
        return ((CompareStage) f.get(node)).comparator().stats();
    }

    /** A NodeStats counter that a node version may not have yet: -1 when absent. */
    static long optional(NodeStats s, String counter) {
        try {
            return ((java.util.concurrent.atomic.AtomicLong) NodeStats.class.getField(counter).get(s)).get();
        } catch (ReflectiveOperationException absent) {
            return -1;
        }
    }

    // ---- frames ----

    private static final byte[] CLIENT_MAC = mac(LabTopology.CLIENT_MAC);
    private static final byte[] VM_MAC = mac(LabTopology.VM_MAC);
    private static final int CLIENT_IP = ip(LabTopology.CLIENT_IP);
    private static final int VM_IP = ip(LabTopology.VM_IP);

    private static byte[] mac(String s) {
        byte[] b = new byte[6];
        String[] parts = s.split(":");
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return b;
    }

    private static int ip(String s) {
        int v = 0;
        for (String part : s.split("\\.")) {
            v = v << 8 | Integer.parseInt(part);
        }
        return v;
    }

    private static long mix(long x) {
        x += 0x9E3779B97F4A7C15L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }

    /** Mixed sizes: a quarter smallest, a quarter largest, the rest anywhere between. */
    static int payloadLength(long i) {
        long m = mix(i);
        return switch ((int) (m & 3)) {
            case 0 -> MIN_PAYLOAD;
            case 1 -> MAX_PAYLOAD;
            default -> MIN_PAYLOAD + (int) Long.remainderUnsigned(m >>> 2, MAX_PAYLOAD - MIN_PAYLOAD + 1);
        };
    }

    /** Payload byte k of frame i: the index first (8 bytes), then a pattern seeded by it. */
    static byte payloadByte(long i, int k) {
        if (k < 8) {
            return (byte) (i >>> (56 - 8 * k));
        }
        return (byte) ((int) (mix(i) >>> 40) + k * 131);
    }

    private static void u16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    private static void u32(byte[] b, int at, int v) {
        u16(b, at, v >>> 16);
        u16(b, at + 2, v);
    }

    private static int u16(ByteBuffer b, int at) {
        return b.getShort(at) & 0xffff;
    }

    private static int checksum(byte[] b, int at, int length) {
        long sum = 0;
        int end = at + length - 1;
        for (int k = at; k < end; k += 2) {
            sum += (b[k] & 0xff) << 8 | (b[k + 1] & 0xff);
        }
        if ((length & 1) != 0) {
            sum += (b[at + length - 1] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /** An echo request from the client to the VM into {@code b}: valid IP and ICMP checksums; returns its length. */
    static int echoRequest(byte[] b, int id, int seq, long i, int payload) {
        System.arraycopy(VM_MAC, 0, b, 0, 6);
        System.arraycopy(CLIENT_MAC, 0, b, 6, 6);
        u16(b, 12, 0x0800);
        int ip = 14;
        b[ip] = 0x45;
        b[ip + 1] = 0;
        u16(b, ip + 2, 20 + 8 + payload);
        u16(b, ip + 4, (int) i);
        u16(b, ip + 6, 0x4000);
        b[ip + 8] = 64;
        b[ip + 9] = 1;
        u16(b, ip + 10, 0);
        u32(b, ip + 12, CLIENT_IP);
        u32(b, ip + 16, VM_IP);
        u16(b, ip + 10, checksum(b, ip, 20));
        int icmp = ip + 20;
        b[icmp] = 8;
        b[icmp + 1] = 0;
        u16(b, icmp + 2, 0);
        u16(b, icmp + 4, id);
        u16(b, icmp + 6, seq);
        for (int k = 0; k < payload; k++) {
            b[icmp + 8 + k] = payloadByte(i, k);
        }
        u16(b, icmp + 2, checksum(b, icmp, 8 + payload));
        return icmp + 8 + payload;
    }

    // ---- the client's side ----

    /** Reads the client's port: every frame the appliance released toward the client, and checks the echo replies. */
    static final class Receiver implements Runnable {
        private final FramePort port;
        private final int frames;
        private final long slowNanos;
        volatile boolean stop;
        volatile long lastReplyNanos;
        volatile long warmup;
        volatile Throwable failed;
        long all;
        /** Frames from the VM's MAC: what the appliance released (the bridge may flood others' multicast here too). */
        long fromVm;
        long replies;
        long duplicates;
        long reorders;
        long corrupt;
        long unknown;
        long other;
        long slowSleeps;
        final BitSet seen = new BitSet();
        final int[] lastSeq = new int[FLOWS];
        final List<String> problems = new ArrayList<>();

        Receiver(FramePort port, int frames, long slowMillis) {
            this.port = port;
            this.frames = frames;
            this.slowNanos = TimeUnit.MILLISECONDS.toNanos(slowMillis);
        }

        @Override
        public void run() {
            ByteBuffer buf = ByteBuffer.allocateDirect(FramePorts.MAX_FRAME);
            long slowFrom = 0;
            try {
                while (!stop) {
                    buf.clear();
                    int n = port.receive(buf);
                    if (n == 0) {
                        port.awaitFrame(20);
                        continue;
                    }
                    all++;
                    if (buf.get(6) == VM_MAC[0] && buf.get(7) == VM_MAC[1] && buf.get(8) == VM_MAC[2] && buf.get(9) == VM_MAC[3]
                            && buf.get(10) == VM_MAC[4] && buf.get(11) == VM_MAC[5]) {
                        fromVm++;
                    }
                    if (check(buf, n)) {
                        lastReplyNanos = System.nanoTime();
                        if (slowNanos > 0) {
                            if (slowFrom == 0) {
                                slowFrom = lastReplyNanos;
                            }
                            if (lastReplyNanos - slowFrom < slowNanos && replies % 64 == 0) {
                                slowSleeps++;
                                Thread.sleep(1);
                            }
                        }
                    }
                }
            } catch (Throwable t) {
                failed = t;
            }
        }

        private void problem(String what) {
            if (problems.size() < 5) {
                problems.add(what);
            }
        }

        /** True for an echo reply of the load. */
        private boolean check(ByteBuffer b, int n) {
            if (n < 42 || u16(b, 12) != 0x0800 || (b.get(14) & 0xff) != 0x45 || b.get(23) != 1 || b.get(34) != 0
                    || b.getInt(26) != VM_IP || b.getInt(30) != CLIENT_IP) {
                other++;
                return false;
            }
            int id = u16(b, 38);
            int seq = u16(b, 40);
            if (id == WARMUP_ID) {
                warmup++;
                return false;
            }
            int flow = id - FIRST_ID;
            if (flow < 0 || flow >= FLOWS || seq < 1) {
                unknown++;
                problem("unknown echo id " + id + " seq " + seq);
                return false;
            }
            long i = (long) (seq - 1) * FLOWS + flow;
            if (i >= frames) {
                unknown++;
                problem("unknown echo id " + id + " seq " + seq);
                return true;
            }
            replies++;
            if (seen.get((int) i)) {
                duplicates++;
                problem("duplicate reply id " + id + " seq " + seq);
            }
            seen.set((int) i);
            if (seq <= lastSeq[flow]) {
                reorders++;
                problem("id " + id + ": seq " + seq + " after " + lastSeq[flow]);
            } else {
                lastSeq[flow] = seq;
            }
            int payload = u16(b, 16) - 28;
            boolean same = payload == payloadLength(i) && n >= 42 + payload
                    && b.get(0) == CLIENT_MAC[0] && b.get(5) == CLIENT_MAC[5];
            for (int k = 0; same && k < payload; k++) {
                same = b.get(42 + k) == payloadByte(i, k);
            }
            if (!same) {
                corrupt++;
                problem("id " + id + " seq " + seq + ": payload of " + payload + " B differs from the request's " + payloadLength(i) + " B");
            }
            return true;
        }
    }

    // ---- the verdict ----

    private static void expect(List<String> failed, Object expected, Object actual, String what) {
        if (!java.util.Objects.equals(expected, actual)) {
            failed.add(what + ": expected " + expected + ", was " + actual);
        }
    }

    private static void expect(List<String> failed, long expected, long actual, String what) {
        if (expected != actual) {
            failed.add(what + ": expected " + expected + ", was " + actual);
        }
    }

    private static void expectTrue(List<String> failed, boolean ok, String what) {
        if (!ok) {
            failed.add(what);
        }
    }

    /** The counters the invariants are checked on, once the pair is protected and answering (earlier frames are not mirrored). */
    record Counters(long fromNetwork, long networkDropped, long mirrored, long toVm, long peerIn, long secondaryPeerIn, long secondaryToVm,
                    long redirected) {
        Counters(NodeStats p, NodeStats s) {
            this(p.fromNetwork.get(), Math.max(0, optional(p, "networkDropped")), p.mirrored.get(), p.toVm.get(), p.fromPeer.get(),
                    s.fromPeer.get(), s.toVm.get(), s.redirected.get());
        }

        Counters minus(Counters o) {
            return new Counters(fromNetwork - o.fromNetwork, networkDropped - o.networkDropped, mirrored - o.mirrored, toVm - o.toVm,
                    peerIn - o.peerIn, secondaryPeerIn - o.secondaryPeerIn, secondaryToVm - o.secondaryToVm, redirected - o.redirected);
        }
    }

    /** The last events, from a snapshot: the nodes may still add some while a report is written. */
    private List<String> lastEvents(int n) {
        List<String> snapshot = List.copyOf(events);
        return snapshot.subList(Math.max(0, snapshot.size() - n), snapshot.size());
    }

    private final class Outcome {
        final int frames;
        final long sendNanos;
        final long replyNanos;
        final long sendRetries;
        final Receiver rx;
        final long clientDrops;
        final CompareStats cs;
        final Map<String, Long> pathDrops;
        final NodeStats ps;
        final NodeStats ss;
        final String primaryStatus;
        final String secondaryStatus;
        /** Counter changes during the load. */
        final Counters d;

        Outcome(int frames, long sendNanos, long replyNanos, long sendRetries, Receiver rx, long clientDrops, CompareStats cs,
                Map<String, Long> pathDrops, Counters before) {
            this.frames = frames;
            this.sendNanos = sendNanos;
            this.replyNanos = replyNanos;
            this.sendRetries = sendRetries;
            this.rx = rx;
            this.clientDrops = clientDrops;
            this.cs = cs;
            this.pathDrops = pathDrops;
            this.ps = pair.primary.node().stats();
            this.ss = pair.secondary.node().stats();
            this.primaryStatus = pair.primary.node().statusLine();
            this.secondaryStatus = pair.secondary.node().statusLine();
            this.d = new Counters(ps, ss).minus(before);
        }

        long pathDropTotal() {
            return pathDrops.values().stream().mapToLong(Long::longValue).sum();
        }

        String report() {
            double s = sendNanos / 1e9;
            return String.format("NodeLoadTest: sent %,d echo requests in %.2f s (%,.0f frames/s, %,d send retries); %,d replies"
                            + " (%,d frames on the client port, %,d of them from the VM, %,d warm-up, %,d other) in %.2f s (%,.0f replies/s); duplicates %d,"
                            + " reorders %d, corrupt %d, unknown %d; slow-reader sleeps %d%n"
                            + "  kernel drops: client port %d, path devices %s%n"
                            + "  comparator: primary frames %,d, secondary frames %,d, released %,d (compared %,d, flushed %,d), lost %d,"
                            + " held %d, divergences %s, checkpoints %s%n"
                            + "  during the load: %s%n  primary:   %s%n  secondary: %s%n  coordinator: %s; first divergences %s; last events %s",
                    frames, s, frames / s, sendRetries, rx.replies, rx.all, rx.fromVm, rx.warmup, rx.other, replyNanos / 1e9,
                    rx.replies / (replyNanos / 1e9), rx.duplicates, rx.reorders, rx.corrupt, rx.unknown, rx.slowSleeps, clientDrops,
                    pathDrops, cs.get(CompareStats.FRAMES_PRIMARY), cs.get(CompareStats.FRAMES_SECONDARY), cs.released(),
                    cs.get(CompareStats.RELEASED_COMPARED), cs.get(CompareStats.RELEASED_FLUSHED), cs.get(CompareStats.LOST),
                    cs.heldPrimary(), cs.divergencesByReason(), cs.checkpointsByReason(), d, primaryStatus, secondaryStatus,
                    pair.primary.coordinator().status(), divergences, lastEvents(6));
        }

        /** Every frame sent on the mirror and redirect links has arrived at their other ends. */
        boolean linksAgree() {
            return d.mirrored() == d.secondaryPeerIn() && d.redirected() == d.peerIn();
        }

        void assertAppliance() {
            List<String> failed = new ArrayList<>();
            // A line per episode or transition, never per frame: a million frames make a few hundred lines at most.
            expectTrue(failed, logRecords.get() < 1000, "log bounded: " + logRecords.get() + " records at INFO and up");
            expect(failed, null, rx.failed, "the client's receiver failed");
            expectTrue(failed, rx.replies > 0, "no reply");
            // What reached the client: once, in order per echo id, unchanged.
            expect(failed, 0, rx.duplicates, "duplicate replies " + rx.problems);
            expect(failed, 0, rx.reorders, "replies out of order " + rx.problems);
            expect(failed, 0, rx.corrupt, "replies whose payload is not the request's " + rx.problems);
            expect(failed, 0, rx.unknown, "replies to no request " + rx.problems);
            // The comparator: nothing lost, nothing left held. At this rate the replicas' own kernels drop
            // requests (veth backlogs), each its own, so their outputs can really differ: such divergences
            // (MISMATCH, TIMEOUT) are checkpointed, never caused by the appliance's own limits.
            expect(failed, 0, cs.divergences(dev.colo.compare.CheckpointReason.STORE_FULL), "STORE_FULL divergences");
            expect(failed, 0, cs.divergences(dev.colo.compare.CheckpointReason.QUEUE_FULL), "QUEUE_FULL divergences");
            expect(failed, 0, cs.divergences(dev.colo.compare.CheckpointReason.OVERSIZE_FRAME), "OVERSIZE_FRAME divergences");
            expect(failed, 0, cs.get(CompareStats.LOST), "comparator LOST");
            expect(failed, 0, cs.heldPrimary(), "frames still held");
            expect(failed, PrimaryState.PROTECTED, pair.primary.coordinator().state(), "coordinator state");
            // The primary: every frame read from the network mirrored and given to the PVM, or given to neither.
            expect(failed, 0, ps.mirrorDropped.get(), "mirrorDropped");
            expect(failed, 0, ps.toVmDropped.get(), "toVmDropped");
            expectTrue(failed, d.fromNetwork() >= rx.replies, "the primary read fewer frames than were answered");
            expect(failed, d.fromNetwork(), d.mirrored() + d.networkDropped(), "fromNetwork == mirrored (+ networkDropped) during the load");
            expect(failed, d.mirrored(), d.toVm(), "mirrored == toVm during the load");
            expect(failed, 0, ps.releaseDropped.get(), "releaseDropped");
            expect(failed, 0, ps.releasedUnprotected.get(), "released unprotected");
            // The secondary: every mirrored frame reached the SVM, all its output reached the primary.
            expect(failed, d.mirrored(), d.secondaryPeerIn(), "mirrored == the secondary's peer in, during the load");
            expect(failed, d.secondaryPeerIn(), d.secondaryToVm(), "the secondary gave the SVM every mirrored frame");
            expect(failed, 0, ss.toVmDropped.get(), "secondary toVmDropped");
            expect(failed, 0, ss.redirectDropped.get(), "redirectDropped");
            expect(failed, 0, ss.releaseDropped.get(), "secondary releaseDropped");
            expect(failed, d.redirected(), d.peerIn(), "redirected == the primary's peer in, during the load");
            // Released reached the client, but for what the kernel dropped on the way and at the client's port.
            long released = ps.released.get();
            expectTrue(failed, rx.fromVm <= released, "the client got more frames than were released");
            expectTrue(failed, released - rx.fromVm <= Math.max(0, clientDrops) + pathDropTotal(),
                    "released " + released + " but the client got " + rx.fromVm + " with " + clientDrops + " drops at its port and "
                            + pathDropTotal() + " on the path");
            assertTrue(failed.isEmpty(), failed.size() + " failed:\n  " + String.join("\n  ", failed) + "\n" + report());
        }
    }
}
