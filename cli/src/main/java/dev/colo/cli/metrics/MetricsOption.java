package dev.colo.cli.metrics;

import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code --metrics HOST:PORT}: serve Prometheus metrics over HTTP at /metrics. */
public final class MetricsOption {
    @Option(names = "--metrics", paramLabel = "HOST:PORT",
            description = {"Serve Prometheus metrics (text exposition) at http://HOST:PORT/metrics: frames in and out,",
                "releases, divergences and checkpoints by reason, drops by cause, back-pressure, hold and pause",
                "times. Port 0 picks a free port (printed). Off by default."})
    String address;

    /** Checks the address before the node starts; a bad one is a usage error. */
    public void validate(CommandSpec spec) {
        if (address != null) {
            parse(spec);
        }
    }

    /** Starts serving {@code metrics} if asked (null otherwise) and says where. */
    public MetricsServer start(CommandSpec spec, ColoMetrics metrics, PrintWriter out) throws IOException {
        if (address == null) {
            return null;
        }
        java.net.InetSocketAddress at = parse(spec);
        MetricsServer server = MetricsServer.start(at, metrics.registry());
        out.println(spec.name() + ": metrics at http://" + server.hostPort() + "/metrics");
        out.flush();
        return server;
    }

    private java.net.InetSocketAddress parse(CommandSpec spec) {
        try {
            return MetricsServer.parse(address);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--metrics: " + e.getMessage());
        }
    }
}
