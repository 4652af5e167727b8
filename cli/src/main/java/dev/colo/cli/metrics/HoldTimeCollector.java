package dev.colo.cli.metrics;

import dev.colo.compare.HoldTimeHistogram;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.function.Supplier;

/**
 * {@code colo_hold_time_seconds}: how long released primary frames were held, read at scrape time from the
 * comparator's own {@link HoldTimeHistogram} (recorded on the comparator's thread anyway: nothing is added per
 * frame). That histogram offers quantiles only; the count of values at or below a bound is found by a binary
 * search over ranks. Its buckets are log-linear with 3 significant bits, so a value is counted at the upper
 * bound of its own bucket: a bucket {@code le} here counts the values whose comparator bucket ends at or below
 * {@code le} (a value up to 12.5 % below {@code le} may be counted in the next bucket up, never in a lower one).
 * The comparator histogram keeps no sum, so {@code _sum} is an estimate: each bucket's count times its
 * midpoint. The histogram is written by the comparator's thread without fences; a scrape may see it mid-update
 * (counts are made monotonic).
 */
final class HoldTimeCollector implements Collector {
    static final String NAME = "colo_hold_time_seconds";
    /** Bucket bounds in seconds: 10 us to 30 s, about three per decade. */
    static final double[] BOUNDS = {10e-6, 25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3,
        250e-3, 500e-3, 1, 2.5, 5, 10, 30};

    private final Supplier<HoldTimeHistogram> histogram;

    HoldTimeCollector(Supplier<HoldTimeHistogram> histogram) {
        this.histogram = histogram;
    }

    @Override
    public MetricSnapshot collect() {
        HoldTimeHistogram h = histogram.get();
        ClassicHistogramBuckets.Builder buckets = ClassicHistogramBuckets.builder();
        long total = h == null ? 0 : h.count();
        long previous = 0;
        double previousBound = 0;
        double sum = 0;
        for (double bound : BOUNDS) {
            long atOrBelow = Math.max(previous, Math.min(total, countAtOrBelow(h, total, Math.round(bound * 1e9))));
            buckets.bucket(bound, atOrBelow - previous);
            sum += (atOrBelow - previous) * (previousBound + bound) / 2;
            previous = atOrBelow;
            previousBound = bound;
        }
        long above = total - previous;
        buckets.bucket(Double.POSITIVE_INFINITY, above);
        if (above > 0) {
            double max = h.max() / 1e9;
            sum += above * (previousBound + Math.max(previousBound, max)) / 2;
        }
        return HistogramSnapshot.builder().name(NAME)
                .help("Time released primary frames were held before release (from the comparator's histogram, 12.5 % resolution; _sum estimated)")
                .dataPoint(HistogramDataPointSnapshot.builder().classicHistogramBuckets(buckets.build()).sum(sum).build())
                .build();
    }

    /** Values recorded at or below {@code nanos}: the largest rank whose quantile is at or below it. */
    static long countAtOrBelow(HoldTimeHistogram h, long total, long nanos) {
        if (h == null || total == 0) {
            return 0;
        }
        long lo = 0;
        long hi = total;
        while (lo < hi) {
            long mid = lo + (hi - lo + 1) / 2;
            // rank mid: q = (mid - 0.5) / total, so ceil(q * total) == mid without rounding trouble
            if (h.quantile((mid - 0.5) / total) <= nanos) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    @Override
    public String getPrometheusName() {
        return NAME;
    }
}
