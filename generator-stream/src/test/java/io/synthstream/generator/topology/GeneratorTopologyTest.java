package io.synthstream.generator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.testing.TopologyTestSupport;
import io.synthstream.common.topics.Topics;
import io.synthstream.schemas.TestRecords;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

class GeneratorTopologyTest {
    private final SynthConfig config = TopologyTestSupport.config("synth-generator");
    private final SynthSerdes serdes = SynthSerdes.from(config);

    @Test
    void shouldPublishEachRequestAsSpecKeyedByRequestId() {
        try (TopologyTestDriver driver = TopologyTestSupport.driver(GeneratorTopology.build(config), config)) {
            TopologyTestSupport.input(driver, Topics.REQUESTS, serdes).pipeInput("r-1", TestRecords.request("r-1"));

            var specs = TopologyTestSupport.output(driver, Topics.SPECS, serdes).readKeyValuesToMap();

            assertThat(specs).containsOnlyKeys("r-1");
            assertThat(specs.get("r-1")).isEqualTo(TestRecords.request("r-1"));
        }
    }

    @Test
    void shouldDeadLetterUndecodableRequestAndKeepRunning() {
        try (TopologyTestDriver driver = TopologyTestSupport.driver(GeneratorTopology.build(config), config)) {
            TopologyTestSupport.rawInput(driver, Topics.REQUESTS)
                    .pipeInput("r-bad".getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8));
            TopologyTestSupport.input(driver, Topics.REQUESTS, serdes).pipeInput("r-2", TestRecords.request("r-2"));

            var letter = TopologyTestSupport.deadLetters(driver, serdes).readValue();
            assertThat(letter.getApp()).isEqualTo("synth-generator");
            assertThat(letter.getOriginTopic()).isEqualTo(Topics.REQUESTS.name());
            assertThat(TopologyTestSupport.output(driver, Topics.SPECS, serdes).readKeyValuesToMap())
                    .containsOnlyKeys("r-2");
        }
    }

    @Test
    void shouldNameEveryNode() {
        Topology topology = GeneratorTopology.build(config);
        TopologyTestSupport.assertNoGeneratedNames(topology);
    }
}
