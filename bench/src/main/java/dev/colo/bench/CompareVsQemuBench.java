package dev.colo.bench;

import dev.colo.cli.lab.CompareFeeder;
import dev.colo.cli.lab.CompareFeederResult;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code colo compare} against QEMU's own colo-compare object on the same feed: for each frame size, a
 * fresh comparator process gets {@code --frames} identical frames on primary-in and secondary-in from a
 * {@link CompareFeeder} (several TCP and UDP flows, at full rate, over loopback), and the feeder checks
 * what leaves on outdev. Reported per comparator: frames/s released, the comparator process's CPU time
 * (utime + stime from /proc/PID/stat, over the feed, JVM or QEMU start-up excluded) per frame, frames
 * released, missing, duplicates, reorders, corruption, and the ratios ours/QEMU.
 *
 * <p>Both comparators listen on three free loopback ports and the feeder connects (QEMU: socket
 * chardevs with server=on,wait=off and an iothread, as in QEMU's docs/COLO-FT.txt, but all three as
 * servers). Processes are always destroyed, forcibly if they do not stop within 5 s. Run with
 * {@code bench/run-compare-vs-qemu.sh [options]}; {@code --help} lists them. Exits 1 if a comparator lost,
 * duplicated, reordered or changed a frame.
 */
public final class CompareVsQemuBench {
    static final String USAGE = String.join("\n",
            "usage: CompareVsQemuBench [--frames N] [--sizes 1514,118|MIN-MAX,...] [--flows N] [--udp-flows N]",
            "                          [--only both|ours|qemu] [--jar PATH] [--java-opts OPTS] [--colo-arg ARG]...",
            "                          [--qemu PATH] [--qemu-props K=V,...] [--idle-timeout SECONDS] [--lead K]",
            "                          [--outdev-rate BYTES_PER_S] [--log-dir DIR]",
            "  --frames N        frames per side per run (default 1000000)",
            "  --sizes LIST      frame sizes, one run each; a range MIN-MAX is a mix (default 1514,118)",
            "  --flows N         flows (default 8); --udp-flows N of them UDP (default a quarter)",
            "  --only WHICH      run only one comparator (default both)",
            "  --jar PATH        colo's jar (default cli/target/colo.jar); --java-opts its JVM options (default none)",
            "  --colo-arg ARG    an extra argument for colo compare (repeatable), e.g. --colo-arg=--max-queued-packets=4096",
            "  --qemu PATH       default qemu-system-x86_64; --qemu-props extra colo-compare properties, e.g. max_queue_size=4096",
            "  --idle-timeout S  a run ends when nothing left the comparator for S seconds (default 10)",
            "  --lead K          the primary starts K frames ahead of the secondary (default 0: both at once)",
            "  --outdev-rate B   read outdev at most B bytes/s (default: as fast as it comes)",
            "  --log-dir DIR     the comparators' output (default /tmp/colo-bench/compare-vs-qemu)");

    long frames = 1_000_000;
    List<int[]> sizes = List.of(new int[] {1514, 1514}, new int[] {118, 118});
    int flows = 8;
    int udpFlows = -1;
    boolean ours = true;
    boolean qemu = true;
    String jar = "cli/target/colo.jar";
    List<String> javaOpts = List.of();
    List<String> coloArgs = new ArrayList<>();
    String qemuBinary = "qemu-system-x86_64";
    String qemuProps = "";
    int idleSeconds = 10;
    long lead;
    long outdevRate;
    Path logDir = Path.of("/tmp/colo-bench/compare-vs-qemu");
    final long clkTck = clockTicks();

    /** One comparator's run on one size. */
    record Row(String comparator, String size, CompareFeederResult result, long cpuTicks, long feederCpuTicks, boolean died, String lastLog) {
    }

    public static void main(String[] args) throws Exception {
        CompareVsQemuBench bench = new CompareVsQemuBench();
        try {
            if (!bench.parse(args)) {
                return;
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        }
        System.exit(bench.runAll(System.out) ? 0 : 1);
    }

    boolean parse(String[] args) {
        for (int k = 0; k < args.length; k++) {
            String a = args[k];
            String v = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                v = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println(USAGE);
                return false;
            }
            if (v == null) {
                if (k + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value for " + a);
                }
                v = args[++k];
            }
            switch (a) {
                case "--frames" -> frames = Long.parseLong(v.replace("_", ""));
                case "--sizes" -> sizes = Arrays.stream(v.split(",")).map(CompareVsQemuBench::size).toList();
                case "--flows" -> flows = Integer.parseInt(v);
                case "--udp-flows" -> udpFlows = Integer.parseInt(v);
                case "--only" -> {
                    ours = !v.equals("qemu");
                    qemu = !v.equals("ours");
                    if (!List.of("both", "ours", "qemu").contains(v)) {
                        throw new IllegalArgumentException("--only both|ours|qemu, got " + v);
                    }
                }
                case "--jar" -> jar = v;
                case "--java-opts" -> javaOpts = v.isBlank() ? List.of() : List.of(v.trim().split("\\s+"));
                case "--colo-arg" -> coloArgs.add(v);
                case "--qemu" -> qemuBinary = v;
                case "--qemu-props" -> qemuProps = v;
                case "--idle-timeout" -> idleSeconds = Integer.parseInt(v);
                case "--lead" -> lead = Long.parseLong(v);
                case "--outdev-rate" -> outdevRate = Long.parseLong(v);
                case "--log-dir" -> logDir = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        return true;
    }

    private static int[] size(String s) {
        int dash = s.indexOf('-');
        return dash > 0 ? new int[] {Integer.parseInt(s.substring(0, dash)), Integer.parseInt(s.substring(dash + 1))}
                : new int[] {Integer.parseInt(s), Integer.parseInt(s)};
    }

    private static String sizeName(int[] s) {
        return s[0] == s[1] ? s[0] + " B" : s[0] + "-" + s[1] + " B";
    }

    boolean runAll(PrintStream out) throws Exception {
        Files.createDirectories(logDir);
        out.printf(Locale.ROOT, "compare vs QEMU: %,d frames per side per run, %d flows, %s, CLK_TCK %d, %d CPUs, %s%n", frames, flows,
                sizes.stream().map(CompareVsQemuBench::sizeName).toList(), clkTck, Runtime.getRuntime().availableProcessors(),
                Instant.now());
        if (ours) {
            Path j = Path.of(jar);
            out.printf(Locale.ROOT, "ours: %s (built %s)%s%n", j.toAbsolutePath(), Files.exists(j) ? Files.getLastModifiedTime(j) : "MISSING",
                    coloArgs.isEmpty() ? "" : " " + String.join(" ", coloArgs));
        }
        if (qemu) {
            out.printf(Locale.ROOT, "qemu: %s%s%n", firstLine(List.of(qemuBinary, "--version")), qemuProps.isEmpty() ? "" : " " + qemuProps);
        }
        out.flush();
        List<Row> rows = new ArrayList<>();
        for (int[] size : sizes) {
            if (ours) {
                rows.add(runOne("ours", size, out));
            }
            if (qemu) {
                rows.add(runOne("qemu", size, out));
            }
        }
        report(rows, out);
        return rows.stream().allMatch(r -> r.result.ok());
    }

    Row runOne(String which, int[] size, PrintStream out) throws Exception {
        int[] ports = freePorts(3);
        String tag = which + "-" + sizeName(size).replace(" ", "");
        Path log = logDir.resolve(tag + ".log");
        List<String> cmd = which.equals("ours") ? oursCommand(ports) : qemuCommand(ports);
        out.printf(Locale.ROOT, "%n== %s, %s: %s%n", which, sizeName(size), String.join(" ", cmd));
        out.flush();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            CompareFeeder feeder = CompareFeeder.builder()
                    .primaryIn(CompareFeeder.Link.connect("127.0.0.1", ports[0]))
                    .secondaryIn(CompareFeeder.Link.connect("127.0.0.1", ports[1]))
                    .outdev(CompareFeeder.Link.connect("127.0.0.1", ports[2]))
                    .frames(frames).frameSizes(size[0], size[1]).flows(flows).udpFlows(udpFlows < 0 ? flows / 4 : udpFlows)
                    .primaryLead(lead).outdevBytesPerSecond(outdevRate)
                    .idleTimeout(Duration.ofSeconds(idleSeconds)).connectTimeout(Duration.ofSeconds(60))
                    .build();
            CompareFeederResult r;
            long ticks;
            long feederTicks;
            try {
                feeder.connect();
                if (which.equals("ours")) {
                    // its links are up once it printed its banner; give the JIT-less start-up a moment to settle
                    waitForLine(log, "colo compare:", 10_000);
                }
                long t0 = cpuTicks(p.pid());
                long f0 = cpuTicks(ProcessHandle.current().pid());
                r = feeder.run();
                ticks = cpuTicks(p.pid()) - t0;
                feederTicks = cpuTicks(ProcessHandle.current().pid()) - f0;
            } finally {
                feeder.close();
            }
            boolean died = !p.isAlive();
            String last = lastLines(log, which.equals("ours") ? "released" : null);
            out.print(r);
            out.printf(Locale.ROOT, "  comparator CPU %.2f s (%s), feeder CPU %.2f s%n", ticks / (double) clkTck,
                    died ? "process DIED, exit " + p.exitValue() : "process alive", feederTicks / (double) clkTck);
            if (!last.isEmpty()) {
                out.println("  comparator's last line" + (which.equals("ours") ? " with \"released\" (a stats line, up to 1 s old)" : "") + ": " + last);
            }
            out.flush();
            return new Row(which, sizeName(size), r, ticks, feederTicks, died, last);
        } finally {
            stop(p);
        }
    }

    List<String> oursCommand(int[] ports) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(javaOpts);
        cmd.addAll(List.of("-jar", jar, "compare",
                "--primary-in", "listen:127.0.0.1:" + ports[0],
                "--secondary-in", "listen:127.0.0.1:" + ports[1],
                "--outdev", "listen:127.0.0.1:" + ports[2],
                "--stats-interval", "1"));
        cmd.addAll(coloArgs);
        return cmd;
    }

    List<String> qemuCommand(int[] ports) {
        String[] ids = {"pin", "sin", "out"};
        List<String> cmd = new ArrayList<>(List.of(qemuBinary, "-M", "none", "-nographic", "-nodefaults", "-display", "none",
                "-object", "iothread,id=io1"));
        for (int k = 0; k < 3; k++) {
            cmd.add("-chardev");
            cmd.add("socket,id=" + ids[k] + ",host=127.0.0.1,port=" + ports[k] + ",server=on,wait=off");
        }
        cmd.add("-object");
        cmd.add("colo-compare,id=cc,primary_in=pin,secondary_in=sin,outdev=out,iothread=io1" + (qemuProps.isEmpty() ? "" : "," + qemuProps));
        return cmd;
    }

    /** SIGTERM, then SIGKILL after 5 s; children too. */
    static void stop(Process p) throws InterruptedException {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        for (ProcessHandle c : children) {
            c.destroyForcibly();
        }
    }

    void report(List<Row> rows, PrintStream out) {
        out.printf(Locale.ROOT, "%n%-6s %-10s %12s %12s %10s %8s %6s %6s %6s %10s %9s  %s%n", "who", "size", "frames/s", "released",
                "missing", "dups", "reord", "corr", "unkn", "CPU s", "us/frame", "stopped because");
        for (Row r : rows) {
            CompareFeederResult x = r.result;
            out.printf(Locale.ROOT, "%-6s %-10s %,12.0f %,12d %,10d %,8d %,6d %,6d %,6d %10.2f %9s  %s%s%n", r.comparator, r.size,
                    x.framesPerSecond(), x.distinct(), x.missing(), x.duplicates(), x.reordered(), x.corrupted(), x.unknown(),
                    r.cpuTicks / (double) clkTck, perFrame(r), x.stopReason(), r.died ? " (process died)" : "");
        }
        for (String size : rows.stream().map(Row::size).distinct().toList()) {
            Row o = rows.stream().filter(r -> r.size.equals(size) && r.comparator.equals("ours")).findFirst().orElse(null);
            Row q = rows.stream().filter(r -> r.size.equals(size) && r.comparator.equals("qemu")).findFirst().orElse(null);
            if (o == null || q == null) {
                continue;
            }
            double fps = q.result.framesPerSecond() == 0 ? Double.NaN : o.result.framesPerSecond() / q.result.framesPerSecond();
            double cpu = cpuPerFrame(q) == 0 || Double.isNaN(cpuPerFrame(q)) ? Double.NaN : cpuPerFrame(o) / cpuPerFrame(q);
            out.printf(Locale.ROOT, "ours/QEMU at %s: frames/s x%.2f, CPU per frame x%.2f%s%n", size, fps, cpu,
                    o.result.ok() ? "" : " (ours did not release every frame: the ratios cover what it did release)");
        }
        out.println("frames/s: distinct primary frames released / (first write -> last release); CPU: the comparator process's"
                + " utime+stime over the feed, per frame released");
    }

    private double cpuPerFrame(Row r) {
        return r.result.distinct() == 0 ? Double.NaN : r.cpuTicks / (double) clkTck / r.result.distinct();
    }

    private String perFrame(Row r) {
        double c = cpuPerFrame(r);
        return Double.isNaN(c) ? "n/a" : String.format(Locale.ROOT, "%.2f", c * 1e6);
    }

    static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int k = 0; k < n; k++) {
                ServerSocket s = new ServerSocket();
                held.add(s);
                s.bind(new InetSocketAddress("127.0.0.1", 0));
                ports[k] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    /** utime + stime of a whole process, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException e) {
            return 0;
        }
    }

    static long clockTicks() {
        String s = firstLine(List.of("getconf", "CLK_TCK"));
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 100;
        }
    }

    static String firstLine(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            return text.lines().findFirst().orElse("");
        } catch (IOException e) {
            return "(" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static void waitForLine(Path log, String prefix, long millis) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            if (Files.readString(log).lines().anyMatch(l -> l.startsWith(prefix))) {
                return;
            }
            Thread.sleep(20);
        }
    }

    /** The last line containing {@code marker} (null: the last line), trimmed. */
    private static String lastLines(Path log, String marker) throws IOException {
        List<String> lines = Files.readAllLines(log);
        for (int k = lines.size() - 1; k >= 0; k--) {
            String l = lines.get(k).trim();
            if (!l.isEmpty() && (marker == null || l.contains(marker))) {
                return l;
            }
        }
        return "";
    }
}
