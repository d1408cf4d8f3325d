package io.synthstream.local;

import io.synthstream.schemas.registry.EmbeddedSchemaRegistry;
import io.synthstream.schemas.registry.KafkaSchemaStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

/**
 * What the apps need to run on one machine: an {@link EmbeddedKafka} node (or an {@link
 * EmbeddedKafkaCluster}) and an {@link EmbeddedSchemaRegistry} that stores its schemas in the
 * brokers' {@code _schemas} topic. Closes both, registry first.
 */
public final class EmbeddedPlatform implements AutoCloseable {
    private final EmbeddedKafka kafka;
    private final AutoCloseable brokers;
    private final String bootstrapServers;
    private final KafkaSchemaStore schemaStore;
    private final EmbeddedSchemaRegistry registry;

    private EmbeddedPlatform(
            EmbeddedKafka kafka,
            AutoCloseable brokers,
            String bootstrapServers,
            KafkaSchemaStore schemaStore,
            EmbeddedSchemaRegistry registry) {
        this.kafka = kafka;
        this.brokers = brokers;
        this.bootstrapServers = bootstrapServers;
        this.schemaStore = schemaStore;
        this.registry = registry;
    }

    /** An ephemeral node and a registry on a free loopback port. */
    public static EmbeddedPlatform ephemeral() {
        return start(EmbeddedKafka.ephemeral(), 0);
    }

    /**
     * Starts a registry over {@code kafka} (which this platform then owns and closes).
     *
     * @param registryPort 0 picks a free port
     */
    public static EmbeddedPlatform start(EmbeddedKafka kafka, int registryPort) {
        return start(kafka, registryPort, Map.of());
    }

    /**
     * As {@link #start(EmbeddedKafka, int)}, with a registry that answers only these users (user to
     * password; empty: anyone).
     */
    public static EmbeddedPlatform start(EmbeddedKafka kafka, int registryPort, Map<String, String> registryUsers) {
        return start(kafka, kafka, kafka.bootstrapServers(), registryPort, registryUsers);
    }

    /** A registry over {@code cluster} (which this platform then owns and closes), on a free port. */
    public static EmbeddedPlatform start(EmbeddedKafkaCluster cluster) {
        return start(null, cluster, cluster.bootstrapServers(), 0, Map.of());
    }

    private static EmbeddedPlatform start(
            EmbeddedKafka kafka,
            AutoCloseable brokers,
            String bootstrapServers,
            int registryPort,
            Map<String, String> registryUsers) {
        KafkaSchemaStore store = null;
        try {
            store = new KafkaSchemaStore(
                    Map.of("bootstrap.servers", bootstrapServers), KafkaSchemaStore.DEFAULT_TOPIC, Optional.empty());
            return new EmbeddedPlatform(
                    kafka,
                    brokers,
                    bootstrapServers,
                    store,
                    EmbeddedSchemaRegistry.start("127.0.0.1", registryPort, store, registryUsers));
        } catch (IOException | RuntimeException e) {
            if (store != null) {
                store.close();
            }
            closeQuietly(brokers);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("Cannot start the embedded schema registry", io);
            }
            throw (RuntimeException) e;
        }
    }

    /** The single node this platform runs on; a platform over a cluster has none. */
    public EmbeddedKafka kafka() {
        if (kafka == null) {
            throw new IllegalStateException("this platform runs on an EmbeddedKafkaCluster, not one node");
        }
        return kafka;
    }

    /** The cluster this platform runs on; a platform on one node has none. */
    public EmbeddedKafkaCluster cluster() {
        if (brokers instanceof EmbeddedKafkaCluster cluster) {
            return cluster;
        }
        throw new IllegalStateException("this platform runs on one EmbeddedKafka node, not a cluster");
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String registryUrl() {
        return registry.url();
    }

    @Override
    public void close() {
        registry.close();
        schemaStore.close();
        closeQuietly(brokers);
    }

    private static void closeQuietly(AutoCloseable brokers) {
        try {
            brokers.close();
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(EmbeddedPlatform.class).warn("Error while stopping Kafka", e);
        }
    }
}
