package io.synthstream.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several combined broker-and-controller nodes in this JVM, on loopback, a temporary directory
 * deleted on close: a cluster as production runs them, with internal and new topics replicated
 * {@code min(3, nodes)} times and {@code min.insync.replicas=2} from three nodes on. A node can be
 * stopped (a controlled shutdown) and started again on its data, as a rolling upgrade does.
 * Nodes start concurrently: the brokers wait for a controller quorum, which needs a majority.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final Path directory;
    private final List<KafkaConfig> configs;
    private final List<Integer> brokerPorts;
    private final KafkaRaftServer[] servers;
    private boolean closed;

    private EmbeddedKafkaCluster(Path directory, List<KafkaConfig> configs, List<Integer> brokerPorts) {
        this.directory = directory;
        this.configs = configs;
        this.brokerPorts = brokerPorts;
        this.servers = new KafkaRaftServer[configs.size()];
    }

    /** Starts {@code nodes} nodes and returns when every broker is registered. */
    public static EmbeddedKafkaCluster start(int nodes) {
        if (nodes < 1) {
            throw new IllegalArgumentException("a cluster needs at least one node");
        }
        Path directory;
        try {
            directory = Files.createTempDirectory("synth-kafka-cluster-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the Kafka data directory", e);
        }
        List<Integer> brokers = new ArrayList<>();
        List<Integer> controllers = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            brokers.add(EmbeddedKafka.freePort());
            controllers.add(EmbeddedKafka.freePort());
        }
        String voters = java.util.stream.IntStream.range(0, nodes)
                .mapToObj(i -> (i + 1) + "@" + EmbeddedKafka.HOST + ":" + controllers.get(i))
                .collect(Collectors.joining(","));
        String clusterId = Uuid.randomUuid().toString();
        List<KafkaConfig> configs = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            Path logDir = directory.resolve("node-" + (i + 1));
            configs.add(KafkaConfig.fromProps(
                    EmbeddedKafka.nodeProperties(i + 1, voters, brokers.get(i), controllers.get(i), logDir, nodes),
                    false));
            EmbeddedKafka.formatIfNeeded(logDir, i + 1, clusterId, null);
        }
        EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(directory, configs, brokers);
        long started = System.nanoTime();
        try {
            CompletableFuture.allOf(java.util.stream.IntStream.range(0, nodes)
                            .mapToObj(i -> CompletableFuture.runAsync(() -> cluster.startNode(i)))
                            .toArray(CompletableFuture[]::new))
                    .get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            cluster.awaitBrokers(nodes);
        } catch (Exception e) {
            cluster.close();
            throw new IllegalStateException("The embedded cluster of " + nodes + " nodes did not start", e);
        }
        log.info(
                "Embedded Kafka cluster of {} nodes ready at {} in {} ms",
                nodes,
                cluster.bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return cluster;
    }

    private void startNode(int index) {
        KafkaRaftServer server = new KafkaRaftServer(configs.get(index), Time.SYSTEM);
        synchronized (this) {
            servers[index] = server;
        }
        server.startup();
    }

    /** Every node's {@code host:port}, comma-separated. */
    public String bootstrapServers() {
        return brokerPorts.stream().map(p -> EmbeddedKafka.HOST + ":" + p).collect(Collectors.joining(","));
    }

    public int size() {
        return configs.size();
    }

    /** A controlled shutdown of node {@code index} (0-based): it hands its leaderships over first. */
    public void stopNode(int index) {
        KafkaRaftServer server;
        synchronized (this) {
            server = servers[index];
            servers[index] = null;
        }
        if (server != null) {
            EmbeddedKafka.shutdownQuietly(server);
        }
    }

    /** Starts node {@code index} again on its data; returns when every broker is registered. */
    public void restartNode(int index) {
        startNode(index);
        awaitBrokers(size());
    }

    private void awaitBrokers(int expected) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            while (true) {
                try {
                    if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() >= expected) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while waiting for Kafka", e);
                } catch (Exception e) {
                    // not up yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(expected + " brokers not registered after " + READY_TIMEOUT);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while waiting for Kafka", e);
                }
            }
        }
    }

    /**
     * Stops every node, all at once, and deletes the data. Safe to call twice. One node after the
     * other would leave the last ones without a controller quorum to approve their controlled
     * shutdown (each would wait minutes for it); together, every broker part finishes while the
     * controllers still run.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<CompletableFuture<Void>> stopping = new ArrayList<>();
        for (int i = 0; i < servers.length; i++) {
            KafkaRaftServer server = servers[i];
            servers[i] = null;
            if (server != null) {
                stopping.add(CompletableFuture.runAsync(() -> EmbeddedKafka.shutdownQuietly(server)));
            }
        }
        try {
            CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
        } catch (Exception e) {
            log.warn("The embedded cluster did not stop cleanly within 2 minutes", e);
        }
        EmbeddedKafka.deleteRecursively(directory);
    }
}
