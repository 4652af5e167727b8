package dev.colo.cli.node;

import dev.colo.cli.demo.ColoProcesses;

import dev.colo.lab.LabTopology;
import dev.colo.lab.Shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.colo.kvm.vmm.KvmDevice;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole appliance as a user runs it: `colo primary --vm kvm` and `colo secondary --vm kvm` as two
 * processes, each running the bundled guest on KVM, a client in a namespace behind a bridge holding one
 * TCP session through COLO. A nondeterministic answer (TSC) makes the replicas diverge: a real
 * checkpoint copies the PVM into the SVM and the session goes on. Then the primary process is killed
 * (SIGKILL) and the secondary takes over the same session.
 */
@Timeout(240)
class KvmColoCommandTest {
    @TempDir
    Path tmp;

    private LabTopology net;
    private final List<Process> nodes = new ArrayList<>();

    @AfterEach
    void teardown() throws Exception {
        for (Process p : nodes) {
            p.destroyForcibly();
            p.waitFor();
        }
        if (net != null) {
            net.close();
        }
    }

    private Process colo(String name, String... args) throws Exception {
        Process p = ColoProcesses.startColo(tmp.resolve(name + ".log"), List.of(), List.of(args));
        nodes.add(p);
        return p;
    }

    private String log(String name) throws Exception {
        return Files.readString(tmp.resolve(name + ".log"));
    }

    private void awaitLog(String name, String text, long ms) throws Exception {
        long deadline = System.currentTimeMillis() + ms;
        while (!log(name).contains(text)) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("no '" + text + "' in the " + name + " log:\n" + log(name));
            }
            Thread.sleep(50);
        }
    }

    private String tails() {
        try {
            StringBuilder b = new StringBuilder();
            for (String name : new String[] {"primary", "secondary"}) {
                List<String> lines = Files.readAllLines(tmp.resolve(name + ".log"));
                b.append("--- ").append(name).append(" log (last 40 lines)\n");
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> b.append(l).append('\n'));
            }
            return b.toString();
        } catch (java.io.IOException e) {
            return "(logs unreadable: " + e.getMessage() + ")";
        }
    }


    @Test
    void twoKvmReplicasServeOneSessionThroughADivergenceAndAFailover() throws Exception {
        assumeTrue(KvmDevice.available(), "/dev/kvm missing: skipped");
        assumeTrue(LabTopology.available(), "ip, ethtool, curl, python3 or tcpdump missing: skipped");
        assumeTrue(Shell.has("socat"), "socat missing: skipped");
        net = new LabTopology();
        String[] ports = {"--checkpoint-port", "" + ColoProcesses.freePort(), "--mirror-port", "" + ColoProcesses.freePort(), "--redirect-port", "" + ColoProcesses.freePort()};
        // Both nodes on one host, so the link cannot break apart from them: `always` (named, as it must be) is safe here.
        List<String> common = new ArrayList<>(List.of("--vm", "kvm", "--vm-ip", LabTopology.VM_IP + "/24", "--stats-interval", "1",
                "--arbiter", "always"));
        common.addAll(List.of(ports));
        List<String> p = new ArrayList<>(common);
        p.addAll(List.of("primary", "--vm-tap", "pt" + net.tag, "--net-port", "afpacket:" + net.primaryNet, "--listen", "127.0.0.1",
                "--control", tmp.resolve("primary.sock").toString())); // not /run/colo: a killed node leaves its socket
        p.add(0, p.remove(p.indexOf("primary")));
        colo("primary", p.toArray(String[]::new));
        awaitLog("primary", "colo primary: checkpoint", 20_000);
        List<String> s = new ArrayList<>(common);
        s.addAll(0, List.of("secondary", "--vm-tap", "st" + net.tag, "--primary", "127.0.0.1", "--net-port", "afpacket:" + net.secondaryNet,
                "--control", tmp.resolve("secondary.sock").toString()));
        colo("secondary", s.toArray(String[]::new));
        awaitLog("primary", "-> PROTECTED", 30_000);

        Process socat = net.start(net.client, null, "socat", "-", "TCP:" + LabTopology.VM_IP + ":9000,connect-timeout=10");
        OutputStream in = socat.getOutputStream();
        BufferedReader outLines = new BufferedReader(new InputStreamReader(socat.getInputStream(), StandardCharsets.UTF_8));
        java.util.function.Function<String, String> ask = line -> {
            try {
                in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
                String answer = outLines.readLine();
                if (answer == null) {
                    throw new AssertionError("session closed after '" + line + "'\n" + tails());
                }
                return answer;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        assertEquals("OK", ask.apply("SET owner colo"));
        assertEquals("1", ask.apply("INCR n"));
        assertEquals("2", ask.apply("INCR n"));
        assertTrue(!log("primary").contains("divergence #"), "identical replicas, different ISNs: no divergence\n" + log("primary"));

        String tsc = ask.apply("TSC");
        assertTrue(tsc.matches("\\d+"), tsc);
        awaitLog("primary", "divergence #1", 10_000);
        awaitLog("primary", "ON_DEMAND", 10_000);
        assertEquals("3", ask.apply("INCR n"), "the session goes on after the checkpoint");
        assertEquals("VALUE colo", ask.apply("GET owner"));

        nodes.get(0).destroyForcibly(); // the primary's host dies
        nodes.get(0).waitFor();
        awaitLog("secondary", "-> PROMOTED", 20_000);
        assertEquals("VALUE colo", ask.apply("GET owner"), "the SVM serves the same session");
        assertEquals("4", ask.apply("INCR n"));
        assertEquals("BYE", ask.apply("QUIT"));
        socat.destroyForcibly();
    }
}
