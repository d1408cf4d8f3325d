package io.synthstream.common.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The settings every SynthStream app shares, declared once with Kafka's {@link ConfigDef}: each
 * key has a type, a default, a validator where one applies, and a one-sentence doc. An invalid
 * value fails at start-up with a {@link org.apache.kafka.common.config.ConfigException} naming the
 * key. Apps extend {@link #baseDefinition()} with their own keys.
 *
 * <p>Sources, highest precedence first: explicit overrides (CLI flags, tests); environment
 * variables ({@code SYNTH_} + the key upper-cased with dots as underscores, e.g. {@code
 * SYNTH_BOOTSTRAP_SERVERS}); the properties file named by {@code SYNTH_CONFIG_FILE}; the app's
 * defaults; the definition's defaults.
 *
 * <p>Keys starting with {@code kafka.} are passed (without the prefix) to every Kafka client the
 * app creates (e.g. {@code kafka.security.protocol}); keys starting with {@code streams.} are
 * passed to Kafka Streams only. Besides the file and overrides, they come from the environment as
 * {@code SYNTH_KAFKA_<KEY>} and {@code SYNTH_STREAMS_<KEY>} with the client key upper-cased and
 * its dots as underscores ({@code SYNTH_KAFKA_SASL_JAAS_CONFIG} is {@code kafka.sasl.jaas.config}:
 * Kafka's own keys hold no underscores, so the mapping is exact). Passwords and anything that
 * looks like a secret are masked in {@link #describe()}.
 */
public class SynthConfig extends AbstractConfig {
    public static final Setting<List<String>> BOOTSTRAP_SERVERS = Setting.list(
            "bootstrap.servers",
            "localhost:9092",
            Importance.HIGH,
            "Kafka bootstrap servers (host:port, comma-separated).");
    public static final Setting<String> SCHEMA_REGISTRY_URL = Setting.string(
            "schema.registry.url",
            "http://localhost:8081",
            Importance.HIGH,
            "Confluent-compatible schema registry URL, or mem://<scope> for an in-process one in tests.");
    public static final Setting<Password> SCHEMA_REGISTRY_USER_INFO = Setting.password(
            "schema.registry.basic.auth.user.info",
            Importance.MEDIUM,
            "user:password for HTTP basic auth against the schema registry; never logged.");
    public static final Setting<String> APPLICATION_ID = Setting.required(
            "application.id",
            Importance.HIGH,
            "Kafka Streams application id: consumer group, transactional id prefix and internal topic prefix.");
    public static final Setting<String> PROCESSING_GUARANTEE = Setting.string(
                    "processing.guarantee",
                    StreamsConfig.EXACTLY_ONCE_V2,
                    Importance.HIGH,
                    "exactly_once_v2 (default; needs brokers 2.5+) or at_least_once.")
            .oneOf(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE);
    public static final Setting<Integer> NUM_STREAM_THREADS = Setting.integer(
                    "num.stream.threads",
                    1,
                    Importance.MEDIUM,
                    "Stream threads per instance; scale out with more instances before more threads on small hosts.")
            .atLeast(1);
    public static final Setting<String> STATE_DIR = Setting.string(
                    "state.dir",
                    Path.of(System.getProperty("java.io.tmpdir"), "synth-streams")
                            .toString(),
                    Importance.MEDIUM,
                    "Directory of the local state stores (RocksDB); keep it on a persistent volume in production.")
            .documentedAs("$TMPDIR/synth-streams");
    public static final Setting<Integer> TOPIC_PARTITIONS = Setting.integer(
                    "topic.partitions",
                    6,
                    Importance.MEDIUM,
                    "Partitions of the topics the apps create: the upper bound on instances per stage.")
            .atLeast(1);
    public static final Setting<Short> TOPIC_REPLICATION_FACTOR = Setting.shortValue(
            "topic.replication.factor",
            (short) -1,
            Importance.MEDIUM,
            "Replication factor of created topics, internal ones included; -1 uses the broker default.");
    public static final Setting<Boolean> TOPICS_CREATE = Setting.flag(
            "topics.create",
            true,
            Importance.LOW,
            "Whether an app creates missing topics from the catalogue at start-up.");
    public static final Setting<String> HTTP_HOST = Setting.string(
            "http.host",
            "127.0.0.1",
            Importance.MEDIUM,
            "Interface of the app's HTTP endpoint (/health, /metrics): this host only by default; 0.0.0.0 for"
                    + " every interface, as the container image sets it so that Prometheus and probes reach it.");
    public static final Setting<Integer> HTTP_PORT = Setting.integer(
                    "http.port",
                    0,
                    Importance.LOW,
                    "Port of the app's HTTP endpoint; 0 picks a free port, -1 disables the endpoint.")
            .atLeast(-1);
    public static final Setting<Duration> SHUTDOWN_TIMEOUT_MS = Setting.millis(
                    "shutdown.timeout.ms",
                    Duration.ofSeconds(30),
                    Importance.LOW,
                    "How long a shutdown waits for Kafka Streams to close cleanly.")
            .atLeast(0);

    /** The settings every app shares, in the order the docs list them. */
    public static final List<Setting<?>> SETTINGS = List.of(
            BOOTSTRAP_SERVERS,
            SCHEMA_REGISTRY_URL,
            SCHEMA_REGISTRY_USER_INFO,
            APPLICATION_ID,
            PROCESSING_GUARANTEE,
            NUM_STREAM_THREADS,
            STATE_DIR,
            TOPIC_PARTITIONS,
            TOPIC_REPLICATION_FACTOR,
            TOPICS_CREATE,
            HTTP_HOST,
            HTTP_PORT,
            SHUTDOWN_TIMEOUT_MS);

    /** Prefix of settings passed to every Kafka client. */
    public static final String KAFKA_PREFIX = "kafka.";
    /** Prefix of settings passed to Kafka Streams only. */
    public static final String STREAMS_PREFIX = "streams.";
    /**
     * The variable part of a family of keys, e.g. {@code llm.provider.<name>.base.url}: the
     * definition holds the template, the config any number of members ({@code
     * llm.provider.local.base.url}); the environment variable of a member is the template's with the
     * name upper-cased ({@code SYNTH_LLM_PROVIDER_LOCAL_BASE_URL}). Names are lower-case letters,
     * digits and underscores, starting with a letter.
     */
    public static final String NAME = "<name>";
    /** Environment variable naming an optional properties file. */
    public static final String CONFIG_FILE_ENV = "SYNTH_CONFIG_FILE";

    private static final Pattern SECRET_KEY =
            Pattern.compile("(?i).*(password|secret|jaas|token(?!s)|api\\.?key|user\\.info).*");

    /** The shared definition; apps add their own settings to it. */
    public static ConfigDef baseDefinition() {
        return Setting.define(new ConfigDef(), SETTINGS);
    }

    private final ConfigDef definition;

    public SynthConfig(ConfigDef definition, Map<?, ?> props) {
        super(definition, props, false);
        this.definition = definition;
    }

    /** The typed value of a setting of this config's definition. */
    public <T> T get(Setting<T> setting) {
        return setting.read(get(setting.key()));
    }

    /**
     * Resolves the configuration from the process environment and {@code SYNTH_CONFIG_FILE}.
     *
     * @param appDefaults defaults of this app (e.g. its application.id), below file and env
     * @param overrides highest-precedence values (CLI flags, tests)
     */
    public static Map<String, Object> resolve(
            ConfigDef definition, Map<String, ?> appDefaults, Map<String, String> env, Map<String, ?> overrides) {
        Map<String, Object> props = new HashMap<>(appDefaults);
        Optional.ofNullable(env.get(CONFIG_FILE_ENV)).map(Path::of).ifPresent(file -> props.putAll(readFile(file)));
        for (String key : definition.names()) {
            if (key.contains(NAME)) {
                props.putAll(familyMembers(key, env));
                continue;
            }
            String value = env.get(envName(key));
            if (value != null) {
                props.put(key, value);
            }
        }
        env.forEach((name, value) -> {
            String key = passThroughKey(name);
            if (key != null) {
                props.put(key, value);
            }
        });
        props.putAll(overrides);
        return props;
    }

    /**
     * The {@code kafka.} or {@code streams.} key an environment variable sets ({@code
     * SYNTH_KAFKA_SECURITY_PROTOCOL} → {@code kafka.security.protocol}), or null.
     */
    static String passThroughKey(String variable) {
        for (String prefix : List.of(KAFKA_PREFIX, STREAMS_PREFIX)) {
            String head = envName(prefix); // SYNTH_KAFKA_
            if (variable.startsWith(head) && variable.length() > head.length()) {
                return prefix
                        + variable.substring(head.length())
                                .toLowerCase(Locale.ROOT)
                                .replace('_', '.');
            }
        }
        return null;
    }

    /** The members of a key family set in the environment, by key. */
    private static Map<String, String> familyMembers(String template, Map<String, String> env) {
        String before = template.substring(0, template.indexOf(NAME));
        String after = template.substring(template.indexOf(NAME) + NAME.length());
        Pattern variable = Pattern.compile(Pattern.quote(envName(before)) + "([A-Z][A-Z0-9_]*)"
                + Pattern.quote(envName(after).substring("SYNTH_".length())));
        Map<String, String> members = new HashMap<>();
        env.forEach((name, value) -> {
            java.util.regex.Matcher m = variable.matcher(name);
            if (m.matches()) {
                members.put(before + m.group(1).toLowerCase(Locale.ROOT) + after, value);
            }
        });
        return members;
    }

    /** Whether {@code key} is a member of a key family of this config's definition. */
    private boolean familyMember(String key) {
        for (String template : definition.names()) {
            int at = template.indexOf(NAME);
            if (at >= 0
                    && key.startsWith(template.substring(0, at))
                    && key.endsWith(template.substring(at + NAME.length()))
                    && key.length() > template.length() - NAME.length()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The settings of member {@code name} of a key family, read from this config's values and
     * checked by each template's type and validator (an error names the member's full key).
     */
    public SynthConfig member(String name, List<Setting<?>> templates) {
        List<Setting<?>> named =
                templates.stream().<Setting<?>>map(t -> t.named(name)).toList();
        return new SynthConfig(Setting.define(new ConfigDef(), named), originals());
    }

    /** The environment variable of a key: {@code SYNTH_} + upper case, dots and dashes as underscores. */
    public static String envName(String key) {
        return "SYNTH_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static Map<String, Object> readFile(Path file) {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read config file " + file + " (from " + CONFIG_FILE_ENV + ")", e);
        }
        Map<String, Object> values = new HashMap<>();
        properties.forEach((k, v) -> values.put(k.toString(), v));
        return values;
    }

    public List<String> bootstrapServers() {
        return get(BOOTSTRAP_SERVERS);
    }

    public String schemaRegistryUrl() {
        return get(SCHEMA_REGISTRY_URL);
    }

    /** {@code user:password} or null; handle with care, never log. */
    public String schemaRegistryUserInfo() {
        Password password = get(SCHEMA_REGISTRY_USER_INFO);
        return password == null ? null : password.value();
    }

    public String applicationId() {
        return get(APPLICATION_ID);
    }

    public int topicPartitions() {
        return get(TOPIC_PARTITIONS);
    }

    /** Replication of created topics; empty means the broker default. */
    public Optional<Short> topicReplicationFactor() {
        short rf = get(TOPIC_REPLICATION_FACTOR);
        return rf < 0 ? Optional.empty() : Optional.of(rf);
    }

    /** Settings for every Kafka client: bootstrap servers plus the {@code kafka.}-prefixed keys. */
    public Map<String, Object> kafkaClientProperties() {
        Map<String, Object> props = new HashMap<>(originalsWithPrefix(KAFKA_PREFIX));
        props.put(BOOTSTRAP_SERVERS.key(), String.join(",", bootstrapServers()));
        return props;
    }

    /** The {@code streams.}-prefixed keys, without the prefix. */
    public Map<String, Object> streamsOverrides() {
        return originalsWithPrefix(STREAMS_PREFIX);
    }

    /** Every resolved setting, secrets masked: what an app logs once at start-up. */
    public String describe() {
        Map<String, String> shown = new TreeMap<>();
        for (String key : definition.names()) {
            if (!key.contains(NAME)) {
                shown.put(key, mask(key, get(key)));
            }
        }
        originals().forEach((key, value) -> {
            if (key.startsWith(KAFKA_PREFIX) || key.startsWith(STREAMS_PREFIX) || familyMember(key)) {
                shown.put(key, mask(key, value));
            }
        });
        StringBuilder text = new StringBuilder(getClass().getSimpleName()).append(" values:");
        shown.forEach(
                (key, value) -> text.append("\n\t").append(key).append(" = ").append(value));
        return text.toString();
    }

    private static String mask(String key, Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Password || SECRET_KEY.matcher(key).matches()) {
            return "[hidden]";
        }
        return value instanceof List<?> list
                ? String.join(",", list.stream().map(String::valueOf).toList())
                : value.toString();
    }
}
