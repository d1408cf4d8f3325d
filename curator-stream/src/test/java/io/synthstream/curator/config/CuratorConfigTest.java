package io.synthstream.curator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synthstream.common.config.SynthConfig;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class CuratorConfigTest {
    private static SynthConfig config(Map<String, Object> overrides) {
        Map<String, Object> props = new java.util.HashMap<>(overrides);
        props.put(SynthConfig.APPLICATION_ID.key(), "synth-curator");
        return new SynthConfig(CuratorConfig.definition(), props);
    }

    @Test
    void shouldDefaultToShortLingerAndBoundedBatches() {
        CuratorConfig curator = CuratorConfig.from(config(Map.of()));

        assertThat(curator.get(CuratorConfig.CLAIM_LINGER_MS)).isEqualTo(Duration.ofMillis(20));
        assertThat(curator.get(CuratorConfig.CLAIM_BATCH_MAX)).isEqualTo(500);
        assertThat(curator.get(CuratorConfig.VOTES_RETENTION_MS)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void shouldRejectAClaimBatchThatCouldOutgrowAKafkaRecord() {
        assertThatThrownBy(() -> config(Map.of(CuratorConfig.CLAIM_BATCH_MAX.key(), 1_001)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(CuratorConfig.CLAIM_BATCH_MAX.key());
    }
}
