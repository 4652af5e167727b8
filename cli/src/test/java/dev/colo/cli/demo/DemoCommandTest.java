package dev.colo.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.colo.lab.LabTopology;
import dev.colo.lab.Shell;
import dev.colo.kvm.vmm.KvmDevice;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `colo demo` end to end, as a user runs it (a process of its own), judged from what it reports about the
 * client's side: every step passed (or, with namespace replicas, the checkpoint step not shown), the
 * download intact across the failover, the outage measured, and nothing of it left on the machine.
 */
@Timeout(400)
class DemoCommandTest {
    @TempDir
    Path tmp;

    private record Run(int exit, String output) {
    }

    private Run demo(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("demo", "--plain", "--log-dir", tmp.resolve("logs").toString()));
        cmd.addAll(List.of(args));
        Path out = tmp.resolve("demo.out");
        Process p = ColoProcesses.startColo(out, List.of(), cmd);
        if (!p.waitFor(360, TimeUnit.SECONDS)) {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
            throw new AssertionError("colo demo did not finish:\n" + Files.readString(out, StandardCharsets.UTF_8));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    private static void assumeLab() {
        assumeTrue("root".equals(ProcessHandle.current().info().user().orElse("")), "needs root: skipped");
        assumeTrue(LabTopology.available(), "ip, ethtool, curl, python3 or tcpdump missing: skipped");
        for (String tool : new String[] {"redis-cli", "socat"}) {
            try {
                assumeTrue(Shell.run(false, "sh", "-c", "command -v " + tool).exit() == 0, tool + " missing: skipped");
            } catch (Exception e) {
                assumeTrue(false, "cannot run sh: " + e.getMessage());
            }
        }
    }

    private static void assertNothingLeft() throws Exception {
        String namespaces = Shell.run(false, "ip", "netns", "list").output();
        assertFalse(namespaces.contains("cc" + Demo.LAB_ID) || namespaces.contains("cp" + Demo.LAB_ID), "namespaces left: " + namespaces);
        assertTrue(Shell.run(false, "ip", "link", "show", "cb" + Demo.LAB_ID).exit() != 0, "the bridge was left");
    }

    private static void assertFailoverHeld(String out) {
        assertTrue(out.matches("(?s).*PASSED +1\\. HTTP download and Redis session, no divergence.*"), out);
        assertTrue(out.matches("(?s).*PASSED +3\\. primary killed mid-download.*download of [\\d,]+ bytes intact \\(same sha256\\).*"), out);
        assertTrue(out.matches("(?s).*outage seen by the client at failover: \\d+ ms.*"), out);
    }

    @Test
    void withNamespaceReplicasEveryStepButTheCheckpointHoldsAndALeftoverIsCleared() throws Exception {
        assumeLab();
        assumeTrue(Shell.run(false, "sh", "-c", "command -v redis-server").exit() == 0, "redis-server missing: skipped");
        // What a killed run would leave: the demo's client namespace.
        Shell.run(false, "ip", "netns", "add", "cc" + Demo.LAB_ID);
        Run run = demo("--replicas", "namespaces", "--download-mb", "8");
        assertEquals(Demo.EXIT_NO_KVM, run.exit(), run.output());
        assertTrue(run.output().contains("removed 1 namespaces and links an earlier run left behind"), run.output());
        assertTrue(run.output().matches("(?s).*NOT_SHOWN +2\\..*cannot be checkpointed.*"), run.output());
        assertFailoverHeld(run.output());
        assertNothingLeft();
    }

    @Test
    void withKvmGuestsEveryStepHolds() throws Exception {
        assumeLab();
        assumeTrue(KvmDevice.available(), "/dev/kvm missing: skipped");
        Run run = demo("--replicas", "kvm", "--download-mb", "8");
        assertEquals(Demo.EXIT_OK, run.exit(), run.output());
        assertTrue(run.output().matches("(?s).*PASSED +2\\. nondeterministic answer.*GET /tsc answered (\\d+): the PVM's bytes \\(\"[^\"]*\\1[^\"]*\"\\), not the SVM's.*checkpoint committed.*"),
                run.output());
        // Read from the primary's --metrics endpoint before the kill: the checkpoints of steps 1-2 and the releases.
        assertTrue(run.output().matches("(?s).*hold time of released output \\(primary\\): p50 <= [0-9.]+ ms, p99 <= [0-9.]+ ms \\(\\d+ samples\\).*"), run.output());
        assertTrue(run.output().matches("(?s).*checkpoint pause \\(primary\\): p50 <= [0-9.]+ ms, p99 <= [0-9.]+ ms \\(\\d+ samples\\).*"), run.output());
        assertFailoverHeld(run.output());
        assertNothingLeft();
    }
}
