package io.synthstream.common.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.Sample;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.streams.StreamsDefaults;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.testing.PassThroughTopology;
import io.synthstream.common.topics.Topics;
import io.synthstream.schemas.TestRecords;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The DLQ handlers wired by {@link StreamsDefaults}, through a real topology. */
class DeadLetterHandlersTopologyTest {
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, Sample> input;
    private TestInputTopic<byte[], byte[]> rawInput;
    private TestOutputTopic<String, Sample> output;
    private TestOutputTopic<byte[], DeadLetter> dlq;

    @BeforeEach
    void setUp() {
        start(false);
    }

    /**
     * @param handlerOnly read with the Avro serde so that bad values reach the deserialization
     *     handler; run at_least_once, because under exactly-once the test driver commits only after
     *     a processed record, and a record dropped at deserialization is not one
     */
    private void start(boolean handlerOnly) {
        if (driver != null) {
            driver.close();
        }
        Map<String, Object> props = new HashMap<>();
        props.put(SynthConfig.APPLICATION_ID.key(), "synth-test");
        props.put(SynthConfig.SCHEMA_REGISTRY_URL.key(), "mem://" + UUID.randomUUID());
        if (handlerOnly) {
            props.put(SynthConfig.PROCESSING_GUARANTEE.key(), "at_least_once");
        }
        SynthConfig config = new SynthConfig(SynthConfig.baseDefinition(), props);
        SynthSerdes serdes = SynthSerdes.from(config);
        Properties streamsProps = StreamsDefaults.properties(config);
        streamsProps.put(StreamsDefaults.METER_REGISTRY_CONFIG, meters);
        driver = new TopologyTestDriver(
                handlerOnly
                        ? PassThroughTopology.buildWithHandlerOnly(serdes)
                        : PassThroughTopology.build(serdes, "synth-test", new AtomicBoolean(false)),
                streamsProps);
        input = driver.createInputTopic(
                Topics.SAMPLES_RAW.name(),
                Serdes.String().serializer(),
                serdes.value(Topics.SAMPLES_RAW).serializer());
        rawInput = driver.createInputTopic(
                Topics.SAMPLES_RAW.name(), new ByteArraySerializer(), new ByteArraySerializer());
        output = driver.createOutputTopic(
                Topics.SAMPLES_CURATED.name(),
                Serdes.String().deserializer(),
                serdes.value(Topics.SAMPLES_CURATED).deserializer());
        dlq = driver.createOutputTopic(
                Topics.DLQ.name(),
                Serdes.ByteArray().deserializer(),
                serdes.value(Topics.DLQ).deserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void shouldDeadLetterUndecodableRecordInTheSameTransactionAndKeepProcessing() {
        assertDeadLettersUndecodableRecord();
    }

    @Test
    void shouldDeadLetterThroughDeserializationHandlerAsSafetyNet() {
        start(true);
        assertDeadLettersUndecodableRecord();
    }

    private void assertDeadLettersUndecodableRecord() {
        input.pipeInput("s-1", TestRecords.sample("s-1"));
        rawInput.pipeInput(
                "s-2".getBytes(StandardCharsets.UTF_8), "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8));
        input.pipeInput("s-3", TestRecords.sample("s-3"));

        assertThat(output.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("s-1", "s-3");
        var letter = dlq.readRecord();
        assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("s-2");
        assertThat(letter.value().getStage()).isEqualTo("deserialization");
        assertThat(letter.value().getReason()).isEqualTo("deserialization_error");
        assertThat(letter.value().getMessage()).contains("Unknown magic byte 0x7b");
        assertThat(letter.value().getOriginTopic()).isEqualTo(Topics.SAMPLES_RAW.name());
        assertThat(letter.value().getOriginOffset()).isEqualTo(1L);
        assertThat(letter.value().getApp()).isEqualTo("synth-test");
        assertThat(new String(letter.value().getOriginalValue().array(), StandardCharsets.UTF_8))
                .isEqualTo("{\"not\":\"avro\"}");
        assertThat(meters.get("synth.dlq.records")
                        .tag("reason", "deserialization_error")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void shouldDeadLetterProcessingErrorWithProcessorName() {
        Sample poison = TestRecords.sample("s-9");
        poison.setFields(Map.of("text", PassThroughTopology.POISON));

        input.pipeInput("s-9", poison);
        input.pipeInput("s-10", TestRecords.sample("s-10"));

        assertThat(output.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("s-10");
        DeadLetter letter = dlq.readValue();
        assertThat(letter.getStage()).isEqualTo("processing");
        assertThat(letter.getReason()).isEqualTo("processing_error");
        assertThat(letter.getMessage()).contains("in processor copy").contains("poisoned sample s-9");
        assertThat(letter.getErrorClass()).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(letter.getOriginOffset()).isEqualTo(0L);
        assertThat(letter.getOriginalValue()).isNotNull();
        assertThat(dlq.isEmpty()).isTrue();
    }
}
