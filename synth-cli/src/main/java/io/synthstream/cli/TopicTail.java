package io.synthstream.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic from the beginning without a consumer group (read_committed, so only what the apps
 * committed): {@link #readAll} up to the current end, or {@link #follow} until told to stop.
 */
final class TopicTail<V> implements AutoCloseable {
    private final KafkaConsumer<String, V> consumer;
    private final List<TopicPartition> partitions = new ArrayList<>();

    /** @param cluster where, and with which client settings (security included) from the environment or file */
    TopicTail(ClusterOptions cluster, String topic, Deserializer<V> values) {
        String bootstrapServers = cluster.bootstrapServers;
        Map<String, Object> props = new HashMap<>(cluster.clientProperties());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "synth-cli-" + UUID.randomUUID());
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), values);
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
        } catch (TimeoutException e) {
            consumer.close(Duration.ZERO);
            throw new IllegalStateException("Kafka at " + bootstrapServers + " is unreachable (no answer in 10 s)");
        }
        if (infos == null || infos.isEmpty()) {
            consumer.close(Duration.ZERO);
            throw new IllegalStateException("Topic " + topic + " does not exist at " + bootstrapServers
                    + " (run `synth topics create` on a new cluster)");
        }
        infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Every record from the beginning to the end offsets as of now. */
    List<ConsumerRecord<String, V>> readAll() {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        List<ConsumerRecord<String, V>> out = new ArrayList<>();
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
            consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        return out;
    }

    /** Every record of {@code topic} from the beginning to its end offsets as of now, decoded. */
    static <V> List<ConsumerRecord<String, V>> readAll(
            ClusterOptions cluster, io.synthstream.common.topics.TopicSpec<?, V> topic) {
        try (TopicTail<V> tail = new TopicTail<>(
                cluster, topic.name(), cluster.serdes().value(topic).deserializer())) {
            return tail.readAll();
        }
    }

    /** Polls once and hands each record to {@code sink}. */
    void poll(Duration timeout, Consumer<ConsumerRecord<String, V>> sink) {
        consumer.poll(timeout).forEach(sink);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(1));
    }
}
