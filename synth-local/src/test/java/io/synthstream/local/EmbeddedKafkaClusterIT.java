package io.synthstream.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Three nodes in one JVM: topics replicated three times with {@code min.insync.replicas=2}, and a
 * node's controlled shutdown and restart lose and double nothing that an idempotent producer with
 * {@code acks=all} wrote.
 */
class EmbeddedKafkaClusterIT {
    @Test
    void threeNodesReplicateAndSurviveANodesShutdownAndRestart() throws Exception {
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start(3)) {
            assertThat(cluster.bootstrapServers().split(",")).hasSize(3);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("replicated", 3, (short) -1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
                var description = described(admin, "replicated");
                assertThat(description.partitions())
                        .allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
                ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "replicated");
                assertThat(admin.describeConfigs(List.of(topic))
                                .all()
                                .get(30, TimeUnit.SECONDS)
                                .get(topic)
                                .get("min.insync.replicas")
                                .value())
                        .isEqualTo("2");
            }
            Map<String, Object> producerConfig = Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    cluster.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG,
                    "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                    true,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                    60_000);
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 300; i++) {
                    if (i == 100) {
                        producer.flush();
                        cluster.stopNode(1); // a controlled shutdown: two in-sync replicas remain
                    }
                    if (i == 200) {
                        producer.flush();
                        cluster.restartNode(1);
                    }
                    producer.send(new ProducerRecord<>("replicated", "k" + i, "v" + i));
                }
                producer.flush();
            }
            List<String> values = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                    Map.of(
                            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                            ConsumerConfig.GROUP_ID_CONFIG, "cluster-it",
                            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                    new StringDeserializer(),
                    new StringDeserializer())) {
                consumer.subscribe(List.of("replicated"));
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (values.size() < 300 && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
                }
            }
            assertThat(values).hasSize(300).doesNotHaveDuplicates();
        }
    }

    /**
     * The topic's description once every node knows it: a node that has not yet applied the new
     * topic's metadata answers UNKNOWN_TOPIC_OR_PARTITION for a moment after the create returns (a
     * CI run on a loaded machine hit it).
     */
    private static org.apache.kafka.clients.admin.TopicDescription described(Admin admin, String name)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return admin.describeTopics(List.of(name))
                        .allTopicNames()
                        .get(30, TimeUnit.SECONDS)
                        .get(name);
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
