package io.synthstream.common.app;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.metrics.SynthMeters;
import io.synthstream.common.streams.StreamsDefaults;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.topics.InputSchemas;
import io.synthstream.common.topics.TopicAdmin;
import io.synthstream.common.topics.TopicSpec;
import io.synthstream.common.topics.Topics;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one Kafka Streams app with everything around it that every app needs: topic creation, the
 * Streams defaults, metrics (Prometheus registry with Kafka Streams and JVM binders), a state
 * listener, an uncaught-exception policy, the {@code /health} and {@code /metrics} endpoint, and a
 * bounded close. The topology itself comes from the app's {@code XxxTopology.build(config)}.
 */
public final class StreamsApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamsApp.class);

    private final SynthConfig config;
    private final KafkaStreams streams;
    private final PrometheusMeterRegistry meters;
    private final KafkaStreamsMetrics streamsMetrics;
    private final AppHttpServer http;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile KafkaStreams.State state = KafkaStreams.State.CREATED;
    private final List<KafkaStreams.StateListener> stateListeners = new CopyOnWriteArrayList<>();
    private boolean closed;
    private final List<AutoCloseable> companions = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> owned = new CopyOnWriteArrayList<>();

    private StreamsApp(SynthConfig config, Topology topology) {
        this.config = config;
        String app = config.applicationId();
        this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        meters.config().commonTags("app", app);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new JvmGcMetrics().bindTo(meters);

        Properties props = StreamsDefaults.properties(config);
        props.put(StreamsDefaults.METER_REGISTRY_CONFIG, meters);
        this.streams = new KafkaStreams(topology, props);
        ThreadReplacementPolicy policy = new ThreadReplacementPolicy(5, Duration.ofMinutes(5));
        streams.setUncaughtExceptionHandler(error -> {
            var response = policy.onThreadDeath(System.nanoTime());
            log.error("Stream thread of {} died; response: {}", app, response, error);
            return response;
        });
        streams.setStateListener((newState, oldState) -> {
            state = newState;
            log.info("{} state {} -> {}", app, oldState, newState);
            stateListeners.forEach(listener -> listener.onChange(newState, oldState));
            if (newState == KafkaStreams.State.ERROR || newState == KafkaStreams.State.NOT_RUNNING) {
                stopped.countDown();
            }
        });
        Gauge.builder(SynthMeters.STREAMS_STATE.meterName(), this, a -> a.isHealthy() ? 1 : 0)
                .description(SynthMeters.STREAMS_STATE.description())
                .register(meters);
        this.streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(meters);

        int port = config.get(SynthConfig.HTTP_PORT);
        this.http = port < 0 ? null : AppHttpServer.start(config.get(SynthConfig.HTTP_HOST), port);
        if (http != null) {
            http.route("/health", this::health)
                    .route(
                            "/metrics",
                            () -> new AppHttpServer.Response(
                                    200, "text/plain; version=0.0.4; charset=utf-8", meters.scrape()));
        }
    }

    /**
     * Creates the missing {@code topics} (when {@code topics.create} is on), registers the value
     * schemas of those other clients produce to ({@link InputSchemas}), then starts the app.
     *
     * @throws IllegalStateException if Kafka is unreachable or a topic cannot be created
     */
    public static StreamsApp start(SynthConfig config, Topology topology, Collection<TopicSpec<?, ?>> topics) {
        log.info("Starting {} with {}", config.applicationId(), config.describe());
        if (config.get(SynthConfig.TOPICS_CREATE)) {
            try (Admin admin = Admin.create(config.kafkaClientProperties())) {
                TopicAdmin.ensureTopics(admin, topics, config.topicPartitions(), config.topicReplicationFactor());
            }
        }
        if (topics.stream().anyMatch(Topics.CLIENT_INPUTS::contains)) {
            try (SynthSerdes serdes = SynthSerdes.from(config)) {
                log.info(
                        "{} registered the input schemas {}",
                        config.applicationId(),
                        InputSchemas.register(serdes.registry(), topics));
            }
        }
        StreamsApp app = new StreamsApp(config, topology);
        app.streams.start();
        if (app.http != null) {
            log.info("{} serves /health and /metrics on port {}", config.applicationId(), app.http.port());
        }
        return app;
    }

    /**
     * Starts an app whose topology needs resources that must outlive its stream threads (an LLM
     * runtime, an embedding pool): {@code build} hands each to its argument, and the app closes
     * them after Kafka Streams ({@link #own}); when the app cannot start they are closed at once.
     */
    public static StreamsApp start(
            SynthConfig config,
            java.util.function.Function<java.util.function.Consumer<AutoCloseable>, Topology> build,
            Collection<TopicSpec<?, ?>> topics) {
        List<AutoCloseable> resources = new java.util.ArrayList<>();
        try {
            StreamsApp app = start(config, build.apply(resources::add), topics);
            resources.forEach(app::own);
            return app;
        } catch (RuntimeException e) {
            closeAll(config, resources);
            throw e;
        }
    }

    /**
     * Starts the app and blocks until the JVM is asked to stop (Ctrl-C, SIGTERM) or Kafka Streams
     * stops on its own; for {@code main} methods.
     *
     * @return the process exit code: 0 after a requested stop, 1 if the app failed
     */
    public static int runUntilShutdown(SynthConfig config, Topology topology, Collection<TopicSpec<?, ?>> topics) {
        return runUntilShutdown(config, topology, topics, c -> null);
    }

    /** @param companion what runs beside the topology, started after it and closed with it (or null) */
    public static int runUntilShutdown(
            SynthConfig config,
            Topology topology,
            Collection<TopicSpec<?, ?>> topics,
            java.util.function.Function<SynthConfig, AutoCloseable> companion) {
        return runUntilShutdown(start(config, topology, topics), config, companion);
    }

    /**
     * As {@link #runUntilShutdown(SynthConfig, Topology, Collection, java.util.function.Function)},
     * for a topology whose resources (an LLM runtime) close after its stream threads ({@link
     * #start(SynthConfig, java.util.function.Function, Collection)}).
     */
    public static int runUntilShutdown(
            SynthConfig config,
            java.util.function.Function<java.util.function.Consumer<AutoCloseable>, Topology> build,
            Collection<TopicSpec<?, ?>> topics,
            java.util.function.Function<SynthConfig, AutoCloseable> companion) {
        return runUntilShutdown(start(config, build, topics), config, companion);
    }

    private static int runUntilShutdown(
            StreamsApp app, SynthConfig config, java.util.function.Function<SynthConfig, AutoCloseable> companion) {
        AutoCloseable started = companion.apply(config);
        if (started != null) {
            app.attach(started);
        }
        Thread hook = new Thread(app::close, "synth-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            app.stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean failed = app.state == KafkaStreams.State.ERROR;
        app.close();
        return failed ? 1 : 0;
    }

    /**
     * Ties {@code companion} (a component that runs beside the topology, such as the generator's
     * seed bridges) to this app: it is closed first when the app closes.
     */
    public void attach(AutoCloseable companion) {
        companions.add(companion);
    }

    /** Closes {@code resource} with the app, after Kafka Streams: what its stream threads use. */
    public void own(AutoCloseable resource) {
        owned.add(resource);
    }

    private static void closeAll(SynthConfig config, List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            AutoCloseable resource = resources.get(i);
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("{}: a resource did not close cleanly", config.applicationId(), e);
            }
        }
    }

    /** Adds a listener told of every later state change (Kafka Streams allows only one of its own). */
    public void addStateListener(KafkaStreams.StateListener listener) {
        stateListeners.add(listener);
    }

    public String applicationId() {
        return config.applicationId();
    }

    public KafkaStreams.State state() {
        return state;
    }

    /** True while the app processes or rebalances; what {@code /health} reports. */
    public boolean isHealthy() {
        return state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
    }

    public PrometheusMeterRegistry meters() {
        return meters;
    }

    /** The HTTP port, or -1 when the endpoint is disabled. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    public KafkaStreams streams() {
        return streams;
    }

    private AppHttpServer.Response health() {
        String body = "{\"status\":\"" + (isHealthy() ? "UP" : "DOWN") + "\",\"state\":\"" + state + "\",\"app\":\""
                + config.applicationId() + "\"}";
        return new AppHttpServer.Response(isHealthy() ? 200 : 503, "application/json", body);
    }

    /** Closes Kafka Streams within {@code shutdown.timeout.ms}, then the endpoint and metrics. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (AutoCloseable companion : companions) {
            try {
                companion.close();
            } catch (Exception e) {
                log.warn("{}: a companion did not close cleanly", config.applicationId(), e);
            }
        }
        Duration timeout = config.get(SynthConfig.SHUTDOWN_TIMEOUT_MS);
        // Leave the group at once so that the partitions move without waiting for the session timeout.
        if (!streams.close(CloseOptions.timeout(timeout)
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP))) {
            log.warn("{} did not close within {}", config.applicationId(), timeout);
        }
        closeAll(config, owned);
        streamsMetrics.close();
        if (http != null) {
            http.close();
        }
        meters.close();
        stopped.countDown();
    }
}
