package dev.colo.cli;

import dev.colo.checkpoint.arbiter.HostPort;
import dev.colo.checkpoint.arbiter.LeaseEvent;
import dev.colo.checkpoint.arbiter.WitnessServer;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

@Command(name = "witness",
        header = "Runs the witness: the lease service that decides who may be primary.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs the witness: a small lease service, on a third machine, that decides",
            "which replica may be primary. The primary holds a lease here and renews it;",
            "a secondary that loses its primary may take over only once that lease has",
            "expired, so a broken link between two live replicas cannot make both primary.",
            "",
            "Without a witness (arbiter 'always') two replicas cannot tell a dead peer",
            "from a broken link: if the link fails while both run, both act as primary",
            "(split brain) and clients may get diverging answers. Run the witness on a",
            "machine that fails independently of both replicas.",
            "",
            "Logs one line per lease change (granted to a new holder, expired, released).",
            "Stops on SIGINT/SIGTERM. Leases live in memory only, so after a start the",
            "witness grants no takeover for 1.5 x the lease a claim names (a lease of a",
            "previous run may still be live); the holder's renewals are granted at once."},
        footer = {
            "%nExamples:",
            "  colo witness",
            "  colo witness --listen 10.0.0.3:" + WitnessServer.DEFAULT_PORT,
            "  colo witness --listen [::]:" + WitnessServer.DEFAULT_PORT,
            "Replicas name it with the arbiter spec witness:HOST:PORT.",
            "%nExit codes:",
            "  2    bad command line",
            "  4    cannot listen (address in use, no such interface) or internal error",
            "  130  stopped by SIGINT, 143 by SIGTERM (the usual signal codes)"})
public final class WitnessCommand implements Callable<Integer> {
    /** All IPv4 interfaces on the default witness port ({@value WitnessServer#DEFAULT_PORT}). */
    public static final String DEFAULT_LISTEN = "0.0.0.0:" + WitnessServer.DEFAULT_PORT;

    @Spec
    CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = DEFAULT_LISTEN, converter = HostPortConverter.class,
            description = "Address to listen on, IPv6 in brackets ([::]:PORT). Default: ${DEFAULT-VALUE}.")
    HostPort listen;

    /** Turns picocli's text into a HostPort, with the parser's explanation as the usage error. */
    static final class HostPortConverter implements ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            try {
                return HostPort.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        WitnessServer server = new WitnessServer(new InetSocketAddress(listen.host(), listen.port()),
                System::nanoTime, event -> log(out, event), WitnessServer.Limits.DEFAULTS)
                // This may be a restart: a lease granted by the previous run may still be trusted by its holder.
                .restartQuietPeriod(true);
        InetSocketAddress bound = server.start();
        Thread closeOnSignal = new Thread(server::close, "colo-witness-shutdown");
        Runtime.getRuntime().addShutdownHook(closeOnSignal);
        log(out, "witness listening on " + new HostPort(bound.getAddress().getHostAddress(), bound.getPort()));
        log(out, "quiet period: for 1.5 x the lease each claim names, no takeover is granted (renewals by a holder of the"
                + " previous run only): a lease granted before a restart may still be live");
        try {
            server.awaitClose();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            server.close();
            removeHook(closeOnSignal);
        }
        log(out, "witness stopped");
        return ExitCodes.OK;
    }

    /** One lease change as a log line. */
    static String format(Instant at, LeaseEvent event) {
        return format(at, event.describe());
    }

    static String format(Instant at, String message) {
        return at.truncatedTo(ChronoUnit.MILLIS) + " " + message;
    }

    private static void log(PrintWriter out, LeaseEvent event) {
        log(out, event.describe());
    }

    private static void log(PrintWriter out, String message) {
        out.println(format(Instant.now(), message));
        out.flush();
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is already exiting and the hook is running: nothing to undo.
        }
    }
}
