package io.synthstream.common.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.common.config.SynthConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each shared setting reaches the Kafka Streams configuration an app starts with, under Streams' own name. */
class StreamsDefaultsTest {
    private static Properties streams(Map<String, String> overrides) {
        Map<String, Object> props = new HashMap<>(Map.of(SynthConfig.APPLICATION_ID.key(), "synth-a"));
        props.putAll(overrides);
        return StreamsDefaults.properties(new SynthConfig(SynthConfig.baseDefinition(), props));
    }

    @ParameterizedTest(name = "{0}={1} -> {2}")
    @CsvSource(
            delimiter = ';',
            value = {
                "application.id; synth-b; application.id",
                "processing.guarantee; at_least_once; processing.guarantee",
                "num.stream.threads; 3; num.stream.threads",
                "state.dir; /var/lib/synth; state.dir",
                "topic.replication.factor; 3; replication.factor",
                "bootstrap.servers; broker-1:9092,broker-2:9092; bootstrap.servers",
                "schema.registry.url; http://registry:8081; schema.registry.url",
                "schema.registry.basic.auth.user.info; bob:secret; basic.auth.user.info"
            })
    void eachSharedSettingReachesKafkaStreams(String key, String value, String streamsKey) {
        Object before = streams(Map.of()).get(streamsKey);
        Object after = streams(Map.of(key, value)).get(streamsKey);
        assertThat(String.valueOf(after)).isEqualTo(value).isNotEqualTo(String.valueOf(before));
    }
}
