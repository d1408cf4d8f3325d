package io.synthstream.curator.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synthstream.avro.CurationSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

class CurationThresholdsTest {
    @Test
    void shouldKeepDefaultsForNullSettingsAndNullFields() {
        assertThat(CurationThresholds.resolve(null)).isSameAs(CurationThresholds.DEFAULTS);
        CurationThresholds resolved = CurationThresholds.resolve(CurationSettings.newBuilder()
                .setNearDupThreshold(0.85)
                .setNearDedup(false)
                .build());

        assertThat(resolved.nearDupThreshold()).isEqualTo(0.85);
        assertThat(resolved.nearDedup()).isFalse();
        assertThat(resolved.minhashBands()).isEqualTo(14);
        assertThat(resolved.minhashRows()).isEqualTo(8);
        assertThat(resolved.maxChars()).isEqualTo(20_000);
    }

    @Test
    void shouldNameTheSettingThatIsOutOfRange() {
        assertThatThrownBy(() -> CurationThresholds.resolve(
                        CurationSettings.newBuilder().setMaxSymbolRatio(1.5).build()))
                .hasMessageContaining("curation.max_symbol_ratio");
        assertThatThrownBy(() -> CurationThresholds.resolve(CurationSettings.newBuilder()
                        .setMinChars(500)
                        .setMaxChars(100)
                        .build()))
                .hasMessageContaining("minimum is larger than its maximum");
        assertThatThrownBy(() -> CurationThresholds.resolve(
                        CurationSettings.newBuilder().setMinhashBands(0).build()))
                .hasMessageContaining("minhash_bands");
    }

    @Test
    void shouldReportAnInvalidRefusalPattern() {
        assertThatThrownBy(() -> CurationThresholds.resolve(CurationSettings.newBuilder()
                        .setRefusalPatterns(List.of("(unclosed"))
                        .build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("curation.refusal_patterns")
                .hasMessageContaining("(unclosed");
    }

    @Test
    void theTestOverlapDefaultsToHalfAndIsAShare() {
        assertThat(CurationThresholds.DEFAULTS.maxTestOverlap()).isEqualTo(0.5);
        assertThat(CurationThresholds.resolve(io.synthstream.avro.CurationSettings.newBuilder()
                                .setMaxTestOverlap(0.2)
                                .build())
                        .maxTestOverlap())
                .isEqualTo(0.2);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> CurationThresholds.resolve(io.synthstream.avro.CurationSettings.newBuilder()
                                .setMaxTestOverlap(1.5)
                                .build()))
                .hasMessage("curation.max_test_overlap must be between 0 and 1, got 1.5");
    }
}
