package io.synthstream.evaluator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.ScoredSample;
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

class EvaluatorTopologyTest {
    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private final SynthConfig config = TopologyTestSupport.config("synth-evaluator");
    private final SynthSerdes serdes = SynthSerdes.from(config);

    private TopologyTestDriver driver() {
        return TopologyTestSupport.driver(EvaluatorTopology.build(config, Clock.fixed(NOW, ZoneOffset.UTC)), config);
    }

    @Test
    void shouldPublishEachCuratedSampleUnscored() {
        try (TopologyTestDriver driver = driver()) {
            TopologyTestSupport.input(driver, Topics.SAMPLES_CURATED, serdes)
                    .pipeInput("s-1", TestRecords.sample("s-1"));

            ScoredSample scored = TopologyTestSupport.output(driver, Topics.SAMPLES_SCORED, serdes)
                    .readValue();

            assertThat(scored.getSample()).isEqualTo(TestRecords.sample("s-1"));
            assertThat(scored.getFaithfulness()).isNull();
            assertThat(scored.getNovelty()).isNull();
            assertThat(scored.getScoredAt()).isEqualTo(NOW);
        }
    }

    @Test
    void shouldDeadLetterUndecodableSample() {
        try (TopologyTestDriver driver = driver()) {
            TopologyTestSupport.rawInput(driver, Topics.SAMPLES_CURATED)
                    .pipeInput("s-x".getBytes(StandardCharsets.UTF_8), "garbage".getBytes(StandardCharsets.UTF_8));

            var letter = TopologyTestSupport.deadLetters(driver, serdes).readValue();

            assertThat(letter.getOriginTopic()).isEqualTo(Topics.SAMPLES_CURATED.name());
            assertThat(letter.getReason()).isEqualTo("deserialization_error");
        }
    }

    @Test
    void shouldNameEveryNode() {
        TopologyTestSupport.assertNoGeneratedNames(EvaluatorTopology.build(config));
    }
}
