package dev.colo.cli.demo;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo",
        header = "Runs the whole appliance on this machine and shows it at work.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "With nothing prepared (root needed): a client namespace behind a bridge, the PVM and the SVM",
            "as KVM guests on their taps, `colo primary` and `colo secondary` as two processes linked over",
            "loopback, and `colo witness`. Then, with real clients (curl, redis-cli) in the client namespace:",
            "  1. an HTTP download and a Redis session through COLO, with no divergence;",
            "  2. a nondeterministic request (the guest's TSC): a divergence, a real checkpoint, and the",
            "     client gets the PVM's answer;",
            "  3. the primary is killed (SIGKILL) in the middle of a download: the witness grants the",
            "     takeover, the secondary promotes, the Redis session goes on (a key set before the kill",
            "     is read after it) and the download completes intact; the outage is measured at the client.",
            "A live status shows while it runs; a report at the end. Everything it made is removed at the",
            "end, on failure and on Ctrl-C; a new run also clears what a killed run left.",
            "",
            "Without /dev/kvm it says so, runs the scenario with namespace replicas (which cannot be",
            "checkpointed: step 2 is reported as not shown) and exits 3."},
        footer = {
            "%nExit codes:",
            "  0    every step held",
            "  1    a step failed (the report says which and why)",
            "  2    bad command line",
            "  3    no /dev/kvm: ran with namespace replicas, the checkpoint step not shown",
            "  4    cannot set up (not root, a tool missing, a port or device busy)"})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--download-mb", paramLabel = "MB", defaultValue = "32",
            description = "Size of the downloads (MB). Default: ${DEFAULT-VALUE}.")
    int downloadMb;

    @Option(names = "--client-rate", paramLabel = "BYTES/S", defaultValue = "8M",
            description = "curl's --limit-rate during the failover download, so the kill lands in the middle. Default: ${DEFAULT-VALUE}.")
    String clientRate;

    /** Which replicas run the service. */
    enum Replicas { auto, kvm, namespaces }

    @Option(names = "--replicas", paramLabel = "KIND", defaultValue = "auto",
            description = "kvm (two KVM guests), namespaces (two Linux namespaces running the same servers: no checkpoint"
                    + " can be shown) or auto: kvm where /dev/kvm is, else namespaces. Default: ${DEFAULT-VALUE}.")
    Replicas replicas;

    @Option(names = "--plain", description = "Plain status lines, even on a terminal (no refreshing table).")
    boolean plain;

    @Option(names = "--log-dir", paramLabel = "DIR", defaultValue = "/tmp/colo-demo",
            description = "Where the nodes' and clients' logs go (kept after the run). Default: ${DEFAULT-VALUE}.")
    Path logDir;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (downloadMb < 1 || downloadMb > 4096) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--download-mb must be 1..4096, got " + downloadMb);
        }
        boolean kvm = replicas == Replicas.kvm || (replicas == Replicas.auto && dev.colo.kvm.vmm.KvmDevice.available());
        if (replicas == Replicas.kvm && !dev.colo.kvm.vmm.KvmDevice.available()) {
            out.println("colo demo: --replicas kvm, but this machine has no usable /dev/kvm");
            return Demo.EXIT_SETUP;
        }
        DemoSettings settings = new DemoSettings(downloadMb * 1_000_000L, clientRate, !plain && System.console() != null
                && !"dumb".equals(System.getenv("TERM")), logDir, kvm);
        return new Demo(settings, out).run();
    }
}
