package io.synthstream.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several combined broker-and-controller nodes on loopback, a temporary directory deleted on close:
 * a cluster as production runs them, with internal and new topics replicated {@code min(3, nodes)}
 * times and {@code min.insync.replicas=2} from three nodes on. A node can be stopped (a controlled
 * shutdown) and started again on its data, as a rolling upgrade does. Nodes start concurrently:
 * the brokers wait for a controller quorum, which needs a majority.
 *
 * <p>{@link #start} runs the nodes in this JVM. {@link #startChildJvms} runs each in its own JVM
 * (Kafka's own {@code kafka.Kafka} main on a properties file, this JVM's class path, about 4 s and
 * 200 MB each): then {@link #killNode} is a real {@code SIGKILL}, no shutdown hook runs and the
 * node's log is cut wherever the kill found it, and {@link #stopNode} is a {@code SIGTERM}, whose
 * shutdown hook does the controlled shutdown. A node's output goes to {@code node-<n>.log} in the
 * cluster's directory ({@link #nodeLog}).
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private static final Duration CHILD_STOP_TIMEOUT = Duration.ofSeconds(60);

    private final Path directory;
    private final List<KafkaConfig> configs;
    private final List<Integer> brokerPorts;
    private final boolean childJvms;
    private final KafkaRaftServer[] servers;
    private final Process[] processes;
    private boolean closed;

    private EmbeddedKafkaCluster(
            Path directory, List<KafkaConfig> configs, List<Integer> brokerPorts, boolean childJvms) {
        this.directory = directory;
        this.configs = configs;
        this.brokerPorts = brokerPorts;
        this.childJvms = childJvms;
        this.servers = new KafkaRaftServer[configs.size()];
        this.processes = new Process[configs.size()];
    }

    /** Starts {@code nodes} nodes in this JVM and returns when every broker is registered. */
    public static EmbeddedKafkaCluster start(int nodes) {
        return start(nodes, false);
    }

    /**
     * Starts {@code nodes} nodes, each in a child JVM of its own, and returns when every broker is
     * registered. The children die with this JVM only if it closes the cluster: a test's {@code
     * finally} must.
     */
    public static EmbeddedKafkaCluster startChildJvms(int nodes) {
        return start(nodes, true);
    }

    /**
     * Free ports are found by binding port 0 and releasing it; another socket (another process, or
     * an outgoing connection of a node already starting) can take one in between, so a cluster
     * whose start failed on a bind is started again on new ports, as a single node is.
     */
    private static EmbeddedKafkaCluster start(int nodes, boolean childJvms) {
        if (nodes < 1) {
            throw new IllegalArgumentException("a cluster needs at least one node");
        }
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(nodes, childJvms);
            } catch (IllegalStateException e) {
                if (attempt >= 3 || !EmbeddedKafka.causedByBind(e)) {
                    throw e;
                }
                log.warn("A port of the embedded cluster was taken before its node bound it; starting again");
            }
        }
    }

    private static EmbeddedKafkaCluster startOnce(int nodes, boolean childJvms) {
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
        String voters = IntStream.range(0, nodes)
                .mapToObj(i -> (i + 1) + "@" + EmbeddedKafka.HOST + ":" + controllers.get(i))
                .collect(Collectors.joining(","));
        String clusterId = Uuid.randomUuid().toString();
        List<KafkaConfig> configs = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            Path logDir = directory.resolve("node-" + (i + 1));
            Properties props =
                    EmbeddedKafka.nodeProperties(i + 1, voters, brokers.get(i), controllers.get(i), logDir, nodes);
            configs.add(KafkaConfig.fromProps(props, false));
            EmbeddedKafka.formatIfNeeded(logDir, i + 1, clusterId, null);
            if (childJvms) {
                try (var out = Files.newBufferedWriter(propertiesFile(directory, i))) {
                    props.store(out, "node " + (i + 1) + " of an EmbeddedKafkaCluster");
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot write the node's properties", e);
                }
            }
        }
        EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(directory, configs, brokers, childJvms);
        if (childJvms) {
            // A JVM that exits without closing the cluster (a timed-out test run) takes its brokers along.
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::killChildren, "embedded-cluster-reaper"));
        }
        long started = System.nanoTime();
        try {
            CompletableFuture.allOf(IntStream.range(0, nodes)
                            .mapToObj(i -> CompletableFuture.runAsync(() -> cluster.startNode(i)))
                            .toArray(CompletableFuture[]::new))
                    .get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            cluster.awaitBrokers(nodes);
        } catch (Exception e) {
            cluster.close();
            throw new IllegalStateException("The embedded cluster of " + nodes + " nodes did not start", e);
        }
        log.info(
                "Embedded Kafka cluster of {} nodes{} ready at {} in {} ms",
                nodes,
                childJvms ? " (child JVMs)" : "",
                cluster.bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return cluster;
    }

    private static Path propertiesFile(Path directory, int index) {
        return directory.resolve("node-" + (index + 1) + ".properties");
    }

    /** Where node {@code index}'s output goes when it runs in a child JVM (appended on restart). */
    public Path nodeLog(int index) {
        return directory.resolve("node-" + (index + 1) + ".log");
    }

    private void startNode(int index) {
        if (childJvms) {
            startChild(index);
            return;
        }
        KafkaRaftServer server = new KafkaRaftServer(configs.get(index), Time.SYSTEM);
        synchronized (this) {
            servers[index] = server;
        }
        server.startup();
    }

    private void startChild(int index) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(
                java,
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                "kafka.Kafka",
                propertiesFile(directory, index).toString());
        builder.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(nodeLog(index).toFile()));
        try {
            Process process = builder.start();
            synchronized (this) {
                processes[index] = process;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start node " + (index + 1) + " in a child JVM", e);
        }
    }

    /** Every node's {@code host:port}, comma-separated. */
    public String bootstrapServers() {
        return brokerPorts.stream().map(p -> EmbeddedKafka.HOST + ":" + p).collect(Collectors.joining(","));
    }

    public int size() {
        return configs.size();
    }

    /**
     * A controlled shutdown of node {@code index} (0-based): it hands its leaderships over first.
     * Returns when the node has stopped.
     */
    public void stopNode(int index) {
        KafkaRaftServer server;
        Process process;
        synchronized (this) {
            server = servers[index];
            servers[index] = null;
            process = processes[index];
            processes[index] = null;
        }
        if (server != null) {
            EmbeddedKafka.shutdownQuietly(server);
        }
        if (process != null) {
            process.destroy(); // SIGTERM: Kafka's shutdown hook does the controlled shutdown
            awaitExit(process, index, CHILD_STOP_TIMEOUT);
        }
    }

    /**
     * Kills node {@code index} (0-based) with {@code SIGKILL}: no controlled shutdown, its partitions
     * lose their leader until the controller fences it. Only for {@link #startChildJvms} clusters.
     */
    public void killNode(int index) {
        if (!childJvms) {
            throw new UnsupportedOperationException("a node in this JVM cannot be killed: use startChildJvms");
        }
        Process process;
        synchronized (this) {
            process = processes[index];
            processes[index] = null;
        }
        if (process != null) {
            process.destroyForcibly();
            awaitExit(process, index, CHILD_STOP_TIMEOUT);
        }
    }

    /** Whether node {@code index} runs (its child JVM is alive, or its in-JVM server was started). */
    public synchronized boolean isRunning(int index) {
        return childJvms ? processes[index] != null && processes[index].isAlive() : servers[index] != null;
    }

    private void awaitExit(Process process, int index, Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Node {} did not stop within {}: killing it", index + 1, timeout);
                process.destroyForcibly().waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts node {@code index} again on its data; returns when it answers and the cluster counts it
     * among its live brokers (asked of that node alone: after a kill the others may still list it).
     */
    public void restartNode(int index) {
        startNode(index);
        awaitBrokers(EmbeddedKafka.HOST + ":" + brokerPorts.get(index), ids -> ids.contains(index + 1));
    }

    /**
     * Waits until no partition of any topic (internal ones included) is under-replicated: every
     * replica back in its ISR, as an operator waits before restarting the next broker.
     *
     * @return how long it took
     */
    public Duration awaitInSync(Duration timeout) {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            while (true) {
                try {
                    Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true))
                            .names()
                            .get(5, TimeUnit.SECONDS);
                    boolean inSync =
                            admin.describeTopics(topics).allTopicNames().get(5, TimeUnit.SECONDS).values().stream()
                                    .flatMap(t -> t.partitions().stream())
                                    .allMatch(
                                            p -> p.isr().size() == p.replicas().size());
                    if (inSync) {
                        return Duration.ofNanos(System.nanoTime() - started);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while waiting for the replicas", e);
                } catch (Exception e) {
                    // a broker is still electing; ask again
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Partitions still under-replicated after " + timeout);
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while waiting for the replicas", e);
                }
            }
        }
    }

    private void awaitBrokers(int expected) {
        awaitBrokers(bootstrapServers(), ids -> ids.size() >= expected);
    }

    private void awaitBrokers(String bootstrap, Predicate<Set<Integer>> ready) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            while (true) {
                if (childJvms) {
                    failIfAChildDied();
                }
                try {
                    if (ready.test(admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream()
                            .map(Node::id)
                            .collect(Collectors.toSet()))) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while waiting for Kafka", e);
                } catch (Exception e) {
                    // not up yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "Brokers not registered at " + bootstrap + " after " + READY_TIMEOUT);
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

    private synchronized void killChildren() {
        for (Process process : processes) {
            if (process != null) {
                process.destroyForcibly();
            }
        }
    }

    private synchronized void failIfAChildDied() {
        for (int i = 0; i < processes.length; i++) {
            if (processes[i] != null && !processes[i].isAlive()) {
                throw new IllegalStateException(
                        "Node " + (i + 1) + " exited with " + processes[i].exitValue() + "; its log: " + nodeLog(i));
            }
        }
    }

    /**
     * Stops every node, all at once, and deletes the data. Safe to call twice. One node after the
     * other would leave the last ones without a controller quorum to approve their controlled
     * shutdown (each would wait minutes for it); together, every broker part finishes while the
     * controllers still run. Child JVMs are killed: their data is deleted next, so a controlled
     * shutdown would only wait for a quorum that is leaving too.
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
            Process process = processes[i];
            processes[i] = null;
            int index = i;
            if (process != null) {
                process.destroyForcibly();
                stopping.add(CompletableFuture.runAsync(() -> awaitExit(process, index, CHILD_STOP_TIMEOUT)));
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
