package io.synthstream.curator.processor;

import io.micrometer.core.instrument.MeterRegistry;
import io.synthstream.common.metrics.SynthMeters;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Counts the curator's decisions in {@code synth.curator.samples} (outcome and reason tags, both
 * low-cardinality) and passes each outcome on unchanged. Without a registry in the app's configs
 * (tests that do not ask for one) it only passes records on.
 */
public final class DecisionCounter implements FixedKeyProcessor<String, Outcome, Outcome> {
    private final String app;
    private final String outcome;
    private final Function<Outcome, String> reason;
    private FixedKeyProcessorContext<String, Outcome> context;
    private MeterRegistry meters;

    private DecisionCounter(String app, String outcome, Function<Outcome, String> reason) {
        this.app = app;
        this.outcome = outcome;
        this.reason = reason;
    }

    /** A supplier for one branch: {@code outcome} names it, {@code reason} reads the reason tag. */
    public static FixedKeyProcessorSupplier<String, Outcome, Outcome> counting(
            String app, String outcome, Function<Outcome, String> reason) {
        return () -> new DecisionCounter(app, outcome, reason);
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Outcome> context) {
        this.context = context;
        this.meters = SynthMeters.fromAppConfigs(context.appConfigs()).orElse(null);
    }

    @Override
    public void process(FixedKeyRecord<String, Outcome> record) {
        if (meters != null) {
            SynthMeters.curatorSamples(meters, app, outcome, reason.apply(record.value()))
                    .increment();
        }
        context.forward(record);
    }
}
