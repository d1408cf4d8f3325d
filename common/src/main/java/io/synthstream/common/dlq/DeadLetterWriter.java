package io.synthstream.common.dlq;

import io.micrometer.core.instrument.MeterRegistry;
import io.synthstream.avro.DeadLetter;
import io.synthstream.common.metrics.SynthMeters;
import io.synthstream.common.topics.Topics;
import io.synthstream.schemas.serde.SpecificAvroSerializer;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Turns a {@link DeadLetter} into the raw record Kafka Streams writes to {@code synth.dlq} from an
 * exception handler (KIP-1034), inside the task's transaction, and counts it in the metrics.
 *
 * <p>Configured from the Streams properties: {@code application.id}, the schema registry settings
 * and, when the app provides one, its {@link MeterRegistry} (see {@link SynthMeters#fromAppConfigs}).
 */
final class DeadLetterWriter {
    private final String app;
    private final SpecificAvroSerializer<DeadLetter> serializer = new SpecificAvroSerializer<>();
    private final MeterRegistry meters;

    DeadLetterWriter(Map<String, ?> configs) {
        Object appId = configs.get(StreamsConfig.APPLICATION_ID_CONFIG);
        this.app = appId == null ? "unknown" : appId.toString();
        this.serializer.configure(configs, false);
        this.meters = SynthMeters.fromAppConfigs(configs).orElse(null);
    }

    String app() {
        return app;
    }

    /** The record for {@code synth.dlq}, keyed by the original key bytes. */
    ProducerRecord<byte[], byte[]> toRecord(DeadLetter letter, byte[] originalKey) {
        byte[] value = serializer.serialize(Topics.DLQ.name(), letter);
        if (meters != null) {
            SynthMeters.deadLetters(meters, app, letter.getStage(), letter.getReason())
                    .increment();
        }
        return new ProducerRecord<>(
                Topics.DLQ.name(), null, letter.getFailedAt().toEpochMilli(), originalKey, value);
    }
}
