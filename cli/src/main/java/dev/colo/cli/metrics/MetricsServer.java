package dev.colo.cli.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The HTTP endpoint of the Prometheus client (the JDK's HTTP server underneath) on one daemon thread of its own:
 * a scrape reads the node's counters from that thread, never from the node's loop.
 */
public final class MetricsServer implements AutoCloseable {
    private final HTTPServer server;
    private final String host;

    private MetricsServer(HTTPServer server, String host) {
        this.server = server;
        this.host = host;
    }

    public static MetricsServer start(InetSocketAddress at, PrometheusRegistry registry) throws IOException {
        ExecutorService one = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "colo-metrics");
            t.setDaemon(true);
            return t;
        });
        HTTPServer s = HTTPServer.builder().inetAddress(at.getAddress()).port(at.getPort()).registry(registry).executorService(one)
                .buildAndStart();
        return new MetricsServer(s, at.getAddress().getHostAddress());
    }

    /** "HOST:PORT", "[V6]:PORT" or ":PORT" (all addresses). */
    public static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("expected HOST:PORT, got '" + hostPort + "'");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + hostPort + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range in '" + hostPort + "'");
        }
        InetSocketAddress a = host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
        if (a.isUnresolved()) {
            throw new IllegalArgumentException("unknown host '" + host + "'");
        }
        return a;
    }

    public int port() {
        return server.getPort();
    }

    public String hostPort() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    @Override
    public void close() {
        server.close();
    }
}
