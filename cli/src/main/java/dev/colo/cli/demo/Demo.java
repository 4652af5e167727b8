package dev.colo.cli.demo;

import dev.colo.lab.LabTopology;
import dev.colo.lab.Shell;
import dev.colo.kvm.vmm.KvmDevice;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's scenario: sets up the lab, starts the witness and the two nodes, runs the three steps with
 * real clients in the client namespace, reports, and removes everything whatever happens.
 */
final class Demo {
    /** Names of everything the demo makes carry this id, so that a new run can clear a killed run's leftovers. */
    static final String LAB_ID = "demo";
    static final int HTTP_PORT = 80;
    static final int REDIS_PORT = 6379;
    static final int EXIT_OK = 0;
    static final int EXIT_STEP_FAILED = 1;
    static final int EXIT_NO_KVM = 3;
    static final int EXIT_SETUP = 4;
    /** What every status line of a node contains. */
    private static final String STATUS = ": network->vm ";
    private static final Pattern RELEASED = Pattern.compile("released (\\d+) \\(\\+(\\d+) unprotected");
    private static final Pattern HELD = Pattern.compile("; held (\\d+) frames");
    private static final Pattern DIVERGENCES = Pattern.compile("; divergences: ([^;]*);");
    private static final Pattern EXCERPTS = Pattern.compile("; primary \"(.*)\" secondary \"(.*)\"$");
    private static final Pattern CHECKPOINTS = Pattern.compile("; checkpoints asked: ([^;]*);");

    private final DemoSettings settings;
    private final PrintWriter out;
    private final List<Step> steps = new ArrayList<>();
    private final AtomicBoolean cleaned = new AtomicBoolean();
    private final boolean kvm;
    private ColoProcesses colo;
    private LabTopology net;
    private StatusBoard board;
    private RedisSession redis;
    private volatile String current = "setting up";
    private String referenceSha;
    private String primaryLastStatus = "";
    private String metricsAt;
    private String holdQuantiles = "not measured";
    private String pauseQuantiles = "not measured";
    private long outageMillis = -1;

    Demo(DemoSettings settings, PrintWriter out) {
        this.settings = settings;
        this.out = out;
        this.kvm = settings.kvm();
    }

    int run() throws Exception {
        String missing = preflight();
        if (missing != null) {
            out.println("colo demo: " + missing);
            out.flush();
            return EXIT_SETUP;
        }
        if (!kvm) {
            out.println("colo demo: " + (KvmDevice.available() ? "asked for" : "no /dev/kvm on this machine:")
                    + " namespace replicas, which cannot be checkpointed (step 2 is not shown)");
        }
        Files.createDirectories(settings.logDir());
        Thread onCtrlC = new Thread(this::cleanUp, "colo-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try {
            int left = LabTopology.removeLeftovers(LAB_ID);
            if (left > 0) {
                out.println("colo demo: removed " + left + " namespaces and links an earlier run left behind");
            }
            setUp();
            board = new StatusBoard(out, settings.table(), this::statusRows);
            board.start();
            runStep("1. HTTP download and Redis session, no divergence", this::identicalOutput);
            if (kvm) {
                runStep("2. nondeterministic answer: divergence, checkpoint, the PVM's answer", this::divergence);
            } else {
                steps.add(new Step("2. nondeterministic answer: divergence, checkpoint", Step.Outcome.NOT_SHOWN,
                        "not shown here: namespace replicas cannot be checkpointed (no /dev/kvm)"));
            }
            runStep("3. primary killed mid-download: takeover, session and download go on", this::failover);
        } catch (Step.Failed e) {
            steps.add(new Step(current, Step.Outcome.FAILED, e.getMessage()));
        } catch (IOException e) {
            steps.add(new Step(current, Step.Outcome.FAILED, "set-up: " + e.getMessage()));
        } finally {
            if (board != null) {
                board.close();
            }
            cleanUp();
            try {
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
            } catch (IllegalStateException e) {
                // shutting down already (Ctrl-C): the hook runs the same clean-up, which is done
            }
        }
        report();
        boolean failed = steps.stream().anyMatch(s -> s.outcome() == Step.Outcome.FAILED) || steps.size() < 3;
        return failed ? EXIT_STEP_FAILED : kvm ? EXIT_OK : EXIT_NO_KVM;
    }

    private interface StepBody {
        String run() throws Exception;
    }

    private void runStep(String name, StepBody body) throws Exception {
        current = name;
        say("== " + name);
        String detail;
        try {
            detail = body.run();
        } catch (IOException e) {
            throw new Step.Failed(e.getMessage());
        }
        steps.add(new Step(name, Step.Outcome.PASSED, detail));
        say("   passed: " + detail);
    }

    private void say(String line) {
        if (board != null) {
            board.say(line);
        } else {
            out.println(line);
            out.flush();
        }
    }

    // ---------------------------------------------------------------- set-up

    private String preflight() throws InterruptedException {
        if (!"root".equals(ProcessHandle.current().info().user().orElse(""))) {
            return "must run as root (it makes network namespaces, a bridge and taps)";
        }
        for (String tool : new String[] {"ip", "ethtool", "curl", "redis-cli", "socat", "ping", "python3"}) {
            try {
                if (Shell.run(false, "sh", "-c", "command -v " + tool).exit() != 0) {
                    return "needs " + tool + " (Debian: iproute2, ethtool, curl, redis-tools, socat, iputils-ping, python3)";
                }
            } catch (IOException e) {
                return "cannot run sh: " + e.getMessage();
            }
        }
        if (!kvm) {
            try {
                if (Shell.run(false, "sh", "-c", "command -v redis-server").exit() != 0) {
                    return "without /dev/kvm the namespace replicas need redis-server (Debian: redis-server)";
                }
            } catch (IOException e) {
                return "cannot run sh: " + e.getMessage();
            }
        }
        return null;
    }

    private void setUp() throws Exception {
        current = "setting up";
        say("colo demo: building the lab (client namespace, bridge, " + (kvm ? "two KVM guests" : "two namespace replicas") + ")");
        net = new LabTopology(LAB_ID);
        colo = new ColoProcesses(settings.logDir());
        int witnessPort = ColoProcesses.freePort();
        colo.start("witness", List.of("witness", "--listen", "127.0.0.1:" + witnessPort));
        if (!colo.awaitLog("witness", "listening", 20_000)) {
            throw new Step.Failed("colo witness did not start:\n" + colo.tail("witness", 20));
        }
        List<String> common = new ArrayList<>(List.of("--stats-interval", "1", "--arbiter", "witness:127.0.0.1:" + witnessPort,
                "--checkpoint-port", "" + ColoProcesses.freePort(), "--mirror-port", "" + ColoProcesses.freePort(), "--redirect-port", "" + ColoProcesses.freePort()));
        metricsAt = "127.0.0.1:" + ColoProcesses.freePort();
        List<String> primary = new ArrayList<>(List.of("primary", "--net-port", "afpacket:" + net.primaryNet, "--listen", "127.0.0.1",
                "--node-id", "pvm-node", "--metrics", metricsAt,
                // In the log folder, not /run/colo: the primary is killed, and a killed node cannot remove its socket.
                "--control", settings.logDir().resolve("primary.sock").toString()));
        List<String> secondary = new ArrayList<>(List.of("secondary", "--primary", "127.0.0.1", "--net-port", "afpacket:" + net.secondaryNet,
                "--node-id", "svm-node", "--control", settings.logDir().resolve("secondary.sock").toString()));
        if (kvm) {
            primary.addAll(List.of("--vm", "kvm", "--vm-ip", LabTopology.VM_IP + "/24", "--vm-tap", "pt" + LAB_ID));
            secondary.addAll(List.of("--vm", "kvm", "--vm-ip", LabTopology.VM_IP + "/24", "--vm-tap", "st" + LAB_ID));
        } else {
            startNamespaceServices();
            primary.addAll(List.of("--vm", "external", "--vm-port", "afpacket:" + net.primaryVm));
            secondary.addAll(List.of("--vm", "external", "--vm-port", "afpacket:" + net.secondaryVm));
        }
        primary.addAll(common);
        secondary.addAll(common);
        colo.start("primary", primary);
        if (!colo.awaitLog("primary", "colo primary: checkpoint", 30_000)) {
            throw new Step.Failed("colo primary did not start:\n" + colo.tail("primary", 30));
        }
        colo.start("secondary", secondary);
        if (!colo.awaitLog("primary", "-> PROTECTED", 60_000)) {
            throw new Step.Failed("the pair did not become PROTECTED within 60 s:\n" + colo.tail("primary", 30) + "\n" + colo.tail("secondary", 30));
        }
        say("colo demo: primary and secondary in sync (PROTECTED); logs in " + settings.logDir());
    }

    /** Without KVM: the same services in both replica namespaces (an HTTP server of files, a Redis server). */
    private void startNamespaceServices() throws Exception {
        Path www = settings.logDir().resolve("www");
        Path bytes = www.resolve("bytes");
        Files.createDirectories(bytes);
        LabTopology.file(bytes, Long.toString(settings.downloadBytes()), settings.downloadBytes(), 11);
        for (String ns : new String[] {net.pvm, net.svm}) {
            net.start(ns, settings.logDir().resolve("http-" + ns + ".log"), "python3", "-m", "http.server", "" + HTTP_PORT,
                    "--bind", LabTopology.VM_IP, "--directory", www.toString());
            net.start(ns, settings.logDir().resolve("redis-" + ns + ".log"), "redis-server", "--bind", LabTopology.VM_IP,
                    "--port", "" + REDIS_PORT, "--save", "", "--appendonly", "no", "--protected-mode", "no");
        }
        Thread.sleep(1000);
    }

    // ---------------------------------------------------------------- the steps

    private String url(String path) {
        return "http://" + LabTopology.VM_IP + ":" + HTTP_PORT + path;
    }

    private String identicalOutput() throws Exception {
        Path file = settings.logDir().resolve("download-1.bin");
        Files.deleteIfExists(file);
        Shell.Result curl = net.ns(false, net.client, "curl", "-sS", "--max-time", "120", "-o", file.toString(),
                url("/bytes/" + settings.downloadBytes()));
        if (curl.exit() != 0) {
            throw new Step.Failed("curl exited " + curl.exit() + ": " + curl.output().trim());
        }
        long size = Files.size(file);
        if (size != settings.downloadBytes()) {
            throw new Step.Failed("downloaded " + size + " bytes, expected " + settings.downloadBytes());
        }
        referenceSha = sha256(file);
        // Namespace replicas are two redis-server processes, whose answers to redis-cli's opening COMMAND DOCS
        // differ (their hash tables are seeded at random): there the session is socat carrying inline commands.
        redis = kvm ? new RedisSession(net.start(net.client, null, "redis-cli", "-h", LabTopology.VM_IP, "-p", "" + REDIS_PORT), false)
                : new RedisSession(net.start(net.client, null, "socat", "-", "TCP:" + LabTopology.VM_IP + ":" + REDIS_PORT), true);
        expect("PING", "PONG");
        expect("SET demo:owner colo", "OK");
        expect("INCR demo:visits", "1");
        expect("GET demo:owner", "colo");
        if (colo.logText("primary").contains("divergence #")) {
            throw new Step.Failed("the replicas diverged: " + colo.lastLine("primary", "divergence #"));
        }
        return String.format("%,d bytes by curl (sha256 %s...), 4 Redis commands in one session, 0 divergences",
                size, referenceSha.substring(0, 12));
    }

    private String divergence() throws Exception {
        String before = colo.logText("primary");
        int divergencesBefore = count(before, "divergence #");
        int commitsBefore = count(before, "ON_DEMAND");
        Shell.Result tsc = net.ns(false, net.client, "curl", "-sS", "--max-time", "30", url("/tsc"));
        String answer = tsc.output().trim();
        if (tsc.exit() != 0 || !answer.matches("\\d+")) {
            throw new Step.Failed("GET /tsc: curl exited " + tsc.exit() + ", answered '" + answer + "'");
        }
        long deadline = System.currentTimeMillis() + 15_000;
        while (count(colo.logText("primary"), "divergence #") <= divergencesBefore || count(colo.logText("primary"), "ON_DEMAND") <= commitsBefore) {
            if (System.currentTimeMillis() > deadline) {
                throw new Step.Failed("no divergence and on-demand checkpoint after GET /tsc:\n" + colo.tail("primary", 20));
            }
            Thread.sleep(50);
        }
        // The primary logs the bytes around the first difference on each side: the client's answer must be the PVM's.
        String line = colo.lastLine("primary", "divergence #");
        Matcher m = EXCERPTS.matcher(line);
        if (!m.find()) {
            throw new Step.Failed("the divergence line shows no bytes: " + line);
        }
        String pvm = m.group(1);
        String svm = m.group(2);
        if (!pvm.contains(answer) || svm.contains(answer)) {
            throw new Step.Failed("the client's answer " + answer + " is not the PVM's (PVM \"" + pvm + "\", SVM \"" + svm + "\")");
        }
        expect("GET demo:owner", "colo"); // the session goes on after the checkpoint
        return "GET /tsc answered " + answer + ": the PVM's bytes (\"" + pvm + "\"), not the SVM's (\"" + svm + "\"); " + line.replaceFirst("^.*divergence #\\d+: ", "").replaceFirst("; primary \".*$", "")
                + "; checkpoint committed";
    }

    private String failover() throws Exception {
        Path file = settings.logDir().resolve("download-2.bin");
        Files.deleteIfExists(file);
        Path pingLog = settings.logDir().resolve("ping.log");
        net.start(net.client, pingLog, "ping", "-D", "-n", "-i", "0.01", LabTopology.VM_IP);
        Process curl = net.start(net.client, settings.logDir().resolve("curl-2.log"), "curl", "-sS", "--max-time", "300",
                "--limit-rate", settings.clientRate(), "-o", file.toString(), url("/bytes/" + settings.downloadBytes()));
        long deadline = System.currentTimeMillis() + 60_000;
        while (!Files.exists(file) || Files.size(file) < settings.downloadBytes() / 4) {
            if (!curl.isAlive() || System.currentTimeMillis() > deadline) {
                throw new Step.Failed("the download did not get a quarter through (curl " + (curl.isAlive() ? "running" : "exited " + curl.exitValue()) + ")");
            }
            Thread.sleep(20);
        }
        primaryLastStatus = colo.lastLine("primary", STATUS);
        scrapeHistograms();
        double killedAt = System.currentTimeMillis() / 1000.0;
        long atKill = Files.size(file);
        colo.kill("primary");
        say(String.format("   primary killed (SIGKILL) with %,d of %,d bytes downloaded", atKill, settings.downloadBytes()));
        if (!colo.awaitLog("secondary", "-> PROMOTED", 30_000)) {
            throw new Step.Failed("the secondary did not promote:\n" + colo.tail("secondary", 30));
        }
        expect("GET demo:owner", "colo");
        expect("INCR demo:visits", "2");
        if (!curl.waitFor(300, TimeUnit.SECONDS)) {
            throw new Step.Failed("the download did not finish within 300 s after the takeover");
        }
        if (curl.exitValue() != 0) {
            throw new Step.Failed("curl exited " + curl.exitValue() + ": " + Files.readString(settings.logDir().resolve("curl-2.log")).trim());
        }
        String sha = sha256(file);
        if (!sha.equals(referenceSha)) {
            throw new Step.Failed("the download's sha256 " + sha + " differs from the first download's " + referenceSha);
        }
        Thread.sleep(300); // a few probe replies after the last byte
        outageMillis = new PingProbe(pingLog).outageMillis(killedAt - 1);
        if (outageMillis < 0) {
            throw new Step.Failed("the client's probe got no reply after the takeover");
        }
        return String.format("witness granted the takeover; Redis session went on (demo:owner read back, visits 2); "
                + "download of %,d bytes intact (same sha256); outage seen by the client %d ms", settings.downloadBytes(), outageMillis);
    }

    /** Hold time and checkpoint pause as the primary measured them, read from its metrics before it is killed. */
    private void scrapeHistograms() {
        try {
            HistogramScrape h = HistogramScrape.of(metricsAt);
            holdQuantiles = h.quantiles("colo_hold_time_seconds");
            pauseQuantiles = h.quantiles("colo_checkpoint_pause_seconds");
        } catch (IOException | RuntimeException e) {
            holdQuantiles = pauseQuantiles = "not measured (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void expect(String command, String reply) throws Exception {
        String got = redis.ask(command, 15_000);
        if (!got.equals(reply)) {
            throw new Step.Failed("redis-cli '" + command + "' answered '" + got + "', expected '" + reply + "'");
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
            n++;
        }
        return n;
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    // ---------------------------------------------------------------- status and report

    private String[] statusRows() {
        String p = colo == null ? "" : colo.lastLine("primary", STATUS);
        String s = colo == null ? "" : colo.lastLine("secondary", STATUS);
        return new String[] {
            "  step      " + current,
            "  primary   " + (colo != null && colo.alive("primary") ? summary(p) : "gone"),
            "  secondary " + summary(s)};
    }

    /** The state and the counters a person wants from a node's status line. */
    private static String summary(String statusLine) {
        if (statusLine.isEmpty()) {
            return "starting";
        }
        String state = statusLine.replaceFirst("^\\S+ (\\w+):.*$", "$1");
        return state + ", released " + group(RELEASED, statusLine, 1) + ", held " + group(HELD, statusLine, 1)
                + ", divergences " + group(DIVERGENCES, statusLine, 1) + ", checkpoints asked " + group(CHECKPOINTS, statusLine, 1);
    }

    private static String group(Pattern p, String line, int g) {
        Matcher m = p.matcher(line);
        return m.find() ? m.group(g) : "?";
    }

    private void report() {
        out.println();
        out.println("colo demo: report" + (kvm ? "" : " (namespace replicas)"));
        for (Step st : steps) {
            out.printf("  %-9s %s%n            %s%n", st.outcome(), st.name(), st.detail());
        }
        String p = primaryLastStatus.isEmpty() && colo != null ? colo.lastLine("primary", STATUS) : primaryLastStatus;
        if (!p.isEmpty()) {
            out.println("  primary before the kill: released " + group(RELEASED, p, 1) + " (+" + group(RELEASED, p, 2)
                    + " unprotected), held " + group(HELD, p, 1) + ", divergences " + group(DIVERGENCES, p, 1)
                    + ", checkpoints asked by reason: " + group(CHECKPOINTS, p, 1));
        }
        out.println("  hold time of released output (primary): " + holdQuantiles);
        out.println("  checkpoint pause (primary): " + pauseQuantiles);
        out.println("  outage seen by the client at failover: " + (outageMillis < 0 ? "not measured" : outageMillis + " ms"));
        out.println("  logs: " + settings.logDir());
        out.flush();
    }

    private void cleanUp() {
        if (!cleaned.compareAndSet(false, true)) {
            return;
        }
        if (redis != null) {
            redis.close();
        }
        if (colo != null) {
            colo.close();
        }
        try {
            if (net != null) {
                net.close();
            }
            LabTopology.removeLeftovers(LAB_ID);
        } catch (IOException | InterruptedException e) {
            out.println("colo demo: clean-up incomplete: " + e.getMessage() + " (a new `colo demo` clears it)");
        }
    }
}
