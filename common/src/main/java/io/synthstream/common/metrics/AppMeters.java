package io.synthstream.common.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Optional;

/**
 * One processor's handle on its app's meters: the registry the app passed to Kafka Streams in its
 * configs ({@link SynthMeters#fromAppConfigs}), or none (topology tests that do not ask for one),
 * in which case recording does nothing. Processors therefore record unconditionally. Every meter
 * is one of the {@link SynthMeters} catalogue and carries the {@code app} tag first.
 */
public final class AppMeters {
    private final MeterRegistry registry;
    private final String app;

    private AppMeters(MeterRegistry registry, String app) {
        this.registry = registry;
        this.app = app;
    }

    /** The meters of the app whose Streams configs are {@code appConfigs}. */
    public static AppMeters from(Map<String, ?> appConfigs, String app) {
        return new AppMeters(SynthMeters.fromAppConfigs(appConfigs).orElse(null), app);
    }

    /** Meters that record nothing. */
    public static AppMeters none(String app) {
        return new AppMeters(null, app);
    }

    public String app() {
        return app;
    }

    /** The registry, when the app has one (to bind further meters, e.g. the LLM runtime's). */
    public Optional<MeterRegistry> registry() {
        return Optional.ofNullable(registry);
    }

    /**
     * Adds one to a counter of the catalogue.
     *
     * @param tagValues the values of the meter's tags after {@code app}, in declared order
     */
    public void count(SynthMeters meter, String... tagValues) {
        count(meter, 1, tagValues);
    }

    /** Adds {@code amount} to a counter of the catalogue. */
    public void count(SynthMeters meter, double amount, String... tagValues) {
        if (registry == null || amount == 0) {
            return;
        }
        String[] tags = new String[tagValues.length + 1];
        tags[0] = app;
        System.arraycopy(tagValues, 0, tags, 1, tagValues.length);
        meter.counter(registry, tags).increment(amount);
    }

    /** A holder for gauges of datasets' report values, owned by one processor. */
    public DatasetGauges datasetGauges() {
        return new DatasetGauges(registry, app);
    }
}
