package io.synthstream.common.llm;

import io.synthstream.avro.StoredResponse;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.topics.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Where the LLM runtime keeps every paid reply the moment it arrives: {@code synth.llm-responses},
 * through an idempotent producer of its own, outside every stream transaction (docs/spend.md).
 * The runtime hands a reply to its stream task only once the record is acknowledged, so a reply a
 * task has seen is always durable: after a crash, the re-issued call finds it there.
 */
public interface ResponseLog extends AutoCloseable {
    /**
     * Writes {@code reply} under each of {@code keys}; the future completes when the first key's
     * record is acknowledged, or exceptionally when it could not be written. Must not block.
     */
    CompletableFuture<Void> keep(List<String> keys, StoredResponse reply);

    @Override
    void close();

    /** A log on the cluster of {@code config}, with the producer settings of {@link #producerSettings}. */
    static ResponseLog kafka(SynthConfig config) {
        SynthSerdes serdes = SynthSerdes.from(config);
        KafkaProducer<String, StoredResponse> producer = new KafkaProducer<>(
                producerSettings(config),
                new StringSerializer(),
                serdes.value(Topics.LLM_RESPONSES).serializer());
        return of(producer);
    }

    /**
     * Idempotent, every replica acknowledging, and quick to give up when the topic is unavailable
     * (the call then proceeds unsaved, counted and warned about, as calls did before replies were
     * kept): a metadata wait of at most 2 s and a delivery timeout of 10 s.
     */
    static Map<String, Object> producerSettings(SynthConfig config) {
        Map<String, Object> props = config.kafkaClientProperties();
        props.put(ProducerConfig.CLIENT_ID_CONFIG, config.applicationId() + "-llm-responses");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) Duration.ofSeconds(2).toMillis());
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int)
                Duration.ofSeconds(5).toMillis());
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int)
                Duration.ofSeconds(10).toMillis());
        return props;
    }

    /** A log that writes with {@code producer} (which it closes). */
    static ResponseLog of(Producer<String, StoredResponse> producer) {
        return new ResponseLog() {
            @Override
            public CompletableFuture<Void> keep(List<String> keys, StoredResponse reply) {
                CompletableFuture<Void> first = new CompletableFuture<>();
                for (int i = 0; i < keys.size(); i++) {
                    boolean tracked = i == 0;
                    try {
                        producer.send(
                                new ProducerRecord<>(
                                        Topics.LLM_RESPONSES.name(),
                                        null,
                                        reply.getAnsweredAt().toEpochMilli(),
                                        keys.get(i),
                                        reply),
                                (metadata, error) -> {
                                    if (tracked) {
                                        if (error == null) {
                                            first.complete(null);
                                        } else {
                                            first.completeExceptionally(error);
                                        }
                                    }
                                });
                    } catch (RuntimeException e) { // metadata wait over, serializer or registry failure
                        if (tracked) {
                            first.completeExceptionally(e);
                        }
                    }
                }
                return first;
            }

            @Override
            public void close() {
                producer.close(Duration.ofSeconds(5));
            }
        };
    }
}
