package io.synthstream.local;

import io.synthstream.schemas.registry.EmbeddedSchemaRegistry;
import io.synthstream.schemas.registry.KafkaSchemaStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

/**
 * What the apps need to run on one machine: an {@link EmbeddedKafka} node and an {@link
 * EmbeddedSchemaRegistry} that stores its schemas in that node's {@code _schemas} topic. Closes
 * both, registry first.
 */
public final class EmbeddedPlatform implements AutoCloseable {
    private final EmbeddedKafka kafka;
    private final KafkaSchemaStore schemaStore;
    private final EmbeddedSchemaRegistry registry;

    private EmbeddedPlatform(EmbeddedKafka kafka, KafkaSchemaStore schemaStore, EmbeddedSchemaRegistry registry) {
        this.kafka = kafka;
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
        KafkaSchemaStore store = null;
        try {
            store = new KafkaSchemaStore(
                    Map.of("bootstrap.servers", kafka.bootstrapServers()),
                    KafkaSchemaStore.DEFAULT_TOPIC,
                    Optional.empty());
            return new EmbeddedPlatform(
                    kafka, store, EmbeddedSchemaRegistry.start("127.0.0.1", registryPort, store, registryUsers));
        } catch (IOException | RuntimeException e) {
            if (store != null) {
                store.close();
            }
            kafka.close();
            if (e instanceof IOException io) {
                throw new UncheckedIOException("Cannot start the embedded schema registry", io);
            }
            throw (RuntimeException) e;
        }
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String registryUrl() {
        return registry.url();
    }

    @Override
    public void close() {
        registry.close();
        schemaStore.close();
        kafka.close();
    }
}
