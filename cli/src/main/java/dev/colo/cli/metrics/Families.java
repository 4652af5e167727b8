package dev.colo.cli.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * Counter and gauge families whose samples are read at scrape time from the counters the node keeps anyway
 * (callback style): nothing is added to the frame path. A family may take samples from several sources (the
 * comparator's and the node's drops, say); a sample whose supplier gives NaN is left out of that scrape (a
 * port that cannot count its kernel drops, a gate not made yet).
 */
final class Families implements MultiCollector {
    private enum Type { COUNTER, GAUGE }

    private record Sample(Labels labels, DoubleSupplier value) {
    }

    private record Dynamic(Supplier<List<LabelledValue>> values) {
    }

    /** One sample of a family whose label values are known only at scrape time (the coordinator's state). */
    record LabelledValue(Labels labels, double value) {
    }

    private static final class Family {
        final String name;
        final String help;
        final Type type;
        final List<Sample> samples = new ArrayList<>();
        final List<Dynamic> dynamic = new ArrayList<>();

        Family(String name, String help, Type type) {
            this.name = name;
            this.help = help;
            this.type = type;
        }
    }

    private final Map<String, Family> families = new LinkedHashMap<>();

    /** A counter sample; {@code name} ends in _total, {@code labels} are name, value pairs. */
    Families counter(String name, String help, DoubleSupplier value, String... labels) {
        if (!name.endsWith("_total")) {
            throw new IllegalArgumentException("a counter's name ends in _total: " + name);
        }
        family(name.substring(0, name.length() - "_total".length()), help, Type.COUNTER).samples.add(new Sample(Labels.of(labels), value));
        return this;
    }

    Families gauge(String name, String help, DoubleSupplier value, String... labels) {
        family(name, help, Type.GAUGE).samples.add(new Sample(Labels.of(labels), value));
        return this;
    }

    Families counters(String name, String help, Supplier<List<LabelledValue>> values) {
        family(name.substring(0, name.length() - "_total".length()), help, Type.COUNTER).dynamic.add(new Dynamic(values));
        return this;
    }

    Families gauges(String name, String help, Supplier<List<LabelledValue>> values) {
        family(name, help, Type.GAUGE).dynamic.add(new Dynamic(values));
        return this;
    }

    private Family family(String name, String help, Type type) {
        Family f = families.computeIfAbsent(name, n -> new Family(n, help, type));
        if (f.type != type) {
            throw new IllegalArgumentException(name + " is already a " + f.type);
        }
        return f;
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        for (Family f : families.values()) {
            List<LabelledValue> values = new ArrayList<>();
            for (Sample s : f.samples) {
                double v = s.value().getAsDouble();
                if (!Double.isNaN(v)) {
                    values.add(new LabelledValue(s.labels(), v));
                }
            }
            for (Dynamic d : f.dynamic) {
                values.addAll(d.values().get());
            }
            if (f.type == Type.COUNTER) {
                CounterSnapshot.Builder b = CounterSnapshot.builder().name(f.name).help(f.help);
                for (LabelledValue v : values) {
                    b.dataPoint(CounterDataPointSnapshot.builder().labels(v.labels()).value(Math.max(0, v.value())).build());
                }
                out.add(b.build());
            } else {
                GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(f.name).help(f.help);
                for (LabelledValue v : values) {
                    b.dataPoint(GaugeDataPointSnapshot.builder().labels(v.labels()).value(v.value()).build());
                }
                out.add(b.build());
            }
        }
        return new MetricSnapshots(out);
    }

    @Override
    public List<String> getPrometheusNames() {
        return new ArrayList<>(families.keySet());
    }
}
