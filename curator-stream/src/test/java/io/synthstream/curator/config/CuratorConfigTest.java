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
        props.put(SynthConfig.APPLICATION_ID, "synth-curator");
        return new SynthConfig(CuratorConfig.definition(), props);
    }

    @Test
    void shouldDefaultToShortLingerAndBoundedBatches() {
        CuratorConfig curator = CuratorConfig.from(config(Map.of()));

        assertThat(curator.claimLinger()).isEqualTo(Duration.ofMillis(20));
        assertThat(curator.claimBatchMax()).isEqualTo(500);
        assertThat(curator.votesRetention()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void shouldRejectAClaimBatchThatCouldOutgrowAKafkaRecord() {
        assertThatThrownBy(() -> config(Map.of(CuratorConfig.CLAIM_BATCH_MAX, 1_001)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(CuratorConfig.CLAIM_BATCH_MAX);
    }
}
