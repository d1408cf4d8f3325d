package io.synthstream.bench;

import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.topics.TopicSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reading a topic from outside the apps, as the harnesses check their results. */
final class TopicReads {
    private TopicReads() {}

    /**
     * Every committed record of {@code topic} up to its current end, decoded ({@code null} for a
     * tombstone), in partition order.
     */
    static <V> void read(String bootstrapServers, SynthSerdes serdes, TopicSpec<?, V> topic, Consumer<V> sink) {
        var values = serdes.value(topic).deserializer();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers,
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(p -> new TopicPartition(topic.name(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200))
                        .forEach(r ->
                                sink.accept(r.value() == null ? null : values.deserialize(topic.name(), r.value())));
            }
        }
    }
}
