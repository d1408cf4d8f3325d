package io.synthstream.curator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.Sample;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.testing.TopologyTestSupport;
import io.synthstream.common.topics.Topics;
import io.synthstream.schemas.TestRecords;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

class CuratorTopologyTest {
    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private final SynthConfig config = TopologyTestSupport.config("synth-curator");
    private final SynthSerdes serdes = SynthSerdes.from(config);

    private TopologyTestDriver driver() {
        return TopologyTestSupport.driver(CuratorTopology.build(config, Clock.fixed(NOW, ZoneOffset.UTC)), config);
    }

    @Test
    void shouldKeepEverySampleMarkingThatNoCheckRan() {
        try (TopologyTestDriver driver = driver()) {
            Sample raw = TestRecords.sample("s-1");
            raw.setCuration(null);
            TopologyTestSupport.input(driver, Topics.SAMPLES_RAW, serdes).pipeInput("s-1", raw);

            Sample curated = TopologyTestSupport.output(driver, Topics.SAMPLES_CURATED, serdes)
                    .readValue();

            assertThat(curated.getSampleId()).isEqualTo("s-1");
            assertThat(curated.getFields()).isEqualTo(raw.getFields());
            assertThat(curated.getCuration().getChecksPassed()).isEmpty();
            assertThat(curated.getCuration().getCuratedAt()).isEqualTo(NOW);
        }
    }

    @Test
    void shouldDeadLetterUndecodableSample() {
        try (TopologyTestDriver driver = driver()) {
            TopologyTestSupport.rawInput(driver, Topics.SAMPLES_RAW)
                    .pipeInput("s-x".getBytes(StandardCharsets.UTF_8), new byte[] {0, 0, 0});

            var letter = TopologyTestSupport.deadLetters(driver, serdes).readValue();

            assertThat(letter.getMessage()).contains("Truncated payload");
            assertThat(letter.getApp()).isEqualTo("synth-curator");
            assertThat(TopologyTestSupport.output(driver, Topics.SAMPLES_CURATED, serdes)
                            .isEmpty())
                    .isTrue();
        }
    }

    @Test
    void shouldNameEveryNode() {
        TopologyTestSupport.assertNoGeneratedNames(CuratorTopology.build(config));
    }
}
