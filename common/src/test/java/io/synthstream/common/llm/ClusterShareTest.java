package io.synthstream.common.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterShareTest {
    @Test
    void eachInstanceCountsOnceWhateverItsNumberOfStreamThreads() {
        assertThat(ClusterShare.count(List.of(
                        "synth-generator-6f1c-StreamThread-1-consumer",
                        "synth-generator-6f1c-StreamThread-2-consumer",
                        "synth-generator-9ab0-StreamThread-1-consumer",
                        "some-other-client")))
                .isEqualTo(3);
        assertThat(ClusterShare.count(List.of())).isZero();
    }
}
