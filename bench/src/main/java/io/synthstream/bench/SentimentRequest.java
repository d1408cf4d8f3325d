package io.synthstream.bench;

import io.synthstream.common.topics.Topics;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** The harnesses' request: short reviews of four products with a sentiment label, as plain JSON. */
final class SentimentRequest {
    private SentimentRequest() {}

    /**
     * @param evaluation the request's {@code evaluation} object, as JSON
     * @param quality the request's {@code quality} object, as JSON
     */
    static String json(String id, int count, String evaluation, String quality) {
        return """
                {"request_id": "%s", "dataset": "%s",
                 "task": {"kind": "classification", "description": "short customer reviews of consumer electronics",
                          "labels": ["positive", "negative", "neutral"]},
                 "count": %d,
                 "attributes": [{"name": "product", "values": [{"value": "phone"}, {"value": "laptop"},
                                 {"value": "headphones"}, {"value": "camera"}]}],
                 "sampling_mode": "balanced", "seed": 7,
                 "evaluation": %s,
                 "quality": %s}
                """.formatted(id, id, count, evaluation, quality);
    }

    /** Publishes {@code json} to {@code synth.requests.json}, acknowledged by every in-sync replica. */
    static void submit(String bootstrapServers, String id, String json) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.REQUESTS_JSON.name(), id, json))
                    .get(60, TimeUnit.SECONDS);
        }
    }
}
