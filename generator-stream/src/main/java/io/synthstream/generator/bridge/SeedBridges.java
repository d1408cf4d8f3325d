package io.synthstream.generator.bridge;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.PlanStatus;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.topics.Topics;
import io.synthstream.generator.logic.Seeds;
import io.synthstream.schemas.serde.GenericAvroDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops the {@link SeedBridge} of every continuous request, beside the generator's
 * topology (a Streams topology cannot subscribe to a topic named at run time). It follows the
 * compacted {@code synth.specs} (which requests take seeds from a topic) and {@code synth.plan}
 * (which of them stopped planning) from the beginning, so after a restart it resumes every bridge
 * whose request is still open. Every generator instance runs one; their bridges of one request
 * share its seed topic's partitions through a consumer group.
 */
public final class SeedBridges implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SeedBridges.class);

    /** How long a bridge that died waits before it starts again. */
    static final long RESTART_BACKOFF_MS = 5_000;

    private final SynthConfig config;
    private final SynthSerdes serdes;
    private final KafkaConsumer<String, byte[]> watcher;
    private final Map<String, GenerationRequest> continuous = new HashMap<>();
    private final Set<String> stopped = new HashSet<>();
    private final Map<String, SeedBridge> running = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Long> diedAt = new HashMap<>();
    private final Thread thread;
    private volatile boolean open = true;

    private SeedBridges(SynthConfig config) {
        this.config = config;
        this.serdes = SynthSerdes.from(config);
        Map<String, Object> props = new HashMap<>(config.kafkaClientProperties());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.watcher = new KafkaConsumer<>(
                props, new StringDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        this.thread = new Thread(this::run, "seed-bridges");
        thread.setDaemon(true);
    }

    /** Starts the supervisor; close it with the app. */
    public static SeedBridges start(SynthConfig config) {
        SeedBridges bridges = new SeedBridges(config);
        bridges.thread.start();
        return bridges;
    }

    private void run() {
        Deserializer<GenerationRequest> specs = serdes.value(Topics.SPECS).deserializer();
        Deserializer<PlanStatus> plans = serdes.value(Topics.PLAN).deserializer();
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.SPECS.name(), Topics.PLAN.name())) {
                List<PartitionInfo> infos = awaitPartitions(topic);
                infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            watcher.assign(partitions);
            watcher.seekToBeginning(partitions);
            while (open) {
                for (ConsumerRecord<String, byte[]> record : watcher.poll(Duration.ofMillis(500))) {
                    if (record.value() == null) {
                        continue;
                    }
                    try {
                        if (record.topic().equals(Topics.SPECS.name())) {
                            GenerationRequest spec = specs.deserialize(record.topic(), record.value());
                            if (Seeds.continuous(spec)) {
                                continuous.put(spec.getRequestId(), spec);
                            }
                        } else {
                            PlanStatus plan = plans.deserialize(record.topic(), record.value());
                            if (plan.getStopped()) {
                                stopped.add(plan.getRequestId());
                            }
                        }
                    } catch (SerializationException e) {
                        log.warn("Seed bridges skip an unreadable record on {}: {}", record.topic(), e.getMessage());
                    }
                }
                reconcile();
            }
        } catch (WakeupException e) {
            // closing
        } catch (KafkaException e) {
            log.error("Seed bridges stopped: {}", e.toString());
        } finally {
            running.values().forEach(SeedBridge::close);
            running.clear();
            watcher.close(Duration.ofSeconds(5));
        }
    }

    private List<PartitionInfo> awaitPartitions(String topic) {
        while (open) {
            List<PartitionInfo> infos = watcher.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos != null && !infos.isEmpty()) {
                return infos;
            }
        }
        throw new WakeupException();
    }

    /** Starts the bridges of open continuous requests (again, if one died) and stops the others. */
    private void reconcile() {
        for (GenerationRequest spec : continuous.values()) {
            String id = spec.getRequestId();
            SeedBridge bridge = running.get(id);
            if (stopped.contains(id)) {
                if (bridge != null) {
                    bridge.close();
                    running.remove(id);
                    log.info("Seed bridge of request {} stopped: the request stopped planning", id);
                }
            } else if (bridge == null || !bridge.alive()) {
                long now = System.currentTimeMillis();
                if (bridge != null) {
                    bridge.close();
                    running.remove(id);
                    diedAt.put(id, now);
                }
                if (now - diedAt.getOrDefault(id, 0L) < RESTART_BACKOFF_MS) {
                    continue;
                }
                SeedBridge started = new SeedBridge(
                        spec,
                        config.applicationId(),
                        config.kafkaClientProperties(),
                        serdes.value(Topics.SEEDS).serializer(),
                        serdes.value(Topics.DLQ).serializer(),
                        new GenericAvroDeserializer(serdes.registry()));
                running.put(id, started);
                started.start();
            }
        }
        continuous.keySet().removeIf(stopped::contains);
    }

    /** The requests whose bridge runs on this instance now. */
    public Set<String> bridging() {
        Set<String> ids = new HashSet<>();
        running.forEach((id, bridge) -> {
            if (bridge.alive()) {
                ids.add(id);
            }
        });
        return ids;
    }

    @Override
    public void close() {
        open = false;
        watcher.wakeup();
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
