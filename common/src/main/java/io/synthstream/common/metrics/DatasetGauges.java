package io.synthstream.common.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@link SynthMeters#DATASET_METRIC} gauges of the datasets one processor reports on: a
 * dataset's latest report values, registered on first use and removed when the dataset goes idle
 * or the processor closes (its task moved), so a long-running app keeps gauges only for the
 * datasets it is reporting on. No static state: each holder belongs to one processor and its
 * registry. Without a registry it records nothing. Used by one stream thread.
 */
public final class DatasetGauges implements AutoCloseable {
    private final MeterRegistry registry;
    private final String app;
    private final Map<String, Map<String, Held>> datasets = new HashMap<>();

    private record Held(Gauge gauge, AtomicReference<Double> value) {}

    DatasetGauges(MeterRegistry registry, String app) {
        this.registry = registry;
        this.app = app;
    }

    /** Sets a dataset's value of {@code metric}; null shows as NaN. */
    public void set(String dataset, String metric, Double value) {
        if (registry == null) {
            return;
        }
        Held held = datasets.computeIfAbsent(dataset, d -> new HashMap<>())
                .computeIfAbsent(metric, m -> register(dataset, m));
        held.value().set(value == null ? Double.NaN : value);
    }

    /** Removes a dataset's gauges (it went idle here, or moved to another instance). */
    public void remove(String dataset) {
        Map<String, Held> metrics = datasets.remove(dataset);
        if (metrics != null) {
            metrics.values().forEach(held -> registry.remove(held.gauge()));
        }
    }

    /** The datasets with gauges here. */
    public java.util.Set<String> datasets() {
        return java.util.Set.copyOf(datasets.keySet());
    }

    @Override
    public void close() {
        for (String dataset : datasets()) {
            remove(dataset);
        }
    }

    private Held register(String dataset, String metric) {
        AtomicReference<Double> value = new AtomicReference<>(Double.NaN);
        Gauge.Builder<AtomicReference<Double>> builder = Gauge.builder(
                        SynthMeters.DATASET_METRIC.meterName(), value, v -> v.get())
                .description(SynthMeters.DATASET_METRIC.description())
                .tag("app", app)
                .tag("dataset", dataset)
                .tag("metric", metric);
        // A gauge of the same name and tags left by this dataset's previous owner on this
        // instance (a task that moved and has not closed yet) would keep reading its old holder.
        Meter earlier = registry.find(SynthMeters.DATASET_METRIC.meterName())
                .tags("app", app, "dataset", dataset, "metric", metric)
                .gauge();
        if (earlier != null) {
            registry.remove(earlier);
        }
        return new Held(builder.register(registry), value);
    }
}
