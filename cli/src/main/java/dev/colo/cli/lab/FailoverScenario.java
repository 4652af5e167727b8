package dev.colo.cli.lab;

import dev.colo.cli.demo.ColoProcesses;
import dev.colo.cli.demo.PingProbe;
import dev.colo.lab.FailoverLab;
import dev.colo.lab.LabTopology;
import dev.colo.lab.Shell;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One failover scenario on a fresh {@link FailoverLab}, shared by the failover matrix test and the failover bench:
 * starts `colo witness` (unless the arbiter is {@code always}), `colo primary` and `colo secondary` as processes in
 * their own host namespaces with an echo service (socat) on both replicas; the client ({@link SessionProbe}: one TCP
 * session, a request every 10 ms, every reply checked) and a 10 ms ping in the client namespace; tcpdump on the LAN
 * side of both nodes' ports; both nodes' released counters from their control sockets. Then applies the fault, waits
 * for the takeover (or long enough to be sure there is none), and measures ({@link FailoverRun}). Everything it made is
 * removed whatever happens; the logs stay in the given directory.
 */
public final class FailoverScenario {
    public static final String ARBITER_WITNESS = "witness";
    public static final String ARBITER_ALWAYS = "always";
    private static final int ECHO_PORT = 7000;
    private static final int WITNESS_PORT = 7478;
    /** Without a takeover: how long to watch after the fault (the lease is 250 ms, kept 1.5 x by the witness). */
    private static final long NO_TAKEOVER_WATCH_MILLIS = 1200;
    /** A frozen primary is resumed so long after the takeover, then watched as long again. */
    private static final long FROZEN_RESUME_AFTER_MILLIS = 300;
    private static final long RESUMED_WATCH_MILLIS = 1000;
    /** Steady traffic before the fault, and again after the recovery. */
    private static final long STEADY_MILLIS = 600;
    private static final Pattern LOG_TIME = Pattern.compile("^(\\d{13}) ");
    private static final Pattern REPORT = Pattern.compile(
            "report sent=(\\d+) received=(\\d+) bad=(\\d+) error=(\\S+) gaps=(\\S*)");

    private final Fault fault;
    private final String arbiter;
    private final Path logDir;
    private final String labId;
    /** Extra options for both nodes (failover timing, say: --lease 120ms ...). */
    private List<String> nodeArgs = List.of();

    /**
     * @param arbiter {@link #ARBITER_WITNESS} or {@link #ARBITER_ALWAYS}
     * @param labId   the lab's id (null: one made of this JVM's pid)
     */
    public FailoverScenario(Fault fault, String arbiter, Path logDir, String labId) {
        if (!arbiter.equals(ARBITER_WITNESS) && !arbiter.equals(ARBITER_ALWAYS)) {
            throw new IllegalArgumentException("arbiter is witness or always, got " + arbiter);
        }
        if (arbiter.equals(ARBITER_ALWAYS) && (fault == Fault.WITNESS_KILLED || fault.name().contains("WITNESS"))) {
            throw new IllegalArgumentException(fault.label + " needs the witness");
        }
        this.fault = fault;
        this.arbiter = arbiter;
        this.logDir = logDir;
        this.labId = labId;
    }

    /** Gives both nodes these extra options (e.g. failover timing); returns this. */
    public FailoverScenario nodeArgs(List<String> args) {
        nodeArgs = List.copyOf(args);
        return this;
    }

    /** Why this machine cannot run a scenario, or null. */
    public static String missing() {
        return FailoverLab.missing();
    }

    public FailoverRun run() throws IOException, InterruptedException {
        Files.createDirectories(logDir);
        try (FailoverLab lab = labId == null ? new FailoverLab() : new FailoverLab(labId);
             ColoProcesses colo = new ColoProcesses(logDir);
             Running r = new Running(lab, colo)) {
            return r.run();
        }
    }

    /** The processes and probes of one run; closing stops them all. */
    private final class Running implements AutoCloseable {
        private final FailoverLab lab;
        private final ColoProcesses colo;
        private final List<Process> helpers = new ArrayList<>();
        private final BlockingQueue<String> probeLines = new LinkedBlockingQueue<>();
        private ReleaseCapture primaryCapture;
        private ReleaseCapture secondaryCapture;
        private ReleaseSampler primarySampler;
        private ReleaseSampler secondarySampler;
        private Process probe;

        Running(FailoverLab lab, ColoProcesses colo) {
            this.lab = lab;
            this.colo = colo;
        }

        FailoverRun run() throws IOException, InterruptedException {
            startNodes();
            awaitInSync(30_000);
            primaryCapture = ReleaseCapture.start(lab.primaryLanBridgeEnd, LabTopology.VM_MAC, logDir.resolve("primary-lan.pcap"));
            secondaryCapture = ReleaseCapture.start(lab.secondaryLanBridgeEnd, LabTopology.VM_MAC, logDir.resolve("secondary-lan.pcap"));
            startClient();
            primarySampler = new ReleaseSampler("primary", socket("primary"));
            secondarySampler = new ReleaseSampler("secondary", socket("secondary"));
            Thread.sleep(STEADY_MILLIS); // steady traffic, protected, before the fault
            awaitInSync(10_000);
            long faultAt = System.currentTimeMillis();
            applyFault();
            command("connect");
            boolean promoted = fault.takeover || arbiter.equals(ARBITER_ALWAYS)
                    ? colo.awaitLog("secondary", "-> PROMOTED", 15_000) : false;
            if (!promoted) {
                Thread.sleep(Math.max(0, faultAt + NO_TAKEOVER_WATCH_MILLIS - System.currentTimeMillis()));
                promoted = colo.logText("secondary").contains("-> PROMOTED");
            }
            long resumedAt = -1;
            if (fault == Fault.FROZEN) {
                Thread.sleep(FROZEN_RESUME_AFTER_MILLIS);
                resumedAt = System.currentTimeMillis();
                signal("primary", "CONT");
                Thread.sleep(RESUMED_WATCH_MILLIS);
            }
            String newconn = probeLine("newconn ", 15_000);
            Thread.sleep(STEADY_MILLIS); // the session runs on after the recovery
            long endAt = System.currentTimeMillis();
            command("stop");
            String report = probeLine("report ", 15_000);
            Thread.sleep(200); // a few more ping replies

            Boolean fenced = oldPrimaryFenced();
            primarySampler.close();
            secondarySampler.close();
            primaryCapture.stop();
            secondaryCapture.stop();
            return measure(faultAt, endAt, resumedAt, promoted, newconn, report, fenced);
        }

        private void startNodes() throws IOException, InterruptedException {
            for (String replica : new String[] {lab.pvm, lab.svm}) {
                helpers.add(new ProcessBuilder(FailoverLab.inside(replica, List.of("socat", "TCP-LISTEN:" + ECHO_PORT + ",bind="
                        + LabTopology.VM_IP + ",reuseaddr,fork", "PIPE"))).redirectErrorStream(true)
                        .redirectOutput(logDir.resolve("echo-" + replica + ".log").toFile()).start());
            }
            String primaryArbiter = ARBITER_ALWAYS;
            String secondaryArbiter = ARBITER_ALWAYS;
            if (arbiter.equals(ARBITER_WITNESS)) {
                node("witness", lab.witnessHost, List.of("witness", "--listen", "0.0.0.0:" + WITNESS_PORT));
                primaryArbiter = "witness:" + FailoverLab.WITNESS_IP_FOR_PRIMARY + ":" + WITNESS_PORT;
                secondaryArbiter = "witness:" + FailoverLab.WITNESS_IP_FOR_SECONDARY + ":" + WITNESS_PORT;
            }
            // All at once: the primary holds its output until the witness confirms its lease, the secondary retries its
            // links until the primary listens.
            node("primary", lab.primaryHost, List.of("primary", "--net-port", "afpacket:" + FailoverLab.LAN, "--vm", "external",
                    "--vm-port", "afpacket:" + FailoverLab.VM, "--listen", FailoverLab.PRIMARY_PEER_IP, "--node-id", "pvm-node",
                    "--arbiter", primaryArbiter, "--stats-interval", "1", "--control", socket("primary").toString()));
            node("secondary", lab.secondaryHost, List.of("secondary", "--primary", FailoverLab.PRIMARY_PEER_IP, "--net-port",
                    "afpacket:" + FailoverLab.LAN, "--vm", "external", "--vm-port", "afpacket:" + FailoverLab.VM, "--node-id", "svm-node",
                    "--arbiter", secondaryArbiter, "--stats-interval", "1", "--control", socket("secondary").toString()));
            await("primary", "-> PROTECTED", 60_000);
            for (String replica : new String[] {lab.pvm, lab.svm}) {
                awaitListening(replica);
            }
        }

        private void node(String name, String ns, List<String> args) throws IOException {
            if (!name.equals("witness")) {
                args = new java.util.ArrayList<>(args);
                args.addAll(nodeArgs);
            }
            colo.start(name, FailoverLab.inside(ns, List.of()), List.of(ColoProcesses.MILLIS_LOG_FORMAT), "dev.colo.cli.Main", args, true);
        }

        private void await(String name, String text, long millis) throws IOException, InterruptedException {
            if (!colo.awaitLog(name, text, millis)) {
                throw new IOException("colo " + name + " did not log '" + text + "' within " + millis + " ms:\n" + colo.tail(name, 30));
            }
        }

        private void awaitListening(String replica) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Shell.run(false, "ip", "netns", "exec", replica, "sh", "-c", "ss -ltnH | grep -q ':" + ECHO_PORT + "'").exit() != 0) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("the echo service in " + replica + " did not listen within 10 s");
                }
                Thread.sleep(50);
            }
        }

        /**
         * Waits until the primary says PROTECTED (its lease confirmed) and the secondary RUNNING, five answers in a row:
         * on two busy cores a pair can reach PROTECTED once at start and lose it again (heartbeats missed while three
         * JVMs start), and a fault applied to a pair out of sync tests nothing.
         */
        private void awaitInSync(long millis) throws IOException, InterruptedException {
            long deadline = System.currentTimeMillis() + millis;
            int inARow = 0;
            while (inARow < 5) {
                ReleaseSampler.Sample p = ReleaseSampler.ask(socket("primary"));
                ReleaseSampler.Sample s = ReleaseSampler.ask(socket("secondary"));
                boolean inSync = p != null && s != null && p.state().equals("PROTECTED") && !p.fenced() && s.state().equals("RUNNING");
                inARow = inSync ? inARow + 1 : 0;
                if (!inSync && System.currentTimeMillis() > deadline) {
                    throw new IOException("the pair was not in sync within " + millis + " ms (primary " + (p == null ? "silent" : p.state())
                            + ", secondary " + (s == null ? "silent" : s.state()) + "):\n" + colo.tail("primary", 15) + "\n" + colo.tail("secondary", 15));
                }
                Thread.sleep(50);
            }
        }

        private Path socket(String name) {
            return logDir.resolve(name + ".sock");
        }

        private void startClient() throws IOException, InterruptedException {
            helpers.add(new ProcessBuilder(FailoverLab.inside(lab.client, List.of("ping", "-D", "-n", "-i", "0.01", LabTopology.VM_IP)))
                    .redirectErrorStream(true).redirectOutput(logDir.resolve("ping.log").toFile()).start());
            probe = colo.start("probe", FailoverLab.inside(lab.client, List.of()), List.of("-Xmx64m"), SessionProbe.class.getName(),
                    List.of(LabTopology.VM_IP, Integer.toString(ECHO_PORT)), false);
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(probe.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        probeLines.add(line);
                    }
                } catch (IOException e) {
                    // the probe ended
                }
            }, "probe-lines");
            reader.setDaemon(true);
            reader.start();
            probeLine("ready", 15_000);
        }

        private void command(String line) throws IOException {
            OutputStream os = probe.getOutputStream();
            os.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            os.flush();
        }

        private String probeLine(String prefix, long millis) throws IOException, InterruptedException {
            long deadline = System.currentTimeMillis() + millis;
            while (true) {
                String line = probeLines.poll(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                if (line == null) {
                    throw new IOException("the client probe said no '" + prefix.trim() + "' within " + millis + " ms; its log:\n"
                            + colo.tail("probe", 20));
                }
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        }

        private void applyFault() throws IOException, InterruptedException {
            switch (fault) {
                case KILLED -> colo.kill("primary");
                case FROZEN -> signal("primary", "STOP");
                case CUT -> lab.cutHost(lab.primaryHost);
                case PARTITION -> lab.linkDown(lab.primaryHost, FailoverLab.PEER);
                case PARTITION_WITNESS_SECONDARY_ONLY -> {
                    lab.linkDown(lab.primaryHost, FailoverLab.WITNESS);
                    lab.linkDown(lab.primaryHost, FailoverLab.PEER);
                }
                case PARTITION_WITNESS_PRIMARY_ONLY -> {
                    lab.linkDown(lab.secondaryHost, FailoverLab.WITNESS);
                    lab.linkDown(lab.primaryHost, FailoverLab.PEER);
                }
                case WITNESS_KILLED -> colo.kill("witness");
                default -> throw new IllegalStateException("no such fault " + fault);
            }
        }

        private void signal(String name, String sig) throws IOException, InterruptedException {
            Shell.run("kill", "-" + sig, Long.toString(colo.process(name).pid()));
        }

        /** The old primary's own word on whether it fences its output (null when it cannot answer: killed). */
        private Boolean oldPrimaryFenced() {
            if (!colo.alive("primary")) {
                return null;
            }
            ReleaseSampler.Sample s = ReleaseSampler.ask(socket("primary"));
            return s == null ? null : s.fenced();
        }

        private FailoverRun measure(long faultAt, long endAt, long resumedAt, boolean promoted, String newconn, String report, Boolean fenced)
                throws IOException {
            Matcher m = REPORT.matcher(report);
            if (!m.find()) {
                throw new IOException("cannot read the probe's report: " + report);
            }
            long sent = Long.parseLong(m.group(1));
            long received = Long.parseLong(m.group(2));
            long bad = Long.parseLong(m.group(3));
            String error = m.group(4);
            boolean survived = error.equals("none") && received == sent;
            boolean intact = bad == 0 && received == sent;
            // No gap of 20 ms or more after the fault: the session never paused (the probe notes only those).
            long replyGap = survived ? Math.max(0, longestGapEndingAfter(m.group(5), faultAt)) : -1;
            long pingGap = longestPingGap(new PingProbe(logDir.resolve("ping.log")).replies(), faultAt, endAt);
            long newConnAt = Long.parseLong(newconn.substring("newconn ".length()).trim());

            ReleaseCapture.Window p = primaryCapture.window();
            ReleaseCapture.Window s = secondaryCapture.window();
            boolean captureOk = !p.any() || !s.any() || p.lastMillis() < s.firstMillis();
            long secondaryFirst = secondarySampler.firstGrowthAfter(faultAt);
            // Within one sampling period the order of two counters is unknown: the captures judge that closely.
            boolean countersOk = secondaryFirst < 0 || primarySampler.growthFrom(secondaryFirst + ReleaseSampler.PERIOD_MILLIS) == 0;
            long late = 0;
            if (promoted && s.any()) {
                late = primaryCapture.framesFrom(resumedAt >= 0 ? resumedAt : s.firstMillis());
            }
            String secondaryLog = colo.logText("secondary");
            long detected = firstLogTime(secondaryLog, "RUNNING -> ", faultAt);
            long promotedAt = firstLogTime(secondaryLog, "-> PROMOTED", faultAt);
            List<String> problems = FailoverRun.problems(fault, promoted, survived, intact, captureOk, countersOk, late, fenced);
            return new FailoverRun(fault, arbiter, promoted, survived, intact, sent, received, replyGap, pingGap,
                    newConnAt < 0 ? -1 : newConnAt - faultAt, detected < 0 ? -1 : detected - faultAt,
                    promotedAt < 0 ? -1 : promotedAt - faultAt, p, s, captureOk, countersOk, late, fenced, error.replace('_', ' '),
                    problems);
        }

        @Override
        public void close() throws InterruptedException {
            for (AutoCloseable c : new AutoCloseable[] {primarySampler, secondarySampler, primaryCapture, secondaryCapture}) {
                try {
                    if (c != null) {
                        c.close();
                    }
                } catch (Exception e) {
                    // best effort: the namespaces go next, with everything in them
                }
            }
            if (colo.process("primary") != null && colo.alive("primary")) {
                try {
                    signal("primary", "CONT"); // a frozen primary could not stop on SIGTERM
                } catch (IOException e) {
                    // gone already
                }
            }
            for (Process p : helpers) {
                p.destroyForcibly();
            }
            colo.close();
        }
    }

    /** The longest reply gap (ms) among {@code gaps} (START-END,...) that ends after {@code fromMillis}; -1 with none. */
    static long longestGapEndingAfter(String gaps, long fromMillis) {
        long longest = -1;
        for (String g : gaps.split(",")) {
            if (g.isEmpty()) {
                continue;
            }
            String[] ends = g.split("-");
            long start = Long.parseLong(ends[0]);
            long end = Long.parseLong(ends[1]);
            if (end >= fromMillis) {
                longest = Math.max(longest, end - start);
            }
        }
        return longest;
    }

    /**
     * The longest gap (ms) between ping replies (epoch seconds) that spans or follows {@code fromMillis}, counting the
     * silence from the last reply to {@code endMillis}: a service that never came back shows as an outage to the end.
     */
    static long longestPingGap(List<Double> replies, long fromMillis, long endMillis) {
        long longest = 0;
        long previous = fromMillis;
        for (double r : replies) {
            long t = Math.round(r * 1000);
            if (t >= fromMillis) {
                longest = Math.max(longest, t - previous);
            }
            previous = t;
        }
        return Math.max(longest, endMillis - Math.max(previous, fromMillis));
    }

    /** The epoch ms of the first log line at or after {@code fromMillis} that contains {@code text}; -1 with none. */
    static long firstLogTime(String log, String text, long fromMillis) {
        for (String line : log.split("\n")) {
            Matcher m = LOG_TIME.matcher(line);
            if (m.find() && line.contains(text)) {
                long t = Long.parseLong(m.group(1));
                if (t >= fromMillis) {
                    return t;
                }
            }
        }
        return -1;
    }
}
