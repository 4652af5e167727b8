package dev.colo.cli.hostile;

import dev.colo.cli.demo.ColoProcesses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.colo.cli.control.ControlClient;
import dev.colo.lab.LabTopology;
import dev.colo.lab.Shell;
import dev.colo.proxy.link.FrameLinkClient;
import dev.colo.proxy.link.LinkConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile peers against the real processes: absurd lengths (0, 2^31, one over the maximum), random bytes, a truncated
 * frame then close, a slow sender, 1,000 connects and closes, a one-sided flood of frames with no twin (colo compare,
 * colo primary's link ports, and a fake primary's three ports for colo secondary, which connects out); garbage lines,
 * oversized lines and a connect storm (colo witness). Afterwards the process is up, serves a well-formed peer (the nodes:
 * a real pair reaches PROTECTED), its memory (VmRSS) and its log (lines) stayed bounded. The nodes' frame ports are
 * afpacket ports on a {@link LabTopology}'s veths, named with the pid and removed even on failure.
 */
class HostilePeersTest {
    private static final int MAX_FRAME = LinkConfig.DEFAULT_MAX_FRAME;

    @TempDir
    Path tmp;

    @Test
    void coloCompareSurvivesHostilePeersOnEverySocket() throws Exception {
        int pIn = ColoProcesses.freePort();
        int sIn = ColoProcesses.freePort();
        int out = ColoProcesses.freePort();
        Path log = tmp.resolve("compare.log");
        Process compare = start(log, "compare", "--primary-in", "listen:127.0.0.1:" + pIn, "--secondary-in",
                "listen:127.0.0.1:" + sIn, "--outdev", "listen:127.0.0.1:" + out, "--stats-interval", "0",
                "--checkpoint-command", "true", // the flood's frames without twins are flushed by a checkpoint
                "--frame-deadline", "500ms");
        try {
            LinkConfig config = new LinkConfig();
            // Wait until it listens, then take a baseline of memory and log.
            waitForPort(pIn, compare, log);
            long rssBefore = rssKiB(compare.pid());
            for (int port : new int[] {pIn, sIn, out}) {
                attack(port);
            }
            flood(pIn, log); // the primary's output with no twin
            assertTrue(compare.isAlive(), "colo compare is up\n" + Files.readString(log));
            // Well-formed peers are served: a frame in on both sides leaves on the outdev.
            LinkedBlockingQueue<byte[]> released = new LinkedBlockingQueue<>();
            try (FrameLinkClient outdev = new FrameLinkClient("outdev", new InetSocketAddress("127.0.0.1", out), config, f -> {
                     byte[] b = new byte[f.remaining()];
                     f.get(f.position(), b);
                     released.add(b);
                 });
                 FrameLinkClient primary = new FrameLinkClient("pvm", new InetSocketAddress("127.0.0.1", pIn), config, f -> { });
                 FrameLinkClient secondary = new FrameLinkClient("svm", new InetSocketAddress("127.0.0.1", sIn), config, f -> { })) {
                for (FrameLinkClient c : new FrameLinkClient[] {outdev, primary, secondary}) {
                    assertTrue(c.awaitConnected(Duration.ofSeconds(20)), "a real peer got in: " + c.describe() + "\n" + Files.readString(log));
                }
                byte[] frame = udp(2);
                boolean seen = false;
                for (int attempt = 0; attempt < 50 && !seen; attempt++) {
                    primary.send(frame, 0, frame.length);
                    secondary.send(frame, 0, frame.length);
                    for (byte[] b; (b = released.poll(200, TimeUnit.MILLISECONDS)) != null; ) {
                        seen |= java.util.Arrays.equals(b, frame);
                    }
                }
                assertTrue(seen, "a compared frame left on the outdev\n" + Files.readString(log));
            }
            long rssAfter = rssKiB(compare.pid());
            assertTrue(rssAfter < rssBefore + 256 * 1024, "VmRSS " + rssBefore + " -> " + rssAfter + " KiB");
            assertRefusalsLoggedInFewLines(log, 200, "primary-in", "secondary-in", "outdev");
        } finally {
            stop(compare);
        }
    }

    @Test
    void coloWitnessSurvivesHostileClients() throws Exception {
        int port = ColoProcesses.freePort();
        Path log = tmp.resolve("witness.log");
        Process witness = start(log, "witness", "--listen", "127.0.0.1:" + port);
        try {
            waitForPort(port, witness, log);
            long rssBefore = rssKiB(witness.pid());
            Random random = new Random(18);
            for (int i = 0; i < 1000; i++) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    if (i % 4 == 1) {
                        s.getOutputStream().write(("NONSENSE " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                    } else if (i % 4 == 2) {
                        byte[] junk = new byte[2048];
                        random.nextBytes(junk);
                        s.getOutputStream().write(junk);
                    }
                }
            }
            assertTrue(witness.isAlive(), "colo witness is up\n" + Files.readString(log));
            try (Socket s = new Socket("127.0.0.1", port);
                 PrintWriter w = new PrintWriter(s.getOutputStream(), true, StandardCharsets.US_ASCII);
                 BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))) {
                s.setSoTimeout(10_000);
                w.println("STATUS web");
                String answer = r.readLine();
                assertTrue(answer != null && !answer.startsWith("ERROR"), "a well-formed request is answered: " + answer);
            }
            long rssAfter = rssKiB(witness.pid());
            assertTrue(rssAfter < rssBefore + 128 * 1024, "VmRSS " + rssBefore + " -> " + rssAfter + " KiB");
            String text = Files.readString(log);
            assertTrue(text.contains("witness: refused 127.0.0.1:"), "refusals logged with the peer\n" + text);
            assertTrue(Files.readAllLines(log).size() < 50, "log bounded\n" + text);
        } finally {
            stop(witness);
        }
    }

    /**
     * colo primary: everything hostile on its checkpoint, mirror and redirect ports, and a one-sided flood of the SVM's output
     * with no twin; afterwards a real secondary joins it and the pair reaches PROTECTED.
     */
    @Test
    void coloPrimarySurvivesHostilePeersThenARealSecondaryJoins() throws Exception {
        assumeTrue(Shell.root() && LabTopology.available(), "needs root, ip and the lab's tools");
        int[] ports = {ColoProcesses.freePort(), ColoProcesses.freePort(), ColoProcesses.freePort()};
        Path log = tmp.resolve("primary.log");
        Path secondaryLog = tmp.resolve("secondary.log");
        Path control = tmp.resolve("primary.sock");
        Process primary = null;
        Process secondary = null;
        try (LabTopology net = new LabTopology()) {
            primary = startPrimary(log, net, ports, control);
            waitForPort(ports[1], primary, log);
            long rssBefore = rssKiB(primary.pid());
            for (int port : ports) {
                attack(port);
            }
            flood(ports[2], log); // the SVM's output with no twin
            assertTrue(primary.isAlive(), "colo primary is up\n" + Files.readString(log));
            secondary = startSecondary(secondaryLog, net, ports);
            awaitProtected(control, primary, log, secondaryLog);
            long rssAfter = rssKiB(primary.pid());
            assertTrue(rssAfter < rssBefore + 256 * 1024, "VmRSS " + rssBefore + " -> " + rssAfter + " KiB");
            assertRefusalsLoggedInFewLines(log, 200, "checkpoint", "mirror", "redirect");
        } finally {
            stop(secondary);
            stop(primary);
        }
    }

    /**
     * colo secondary connects out, so its hostile peer is a fake primary: each of the three ports serves the secondary's
     * connections absurd lengths, random bytes, a truncated frame, a slow sender, a flood with no twin (the links) and
     * connects closed at once. Afterwards the secondary is up and joins a real primary on the same ports.
     */
    @Test
    void coloSecondarySurvivesAHostilePrimaryThenJoinsARealOne() throws Exception {
        assumeTrue(Shell.root() && LabTopology.available(), "needs root, ip and the lab's tools");
        int[] ports = {ColoProcesses.freePort(), ColoProcesses.freePort(), ColoProcesses.freePort()};
        Path log = tmp.resolve("secondary.log");
        Path primaryLog = tmp.resolve("primary.log");
        Path control = tmp.resolve("primary.sock");
        Process primary = null;
        Process secondary = null;
        List<HostilePrimary.Act> acts = List.of(HostilePrimary.Act.LENGTH_0, HostilePrimary.Act.LENGTH_2_31,
                HostilePrimary.Act.LENGTH_OVER_MAX, HostilePrimary.Act.LENGTH_ALL_ONES, HostilePrimary.Act.RANDOM_BYTES,
                HostilePrimary.Act.TRUNCATED_FRAME, HostilePrimary.Act.SLOW_SENDER, HostilePrimary.Act.FLOOD);
        try (LabTopology net = new LabTopology()) {
            List<HostilePrimary> fake = new ArrayList<>();
            try {
                // The links are attacked first; then they hold, so the secondary starts its checkpoint link.
                fake.add(new HostilePrimary("mirror", ports[1], HostilePrimary.script(acts, 10), HostilePrimary.Act.HOLD, MAX_FRAME + 1, udp(3)));
                fake.add(new HostilePrimary("redirect", ports[2], HostilePrimary.script(acts, 10), HostilePrimary.Act.HOLD, MAX_FRAME + 1, udp(4)));
                fake.add(new HostilePrimary("checkpoint", ports[0], HostilePrimary.script(acts.subList(0, 6), 1), HostilePrimary.Act.CLOSE,
                        dev.colo.checkpoint.protocol.Wire.DEFAULT_MAX_FRAME + 1, new byte[64]));
                secondary = startSecondary(log, net, ports);
                long rssBefore = -1;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(25);
                while (!fake.stream().allMatch(HostilePrimary::scriptDone)) {
                    assertTrue(secondary.isAlive(), "colo secondary is up\n" + Files.readString(log));
                    assertTrue(System.nanoTime() < deadline, "the secondary came back for every act: " + fake + "\n" + Files.readString(log));
                    if (rssBefore < 0 && fake.get(1).served() > 0) {
                        rssBefore = rssKiB(secondary.pid()); // running and linking: the baseline
                    }
                    Thread.sleep(100);
                }
                assertTrue(secondary.isAlive(), "colo secondary is up\n" + Files.readString(log));
                long rssAfter = rssKiB(secondary.pid());
                assertTrue(rssAfter < rssBefore + 256 * 1024, "VmRSS " + rssBefore + " -> " + rssAfter + " KiB");
            } finally {
                for (HostilePrimary f : fake) {
                    f.close();
                }
            }
            primary = startPrimary(primaryLog, net, ports, control);
            awaitProtected(control, primary, primaryLog, log);
            assertRefusalsLoggedInFewLines(log, 200, "mirror", "redirect");
        } finally {
            stop(secondary);
            stop(primary);
        }
    }

    /** A one-sided flood: 20,000 frames on one link port, as fast as the link takes them. */
    private static void flood(int port, Path log) throws Exception {
        try (FrameLinkClient flood = new FrameLinkClient("flood", new InetSocketAddress("127.0.0.1", port), new LinkConfig(), f -> { })) {
            assertTrue(flood.awaitConnected(Duration.ofSeconds(20)), "the flooder got in\n" + Files.readString(log));
            byte[] frame = udp(1);
            for (int i = 0; i < 20_000; i++) {
                while (!flood.send(frame, 0, frame.length)) {
                    Thread.sleep(1);
                }
            }
            Thread.sleep(500);
        }
    }

    /** Each server named logged its refusals with the peer's address, and the whole log stayed under {@code maxLines}. */
    private static void assertRefusalsLoggedInFewLines(Path log, int maxLines, String... servers) throws IOException {
        String text = Files.readString(log);
        long lines = Files.readAllLines(log).size();
        assertTrue(lines < maxLines, lines + " log lines for the hostile connections\n" + text);
        for (String server : servers) {
            assertTrue(text.contains(server + ": refused 127.0.0.1:"), server + "'s refusals logged\n" + text);
        }
    }

    private Process startPrimary(Path log, LabTopology net, int[] ports, Path control) throws IOException {
        return start(log, "primary", "--vm-port", "afpacket:" + net.primaryVm, "--net-port", "afpacket:" + net.primaryNet,
                "--listen", "127.0.0.1", "--checkpoint-port", "" + ports[0], "--mirror-port", "" + ports[1], "--redirect-port",
                "" + ports[2], "--control", control.toString(), "--stats-interval", "0", "--frame-deadline", "500ms", "--node-id", "hostile-p");
    }

    private Process startSecondary(Path log, LabTopology net, int[] ports) throws IOException {
        return start(log, "secondary", "--primary", "127.0.0.1", "--vm-port", "afpacket:" + net.secondaryVm,
                "--checkpoint-port", "" + ports[0], "--mirror-port", "" + ports[1], "--redirect-port", "" + ports[2],
                "--control", tmp.resolve("secondary-" + ports[0] + ".sock").toString(), "--stats-interval", "0",
                "--frame-deadline", "500ms", "--node-id", "hostile-s");
    }

    /** Waits until the primary's control socket says PROTECTED: a secondary joined and finished its first sync. */
    private static void awaitProtected(Path control, Process primary, Path log, Path secondaryLog) throws Exception {
        String last = "";
        for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); System.nanoTime() < end; Thread.sleep(200)) {
            assertTrue(primary.isAlive(), "colo primary is up\n" + Files.readString(log));
            if (Files.exists(control)) {
                last = String.join("\n", ControlClient.call(control, "status json", Duration.ofSeconds(5)).body());
                if (last.contains("\"state\":\"PROTECTED\"")) {
                    return;
                }
            }
        }
        throw new AssertionError("no PROTECTED within 30 s: " + last + "\nprimary:\n" + Files.readString(log) + "\nsecondary:\n"
                + Files.readString(secondaryLog));
    }

    private static void stop(Process p) throws InterruptedException {
        if (p != null) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** Everything hostile against one link port, each on a connection of its own. */
    private static void attack(int port) throws Exception {
        for (long length : new long[] {0, 1L << 31, MAX_FRAME + 1L, 0xffffffffL}) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                OutputStream o = s.getOutputStream();
                o.write(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
                o.write(new byte[16]);
            } catch (IOException refusedOrReset) {
                // the server may close first
            }
        }
        Random random = new Random(port);
        for (int i = 0; i < 20; i++) {
            byte[] junk = new byte[1 + random.nextInt(4096)];
            random.nextBytes(junk);
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.getOutputStream().write(junk);
            } catch (IOException refusedOrReset) {
                // expected
            }
        }
        // A lying header (1000 bytes announced) and only 10 sent, then close.
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write(new byte[] {0, 0, 3, (byte) 0xe8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        }
        // A slow sender: a byte every 100 ms of a well-formed frame, until the server drops it (or 3 s).
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream o = s.getOutputStream();
            byte[] frame = new byte[64];
            frame[3] = 60;
            for (int i = 0; i < 30; i++) {
                o.write(frame[i]);
                o.flush();
                Thread.sleep(100);
            }
        } catch (IOException dropped) {
            // dropped by the frame deadline, as it should be
        }
        for (int i = 0; i < 1000; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoLinger(true, 0);
            }
        }
    }

    private Process start(Path log, String... args) throws IOException {
        return ColoProcesses.startColo(log, List.of(), List.of(args));
    }

    private static void waitForPort(int port, Process p, Path log) throws Exception {
        for (int i = 0; i < 300; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                Thread.sleep(300); // past JIT warm-up of the accept path before the baseline
                return;
            } catch (IOException notYet) {
                assertTrue(p.isAlive(), "the process exited\n" + Files.readString(log));
                Thread.sleep(100);
            }
        }
        throw new AssertionError("nothing listens on " + port + "\n" + Files.readString(log));
    }

    private static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }


    private static byte[] udp(int n) {
        byte[] f = new byte[256];
        byte[] p = ("hostile peers " + n).getBytes(StandardCharsets.US_ASCII);
        int len = new dev.colo.compare.packet.FrameBuilder().udp4(f, 0, dev.colo.compare.packet.FrameBuilder.ipv4(10, 0, 0, 2),
                dev.colo.compare.packet.FrameBuilder.ipv4(10, 0, 0, 1), 7, 4000, p, 0, p.length);
        return java.util.Arrays.copyOf(f, len);
    }
}
