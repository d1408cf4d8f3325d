package io.synthstream.cli;

import io.synthstream.common.app.StreamsApp;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.curator.app.CuratorApp;
import io.synthstream.curator.config.CuratorConfig;
import io.synthstream.curator.topology.CuratorTopology;
import io.synthstream.evaluator.app.EvaluatorApp;
import io.synthstream.evaluator.config.EvaluatorConfig;
import io.synthstream.evaluator.topology.EvaluatorTopology;
import io.synthstream.generator.app.GeneratorApp;
import io.synthstream.generator.bridge.SeedBridges;
import io.synthstream.generator.config.GeneratorConfig;
import io.synthstream.generator.topology.GeneratorTopology;
import io.synthstream.local.EmbeddedKafka;
import io.synthstream.local.EmbeddedPlatform;
import io.synthstream.schemas.registry.EmbeddedSchemaRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Everything in one process: a KRaft broker with its data under {@code dataDir/kafka}, the
 * embedded schema registry, and the generator, curator and evaluator with their state under {@code
 * dataDir/state}. Restarting on the same directory keeps topics, offsets and unfinished work.
 * The apps read the same {@code SYNTH_*} environment as when they run alone, so {@code
 * SYNTH_LLM_BASE_URL} etc. switch the LLM provider here too.
 */
final class LocalPlatform implements AutoCloseable {
    /** Ports of the platform; 0 picks a free one. */
    record Ports(int kafka, int registry, int generator, int curator, int evaluator) {
        static final Ports DEFAULT = new Ports(9092, 8081, 8091, 8092, 8093);
        static final Ports FREE = new Ports(0, 0, 0, 0, 0);
    }

    /** The broker and registry this platform started and closes, or null when it joined others. */
    private final EmbeddedPlatform platform;

    private final String bootstrapServers;
    private final String registryUrl;
    private final List<StreamsApp> apps = new ArrayList<>();
    private final String provider;
    private final Map<String, String> env;

    private LocalPlatform(
            EmbeddedPlatform platform,
            String bootstrapServers,
            String registryUrl,
            String provider,
            Map<String, String> env) {
        this.platform = platform;
        this.env = env;
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
        this.provider = provider;
    }

    /** Users of the embedded registry, {@code user:password,...}; set, the registry needs basic auth. */
    static final String REGISTRY_USERS_ENV = "SYNTH_REGISTRY_USERS";

    static LocalPlatform start(Path dataDir, Ports ports, int partitions, Map<String, String> env) {
        Map<String, String> users = EmbeddedSchemaRegistry.users(env.get(REGISTRY_USERS_ENV));
        String clientUser = env.get(SynthConfig.SCHEMA_REGISTRY_USER_INFO.environmentVariable());
        if (!users.isEmpty() && (clientUser == null || clientUser.isBlank())) {
            throw new IllegalArgumentException(REGISTRY_USERS_ENV + " makes the registry require basic auth: set "
                    + SynthConfig.SCHEMA_REGISTRY_USER_INFO.environmentVariable()
                    + "=user:password too, for the apps and the synth commands");
        }
        EmbeddedKafka kafka = EmbeddedKafka.builder()
                .dataDir(dataDir.resolve("kafka"))
                .brokerPort(ports.kafka())
                .start();
        EmbeddedPlatform platform = EmbeddedPlatform.start(kafka, ports.registry(), users);
        return startApps(
                platform, platform.bootstrapServers(), platform.registryUrl(), dataDir, ports, partitions, env);
    }

    /**
     * The three apps alone, against a broker and registry that run elsewhere (state under {@code
     * dataDir/state}); closing stops the apps only. Tests use it to kill the apps and not the broker.
     */
    static LocalPlatform apps(
            String bootstrapServers,
            String registryUrl,
            Path dataDir,
            Ports ports,
            int partitions,
            Map<String, String> env) {
        return startApps(null, bootstrapServers, registryUrl, dataDir, ports, partitions, env);
    }

    /**
     * The curator's defaults on the local platform: one curator instance, whose owner tasks get
     * their claims from the same stream thread a few lingers apart, so a 200 ms dedup hold orders
     * them as the 1 s default does across instances, with a fifth of the latency (the demo's
     * steering must see accepted samples while planning is still under way).
     */
    static final Map<String, Object> LOCAL_CURATOR_DEFAULTS = localCuratorDefaults();

    private static Map<String, Object> localCuratorDefaults() {
        Map<String, Object> defaults = new HashMap<>(CuratorApp.DEFAULTS);
        defaults.put(CuratorConfig.DEDUP_HOLD_MS.key(), 200L);
        return Map.copyOf(defaults);
    }

    private static LocalPlatform startApps(
            EmbeddedPlatform owned,
            String bootstrapServers,
            String registryUrl,
            Path dataDir,
            Ports ports,
            int partitions,
            Map<String, String> env) {
        LocalPlatform local;
        try {
            String provider = LlmSettings.provider(config(
                            GeneratorConfig.definition(),
                            GeneratorApp.DEFAULTS,
                            env,
                            bootstrapServers,
                            registryUrl,
                            dataDir,
                            0,
                            partitions))
                    .name();
            local = new LocalPlatform(owned, bootstrapServers, registryUrl, provider, env);
        } catch (RuntimeException e) {
            if (owned != null) {
                owned.close();
            }
            throw e;
        }
        try {
            SynthConfig generator = config(
                    GeneratorConfig.definition(),
                    GeneratorApp.DEFAULTS,
                    env,
                    bootstrapServers,
                    registryUrl,
                    dataDir,
                    ports.generator(),
                    partitions);
            SynthConfig curator = config(
                    CuratorConfig.definition(),
                    LOCAL_CURATOR_DEFAULTS,
                    env,
                    bootstrapServers,
                    registryUrl,
                    dataDir,
                    ports.curator(),
                    partitions);
            SynthConfig evaluator = config(
                    EvaluatorConfig.definition(),
                    EvaluatorApp.DEFAULTS,
                    env,
                    bootstrapServers,
                    registryUrl,
                    dataDir,
                    ports.evaluator(),
                    partitions);
            StreamsApp generatorApp = StreamsApp.start(
                    generator, owner -> GeneratorTopology.build(generator, owner), GeneratorTopology.TOPICS);
            generatorApp.attach(SeedBridges.start(generator));
            local.apps.add(generatorApp);
            local.apps.add(StreamsApp.start(curator, CuratorTopology.build(curator), CuratorTopology.topics(curator)));
            local.apps.add(StreamsApp.start(
                    evaluator, owner -> EvaluatorTopology.build(evaluator, owner), EvaluatorTopology.TOPICS));
            return local;
        } catch (RuntimeException e) {
            local.close();
            throw e;
        }
    }

    /** {@code generator.plan.ahead} of the one-instance platform, unless set otherwise. */
    static final int LOCAL_PLAN_AHEAD = 256;

    private static SynthConfig config(
            ConfigDef definition,
            Map<String, Object> defaults,
            Map<String, String> env,
            String bootstrapServers,
            String registryUrl,
            Path dataDir,
            int httpPort,
            int partitions) {
        Map<String, Object> overrides = new HashMap<>();
        overrides.put(SynthConfig.BOOTSTRAP_SERVERS.key(), bootstrapServers);
        overrides.put(SynthConfig.SCHEMA_REGISTRY_URL.key(), registryUrl);
        overrides.put(
                SynthConfig.STATE_DIR.key(),
                dataDir.resolve("state").toAbsolutePath().toString());
        overrides.put(SynthConfig.HTTP_PORT.key(), httpPort);
        overrides.put(SynthConfig.HTTP_HOST.key(), "127.0.0.1");
        Map<String, Object> appDefaults = new HashMap<>(defaults);
        appDefaults.put(SynthConfig.TOPIC_PARTITIONS.key(), partitions);
        // One generator instance: a short run-ahead lets steering shape most of a request.
        appDefaults.put(GeneratorConfig.PLAN_AHEAD.key(), LOCAL_PLAN_AHEAD);
        appDefaults.put(
                EvaluatorConfig.NATIVE_CACHE_DIR.key(),
                dataDir.resolve("native").toAbsolutePath().toString());
        return new SynthConfig(definition, SynthConfig.resolve(definition, appDefaults, env, overrides));
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    String registryUrl() {
        return registryUrl;
    }

    /** {@code simulated} or {@code openai}: which LLM the apps call. */
    String provider() {
        return provider;
    }

    List<StreamsApp> apps() {
        return List.copyOf(apps);
    }

    /**
     * Starts the live dashboard over these apps' meters and ledger on 127.0.0.1, with the token of
     * {@code SYNTH_DASHBOARD_TOKEN} when set; the caller closes it.
     */
    DashboardServer dashboard(int port) {
        return dashboard("127.0.0.1", port, System.getenv(DashboardServer.TOKEN_ENV));
    }

    /** As {@link #dashboard(int)}, on {@code host} with {@code token} (null for none). */
    DashboardServer dashboard(String host, int port, String token) {
        return DashboardServer.start(
                host,
                port,
                token,
                apps.stream()
                        .map(a -> (io.micrometer.core.instrument.MeterRegistry) a.meters())
                        .toList(),
                cluster());
    }

    ClusterOptions cluster() {
        return ClusterOptions.of(bootstrapServers(), registryUrl(), env);
    }

    @Override
    public void close() {
        for (int i = apps.size() - 1; i >= 0; i--) {
            apps.get(i).close();
        }
        if (platform != null) {
            platform.close();
        }
    }
}
