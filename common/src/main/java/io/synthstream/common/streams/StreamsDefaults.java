package io.synthstream.common.streams;

import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.dlq.DeadLetterDeserializationHandler;
import io.synthstream.common.dlq.DeadLetterProcessingHandler;
import io.synthstream.schemas.serde.AvroSerdeConfig;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;

/**
 * The Kafka Streams settings every SynthStream app runs with (README, "Guarantees and failure policy"):
 *
 * <ul>
 *   <li>{@code exactly_once_v2} unless configured otherwise;
 *   <li>{@code ensure.explicit.internal.resource.naming=true}: a topology with an auto-named store
 *       or internal topic refuses to start, so a refactor never orphans a changelog;
 *   <li>deserialization and processing errors go to {@code synth.dlq} and the app keeps running;
 *   <li>production errors FAIL (the default): an output that cannot be written must stop the app
 *       rather than be dropped;
 *   <li>processing errors in global-table processors are not handed to the DLQ handler (Kafka 4.3
 *       would drop their dead letters), so they stop the app instead of losing a record;
 *   <li>replication of internal topics follows {@code topic.replication.factor};
 *   <li>a 15 s consumer session timeout, so a crashed thread's partitions move on quickly.
 * </ul>
 *
 * {@code kafka.}-prefixed settings reach every client; {@code streams.}-prefixed ones override
 * anything here.
 */
public final class StreamsDefaults {
    /** Streams property carrying the app's MeterRegistry to the DLQ handlers. */
    public static final String METER_REGISTRY_CONFIG = "synth.internal.meter.registry";

    private StreamsDefaults() {}

    public static Properties properties(SynthConfig config) {
        Properties props = new Properties();
        props.putAll(config.kafkaClientProperties());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.get(SynthConfig.PROCESSING_GUARANTEE));
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.get(SynthConfig.NUM_STREAM_THREADS));
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.get(SynthConfig.STATE_DIR));
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.get(SynthConfig.TOPIC_REPLICATION_FACTOR));
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterDeserializationHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingHandler.class);
        props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DefaultProductionExceptionHandler.class);
        // Kafka 4.3 cannot send dead letters from global-table processors: with the handler enabled
        // there, a failed record would be dropped with only a log line. Off, the error stops the app.
        // (Streams logs a warning recommending "true" at every start; that is expected.)
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, false);
        // The DLQ handlers serialize DeadLetter records with the app's registry.
        props.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, config.schemaRegistryUrl());
        if (config.schemaRegistryUserInfo() != null) {
            props.put(AvroSerdeConfig.BASIC_AUTH_USER_INFO, config.schemaRegistryUserInfo());
        }
        // A dead stream thread's partitions wait for its group session to expire before another
        // thread takes them: 15 s instead of the 45 s default bounds crash recovery (measured:
        // ~44 s with the default, ~9 s with 10 s in StreamsAppExactlyOnceIT).
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 15_000);
        props.putAll(config.streamsOverrides());
        return props;
    }
}
