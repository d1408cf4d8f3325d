package io.synthstream.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.synthstream.avro.DeadLetter;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.streams.StreamsDefaults;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.topics.TopicSpec;
import io.synthstream.common.topics.Topics;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;

/** Shared set-up of topology tests: the apps' real Streams defaults over an in-memory registry. */
public final class TopologyTestSupport {
    private TopologyTestSupport() {}

    /** An app config with a fresh {@code mem://} registry scope. */
    public static SynthConfig config(String applicationId) {
        return config(applicationId, Map.of());
    }

    /** As {@link #config(String)}, with some settings overridden. */
    public static SynthConfig config(String applicationId, Map<String, ?> overrides) {
        Map<String, Object> props = new HashMap<>(overrides);
        props.put(SynthConfig.APPLICATION_ID.key(), applicationId);
        props.put(SynthConfig.SCHEMA_REGISTRY_URL.key(), "mem://" + UUID.randomUUID());
        return new SynthConfig(SynthConfig.baseDefinition(), props);
    }

    /** A driver over {@code topology} with exactly the properties the app runs with. */
    public static TopologyTestDriver driver(Topology topology, SynthConfig config) {
        return new TopologyTestDriver(topology, StreamsDefaults.properties(config));
    }

    /** A driver whose processors record into {@code meters}, as the app's registry. */
    public static TopologyTestDriver driver(Topology topology, SynthConfig config, MeterRegistry meters) {
        java.util.Properties props = StreamsDefaults.properties(config);
        props.put(StreamsDefaults.METER_REGISTRY_CONFIG, meters);
        return new TopologyTestDriver(topology, props);
    }

    public static <K, V> TestInputTopic<K, V> input(
            TopologyTestDriver driver, TopicSpec<K, V> topic, SynthSerdes serdes) {
        return driver.createInputTopic(
                topic.name(), topic.keySerde().serializer(), serdes.value(topic).serializer());
    }

    /** Writes raw bytes to a topic, e.g. a corrupt payload. */
    public static TestInputTopic<byte[], byte[]> rawInput(TopologyTestDriver driver, TopicSpec<?, ?> topic) {
        return driver.createInputTopic(topic.name(), new ByteArraySerializer(), new ByteArraySerializer());
    }

    public static <K, V> TestOutputTopic<K, V> output(
            TopologyTestDriver driver, TopicSpec<K, V> topic, SynthSerdes serdes) {
        return driver.createOutputTopic(
                topic.name(),
                topic.keySerde().deserializer(),
                serdes.value(topic).deserializer());
    }

    public static TestOutputTopic<byte[], DeadLetter> deadLetters(TopologyTestDriver driver, SynthSerdes serdes) {
        return output(driver, Topics.DLQ, serdes);
    }

    /** Fails if any processor, store or topic of the topology carries a generated name. */
    public static void assertNoGeneratedNames(Topology topology) {
        assertThat(topology.describe().toString())
                .as("every node is named explicitly (Named.as, Consumed/Produced.withName)")
                .doesNotContain("KSTREAM-")
                .doesNotContain("KTABLE-");
    }
}
