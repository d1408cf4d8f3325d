package io.synthstream.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka cluster (combined broker and KRaft controller) started in-process from
 * the Apache Kafka server artifacts: what the integration tests and {@code synth up} run on,
 * without Docker. Long because formatting, starting and stopping a broker with its settings
 * belong together.
 *
 * <p>Two modes:
 *
 * <ul>
 *   <li><b>ephemeral</b> ({@link #ephemeral()}): free ports on loopback and a temporary directory
 *       that is deleted on {@link #close()}. For tests.
 *   <li><b>persistent</b> ({@link #persistent(Path)}): a data directory that is formatted on first
 *       start and reused afterwards, and fixed ports (9092 and 9093 by default), so topics, offsets
 *       and unfinished work survive restarts.
 * </ul>
 *
 * <p>The broker is configured for exactly-once on one node: replication factor and min ISR 1 for
 * the offsets, transaction and share-coordinator topics, no initial rebalance delay, and an 8 MiB
 * log-cleaner dedupe buffer instead of the 128 MiB default (RSS ~210 MB instead of ~350 MB).
 * Topics are never auto-created: apps create what they need with explicit settings.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
    static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Path directory;
    private final boolean deleteOnClose;
    private final int brokerPort;
    private final int securePort;
    private final KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafka(
            Path directory, boolean deleteOnClose, int brokerPort, int securePort, KafkaRaftServer server) {
        this.directory = directory;
        this.deleteOnClose = deleteOnClose;
        this.brokerPort = brokerPort;
        this.securePort = securePort;
        this.server = server;
    }

    /**
     * A listener that requires SASL/SCRAM-SHA-512 over TLS, beside the plaintext one.
     *
     * @param keystore the broker's PKCS12 key store (its certificate is what clients must trust)
     * @param users SCRAM users (name to password), written into the cluster's metadata at format time
     */
    public record SecureListener(Path keystore, String keystorePassword, Map<String, String> users) {}

    /** Starts an ephemeral cluster: free loopback ports, a temp directory deleted on close. */
    public static EmbeddedKafka ephemeral() {
        return builder().start();
    }

    /** Starts (or restarts) a persistent cluster in {@code dataDir} on ports 9092 and 9093. */
    public static EmbeddedKafka persistent(Path dataDir) {
        return builder().dataDir(dataDir).brokerPort(9092).controllerPort(9093).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings of an embedded cluster; unset ports are chosen free, an unset directory is temporary. */
    public static final class Builder {
        private Path dataDir;
        private int brokerPort;
        private int controllerPort;
        private SecureListener secure;

        /** Also listen for SASL_SSL clients (SCRAM-SHA-512) on a free port: {@link #secureBootstrapServers()}. */
        public Builder saslSsl(SecureListener secure) {
            this.secure = secure;
            return this;
        }

        private Builder() {}

        /** Keep data in {@code dataDir} (formatted on first use, reused after); default: a temp dir. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** Client port; 0 (the default) picks a free one. */
        public Builder brokerPort(int brokerPort) {
            this.brokerPort = brokerPort;
            return this;
        }

        /** KRaft controller port; 0 (the default) picks a free one. */
        public Builder controllerPort(int controllerPort) {
            this.controllerPort = controllerPort;
            return this;
        }

        /**
         * Formats the directory if needed and starts the node; returns when it accepts clients.
         *
         * @throws IllegalStateException if the node does not start within 60 s or a port is taken
         */
        public EmbeddedKafka start() {
            boolean temporary = dataDir == null;
            Path directory;
            try {
                directory = temporary ? Files.createTempDirectory("synth-kafka-") : Files.createDirectories(dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create the Kafka data directory", e);
            }
            // Free ports are found by binding port 0 and releasing it; another process can take one
            // in between, so a bind failure on chosen-free ports is retried with new ones.
            int attempts = brokerPort == 0 || controllerPort == 0 ? 3 : 1;
            for (int attempt = 1; ; attempt++) {
                int broker = brokerPort == 0 ? freePort() : brokerPort;
                int controller = controllerPort == 0 ? freePort() : controllerPort;
                try {
                    return startNode(directory, temporary, broker, controller);
                } catch (RuntimeException e) {
                    if (attempt >= attempts || !causedByBind(e)) {
                        if (temporary) {
                            deleteRecursively(directory);
                        }
                        throw e;
                    }
                    log.warn("Port {} or {} was taken before the broker bound it; retrying", broker, controller);
                }
            }
        }

        private EmbeddedKafka startNode(Path directory, boolean temporary, int broker, int controller) {
            long started = System.nanoTime();
            Path logDir = directory.resolve("kraft-combined-logs");
            int secured = secure == null ? -1 : freePort();
            Properties props =
                    nodeProperties(NODE_ID, NODE_ID + "@" + HOST + ":" + controller, broker, controller, logDir, 1);
            if (secure != null) {
                props.put(
                        "listeners",
                        "PLAINTEXT://" + HOST + ":" + broker + ",CONTROLLER://" + HOST + ":" + controller
                                + ",SASL_SSL://" + HOST + ":" + secured);
                props.put(
                        "advertised.listeners",
                        "PLAINTEXT://" + HOST + ":" + broker + ",SASL_SSL://" + HOST + ":" + secured);
                props.put(
                        "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL");
                props.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
                props.put(
                        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
                props.put(
                        "listener.name.sasl_ssl.ssl.keystore.location",
                        secure.keystore().toString());
                props.put("listener.name.sasl_ssl.ssl.keystore.password", secure.keystorePassword());
                props.put("listener.name.sasl_ssl.ssl.key.password", secure.keystorePassword());
                props.put("listener.name.sasl_ssl.ssl.keystore.type", "PKCS12");
            }

            KafkaConfig config = KafkaConfig.fromProps(props, false);
            formatIfNeeded(logDir, NODE_ID, Uuid.randomUuid().toString(), secure);
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            try {
                server.startup();
            } catch (RuntimeException e) {
                shutdownQuietly(server);
                throw e;
            }
            EmbeddedKafka kafka = new EmbeddedKafka(directory, temporary, broker, secured, server);
            try {
                kafka.awaitReady();
            } catch (RuntimeException e) {
                kafka.close();
                throw e;
            }
            log.info(
                    "Embedded Kafka ready at {} in {} ms (data: {}{})",
                    kafka.bootstrapServers(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                    directory,
                    temporary ? ", temporary" : "");
            return kafka;
        }
    }

    /**
     * Formats a node's log directory unless an earlier start did (then its cluster id and data are
     * kept); the nodes of one cluster share {@code clusterId}.
     */
    static void formatIfNeeded(Path logDir, int nodeId, String clusterId, SecureListener secure) {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return; // formatted on an earlier start: keep its cluster id and data
        }
        try {
            Formatter formatter = new Formatter();
            if (secure != null) {
                formatter.setScramArguments(secure.users().entrySet().stream()
                        .map(u -> "SCRAM-SHA-512=[name=" + u.getKey() + ",password=" + u.getValue() + "]")
                        .toList());
            }
            formatter
                    .setNodeId(nodeId)
                    .setClusterId(clusterId)
                    .addDirectory(logDir.toString())
                    .setMetadataLogDirectory(logDir.toString())
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setControllerListenerName("CONTROLLER")
                    .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Could not format the Kafka log directory " + logDir, e);
        }
    }

    /**
     * The settings of one combined broker-and-controller node on loopback.
     *
     * @param voters the controller quorum, {@code id@host:port,...}
     * @param replicas the cluster's size, up to 3: the replication of internal and new topics;
     *     {@code min.insync.replicas} is 2 from three nodes on, else 1
     */
    static Properties nodeProperties(int nodeId, String voters, int broker, int controller, Path logDir, int replicas) {
        String rf = String.valueOf(Math.min(3, replicas));
        String minIsr = replicas >= 3 ? "2" : "1";
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", String.valueOf(nodeId));
        props.put("controller.quorum.voters", voters);
        props.put("listeners", "PLAINTEXT://" + HOST + ":" + broker + ",CONTROLLER://" + HOST + ":" + controller);
        props.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + broker);
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", logDir.toString());
        // Internal topics cannot have more replicas than brokers.
        props.put("offsets.topic.replication.factor", rf);
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", rf);
        props.put("transaction.state.log.min.isr", minIsr);
        props.put("transaction.state.log.num.partitions", "1");
        props.put("share.coordinator.state.topic.replication.factor", rf);
        props.put("share.coordinator.state.topic.min.isr", minIsr);
        props.put("min.insync.replicas", minIsr);
        props.put("default.replication.factor", rf);
        // Consumers of a fresh group start at once instead of waiting 3 s for more members.
        props.put("group.initial.rebalance.delay.ms", "0");
        // The 128 MiB default dedupe buffer is most of the broker's heap; compacted topics here are small.
        props.put("log.cleaner.dedupe.buffer.size", "8388608");
        // Apps create their topics with explicit partitions and cleanup policies.
        props.put("auto.create.topics.enable", "false");
        // Two cores: fewer threads than the server defaults.
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "4");
        props.put("background.threads", "4");
        return props;
    }

    /** {@code host:port} for clients. */
    public String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    /** {@code host:port} of the SASL_SSL listener, when the cluster has one. */
    public String secureBootstrapServers() {
        if (securePort < 0) {
            throw new IllegalStateException("this cluster was started without a SASL_SSL listener");
        }
        return HOST + ":" + securePort;
    }

    /** The directory holding the node's data. */
    public Path directory() {
        return directory;
    }

    /** A new admin client for this cluster; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = admin()) {
            while (true) {
                try {
                    if (!admin.describeCluster()
                            .nodes()
                            .get(5, TimeUnit.SECONDS)
                            .isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("Interrupted while waiting for Kafka", e);
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(
                                "Embedded Kafka at " + bootstrapServers() + " not ready after " + READY_TIMEOUT, e);
                    }
                }
                sleep(100);
            }
        }
    }

    /** Stops the node and, in ephemeral mode, deletes its directory. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        shutdownQuietly(server);
        if (deleteOnClose) {
            deleteRecursively(directory);
        }
    }

    static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            log.warn("Error while stopping embedded Kafka", e);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getByName(HOST))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on " + HOST, e);
        }
    }

    static boolean causedByBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        return false;
    }

    static void deleteRecursively(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            log.warn("Could not delete {}", directory, e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }
}
