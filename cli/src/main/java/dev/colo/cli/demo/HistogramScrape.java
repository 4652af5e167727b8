package dev.colo.cli.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node's Prometheus histograms (hold time, checkpoint pause), scraped from its `--metrics` endpoint, and their
 * quantiles as the buckets give them: the upper bound of the bucket the quantile falls in.
 */
final class HistogramScrape {
    private static final Pattern BUCKET = Pattern.compile("^(\\w+)_bucket\\{(?:[^}]*,)?le=\"([^\"]+)\"[^}]*\\} ([0-9.eE+-]+)$");
    private final String text;

    private HistogramScrape(String text) {
        this.text = text;
    }

    static HistogramScrape of(String hostPort) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://" + hostPort + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("metrics at " + hostPort + " answered " + r.statusCode());
        }
        return new HistogramScrape(r.body());
    }

    /** The cumulative buckets of histogram {@code name}: upper bound (seconds) to count. */
    private TreeMap<Double, Double> buckets(String name) {
        TreeMap<Double, Double> b = new TreeMap<>();
        for (String line : text.split("\n")) {
            Matcher m = BUCKET.matcher(line.trim());
            if (m.find() && m.group(1).equals(name)) {
                double le = m.group(2).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(2));
                b.merge(le, Double.parseDouble(m.group(3)), Double::sum);
            }
        }
        return b;
    }

    /** "p50 <= 1.0 ms, p99 <= 3.2 ms (N samples)", or "no samples". */
    String quantiles(String name) {
        TreeMap<Double, Double> b = buckets(name);
        double total = b.isEmpty() ? 0 : b.lastEntry().getValue();
        if (total <= 0) {
            return "no samples";
        }
        return "p50 <= " + millis(at(b, total, 0.50)) + ", p99 <= " + millis(at(b, total, 0.99)) + " (" + (long) total + " samples)";
    }

    private static double at(TreeMap<Double, Double> b, double total, double q) {
        for (Map.Entry<Double, Double> e : b.entrySet()) {
            if (e.getValue() >= q * total) {
                return e.getKey();
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    private static String millis(double seconds) {
        if (Double.isInfinite(seconds)) {
            return "+Inf";
        }
        double ms = seconds * 1000;
        return String.format(java.util.Locale.ROOT, ms >= 100 ? "%.0f ms" : "%.3g ms", ms);
    }
}
