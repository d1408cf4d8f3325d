package io.synthstream.generator.topology;

import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Sample;
import io.synthstream.avro.SteeringUpdate;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.common.streams.DecodingSource;
import io.synthstream.common.streams.StateStores;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.topics.TopicSpec;
import io.synthstream.common.topics.Topics;
import io.synthstream.generator.avro.PendingSample;
import io.synthstream.generator.avro.PlanCursor;
import io.synthstream.generator.config.GeneratorConfig;
import io.synthstream.generator.processor.CallProcessor;
import io.synthstream.generator.processor.Emit;
import io.synthstream.generator.processor.GeneratorStores;
import io.synthstream.generator.processor.IngestInput;
import io.synthstream.generator.processor.IngestProcessor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The generator (DESIGN §4).
 *
 * <pre>
 * synth.requests (Avro) ──┐
 * synth.requests.json ────┴─ ingest: validate ─┬─ synth.specs (accepted spec, first)
 *                           + plan (punctuator) ├─ synth.conditions (paced batches, cursor in generator-plans)
 *                                               └─ synth.dlq (invalid_request, duplicate_request)
 * synth.conditions ─ generate: pending store + async LLM runtime + drain punctuator
 *                      ├─ synth.samples.raw
 *                      └─ synth.dlq (llm_*, unparseable_output, output_truncated, unknown_spec)
 * global tables: synth.specs (generator-specs), synth.steering (generator-steering)
 * </pre>
 *
 * Conditions are keyed by condition id, so the LLM calls of one request spread over every
 * partition and instance.
 */
public final class GeneratorTopology {
    /** Topics this app reads or writes; created at start-up when missing. */
    public static final List<TopicSpec<?, ?>> TOPICS = List.of(
            Topics.REQUESTS,
            Topics.REQUESTS_JSON,
            Topics.SPECS,
            Topics.CONDITIONS,
            Topics.SAMPLES_RAW,
            Topics.STEERING,
            Topics.DLQ);

    private GeneratorTopology() {}

    /** The app's topology with an LLM runtime built from {@code config} (lives as long as the JVM). */
    public static Topology build(SynthConfig config) {
        GeneratorConfig generator = GeneratorConfig.from(config);
        return build(generator.synth(), LlmSettings.runtime(generator.synth()), false);
    }

    /**
     * @param runtime the instance's LLM runtime, shared by all its tasks; the caller closes it
     * @param inMemoryStores in-memory instead of RocksDB stores (topology tests)
     */
    public static Topology build(SynthConfig config, LlmRuntime runtime, boolean inMemoryStores) {
        GeneratorConfig generator = GeneratorConfig.from(config);
        SynthSerdes serdes = SynthSerdes.from(config);
        String app = config.applicationId();
        StreamsBuilder builder = new StreamsBuilder();

        StateStores.specsGlobalTable(builder, serdes, GeneratorStores.SPECS, "read-specs-global", inMemoryStores);
        builder.globalTable(
                Topics.STEERING.name(),
                Consumed.with(Topics.STEERING.keySerde(), serdes.value(Topics.STEERING))
                        .withName("read-steering-global"),
                Materialized.<String, SteeringUpdate>as(
                                StateStores.keyValue(GeneratorStores.STEERING, inMemoryStores, true))
                        .withKeySerde(Serdes.String())
                        .withValueSerde(serdes.value(Topics.STEERING)));

        StoreBuilder<KeyValueStore<String, PlanCursor>> plans = Stores.keyValueStoreBuilder(
                StateStores.keyValue(GeneratorStores.PLANS, inMemoryStores, false),
                Serdes.String(),
                serdes.valueSerde(PlanCursor.class));
        StoreBuilder<KeyValueStore<String, PendingSample>> pending = Stores.keyValueStoreBuilder(
                StateStores.keyValue(GeneratorStores.PENDING, inMemoryStores, false),
                Serdes.String(),
                serdes.valueSerde(PendingSample.class));

        builder.addStateStore(plans);
        builder.addStateStore(pending);
        KStream<String, IngestInput> avro = DecodingSource.stream(builder, Topics.REQUESTS, serdes, app)
                .mapValues(IngestInput::avro, Named.as("ingest-avro"));
        KStream<String, IngestInput> json = builder.stream(
                        Topics.REQUESTS_JSON.name(),
                        Consumed.with(Topics.REQUESTS_JSON.keySerde(), Serdes.String())
                                .withName("read-" + Topics.REQUESTS_JSON.name()))
                .mapValues(IngestInput::json, Named.as("ingest-json"));
        KStream<String, Emit> ingested = avro.merge(json, Named.as("ingest-merge"))
                .process(() -> new IngestProcessor(generator, runtime), Named.as("ingest"), GeneratorStores.PLANS);
        var ingestOut = ingested.split(Named.as("ingest-"))
                .branch((k, e) -> e.kind() == Emit.Kind.SPEC, Branched.as("spec"))
                .branch((k, e) -> e.kind() == Emit.Kind.CONDITION, Branched.as("condition"))
                .defaultBranch(Branched.as("dlq"));
        ingestOut
                .get("ingest-spec")
                .mapValues(e -> e.as(GenerationRequest.class), Named.as("ingest-spec-value"))
                .to(
                        Topics.SPECS.name(),
                        Produced.with(Topics.SPECS.keySerde(), serdes.value(Topics.SPECS))
                                .withName("write-specs"));
        ingestOut
                .get("ingest-condition")
                .mapValues(e -> e.as(ConditionTuple.class), Named.as("ingest-condition-value"))
                .to(
                        Topics.CONDITIONS.name(),
                        Produced.with(Topics.CONDITIONS.keySerde(), serdes.value(Topics.CONDITIONS))
                                .withName("write-conditions"));
        deadLetters(ingestOut.get("ingest-dlq"), "ingest", serdes);

        var generated = DecodingSource.stream(builder, Topics.CONDITIONS, serdes, app)
                .process(() -> new CallProcessor(generator, runtime), Named.as("generate"), GeneratorStores.PENDING)
                .split(Named.as("generate-"))
                .branch((k, e) -> e.kind() == Emit.Kind.SAMPLE, Branched.as("sample"))
                .defaultBranch(Branched.as("dlq"));
        generated
                .get("generate-sample")
                .mapValues(e -> e.as(Sample.class), Named.as("generate-sample-value"))
                .to(
                        Topics.SAMPLES_RAW.name(),
                        Produced.with(Topics.SAMPLES_RAW.keySerde(), serdes.value(Topics.SAMPLES_RAW))
                                .withName("write-samples"));
        deadLetters(generated.get("generate-dlq"), "generate", serdes);
        return builder.build();
    }

    private static void deadLetters(KStream<String, Emit> stream, String stage, SynthSerdes serdes) {
        stream.map(
                        (key, e) -> KeyValue.pair(
                                key == null ? null : key.getBytes(StandardCharsets.UTF_8), e.as(DeadLetter.class)),
                        Named.as(stage + "-dlq-value"))
                .to(
                        Topics.DLQ.name(),
                        Produced.with(Topics.DLQ.keySerde(), serdes.value(Topics.DLQ))
                                .withName(stage + "-write-dlq"));
    }
}
