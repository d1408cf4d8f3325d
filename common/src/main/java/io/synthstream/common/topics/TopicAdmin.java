package io.synthstream.common.topics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates catalogue topics that do not exist yet, with their partitions and cleanup policy. */
public final class TopicAdmin {
    private static final Logger log = LoggerFactory.getLogger(TopicAdmin.class);
    private static final long TIMEOUT_MS = 30_000;

    private TopicAdmin() {}

    /**
     * Creates the missing topics among {@code specs}; existing ones are left as they are.
     *
     * @return the names of the topics created
     * @throws IllegalStateException if the cluster cannot be reached or refuses a topic
     */
    public static List<String> ensureTopics(
            Admin admin, Collection<TopicSpec<?, ?>> specs, int partitions, Optional<Short> replicationFactor) {
        try {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (TopicSpec<?, ?> spec : specs) {
                if (!existing.contains(spec.name())) {
                    missing.add(newTopic(spec, partitions, replicationFactor));
                }
            }
            List<String> created = new ArrayList<>();
            Map<String, org.apache.kafka.common.KafkaFuture<Void>> results =
                    admin.createTopics(missing).values();
            for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> result : results.entrySet()) {
                try {
                    result.getValue().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    created.add(result.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException(
                                "Could not create topic " + result.getKey() + ": "
                                        + e.getCause().getMessage(),
                                e);
                    }
                }
            }
            if (!created.isEmpty()) {
                log.info("Created topics {}", created);
            }
            return created;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.AuthenticationException refused) {
                throw new IllegalStateException(
                        "Kafka refused this client's credentials: " + refused.getMessage()
                                + " (check kafka.sasl.jaas.config / SYNTH_KAFKA_SASL_JAAS_CONFIG and the TLS settings)",
                        e);
            }
            throw new IllegalStateException("Could not list or create topics (is Kafka reachable?): " + e, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Could not list or create topics (is Kafka reachable?): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        }
    }

    static NewTopic newTopic(TopicSpec<?, ?> spec, int partitions, Optional<Short> replicationFactor) {
        Map<String, String> configs = new HashMap<>(spec.configs());
        configs.putIfAbsent( // a topic's own configs may name a policy such as compact,delete
                TopicConfig.CLEANUP_POLICY_CONFIG,
                spec.compacted() ? TopicConfig.CLEANUP_POLICY_COMPACT : TopicConfig.CLEANUP_POLICY_DELETE);
        return new NewTopic(spec.name(), Optional.of(partitions), replicationFactor).configs(configs);
    }
}
