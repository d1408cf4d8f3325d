package io.synthstream.generator.topology;

import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.SteeringUpdate;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.common.streams.DecodingSource;
import io.synthstream.common.streams.Sinks;
import io.synthstream.common.streams.StateStores;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.topics.TopicSpec;
import io.synthstream.common.topics.Topics;
import io.synthstream.generator.config.GeneratorConfig;
import io.synthstream.generator.processor.GeneratorOutput;
import io.synthstream.generator.processor.GeneratorOutput.Condition;
import io.synthstream.generator.processor.GeneratorOutput.Failed;
import io.synthstream.generator.processor.GeneratorOutput.Planned;
import io.synthstream.generator.processor.GeneratorOutput.RawSample;
import io.synthstream.generator.processor.GeneratorOutput.Spec;
import io.synthstream.generator.processor.GeneratorOutput.UsedReply;
import io.synthstream.generator.processor.GeneratorProcessors;
import io.synthstream.generator.processor.GeneratorStores;
import io.synthstream.generator.processor.IngestInput;
import java.time.Clock;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;

/**
 * The generator: requests to specs, condition tuples and samples.
 *
 * <pre>
 * synth.requests (Avro) ──┐
 * synth.requests.json ────┤
 * synth.seeds ────────────┴─ ingest: validate ─┬─ synth.specs (accepted spec, first)
 *          + queue seeds + plan (punctuator) ├─ synth.conditions (paced batches, cursor in generator-plans)
 *                                               └─ synth.dlq (invalid_request, duplicate_request, invalid_seed,
 *                                                             orphan_seed)
 * synth.conditions ─ generate (AsyncStage): pending store + async LLM runtime + drain punctuator
 *                      │   + Self-Instruct pools (generator-self-instruct-pool, -rounds)
 *                      ├─ synth.samples.raw
 *                      ├─ synth.conditions (Self-Instruct: a kept instruction's input and output)
 *                      ├─ synth.dlq (llm_*, unparseable_output, output_truncated, unknown_spec)
 *                      └─ synth.llm-responses (tombstones of the kept replies used)
 * global tables: synth.specs (generator-specs), synth.steering (generator-steering),
 *   synth.llm-responses (generator-responses: replies paid before a restart, the response cache)
 * </pre>
 *
 * Conditions are keyed by condition id, so the LLM calls of one request spread over every
 * partition and instance; a Self-Instruct round's are keyed by dataset, so a dataset's pool and
 * its rounds share one task, and each kept instruction's by its sample id.
 */
public final class GeneratorTopology {
    /** Topics this app reads or writes; created at start-up when missing. */
    public static final List<TopicSpec<?, ?>> TOPICS = List.of(
            Topics.REQUESTS,
            Topics.REQUESTS_JSON,
            Topics.SEEDS,
            Topics.SPECS,
            Topics.CONDITIONS,
            Topics.SAMPLES_RAW,
            Topics.PLAN,
            Topics.STEERING,
            Topics.REQUEST_STATUS,
            Topics.LLM_RESPONSES,
            Topics.DLQ);

    private GeneratorTopology() {}

    /**
     * The app's topology with an LLM runtime built from {@code config}, handed to {@code owner} to
     * close after the app's stream threads ({@code AppLauncher.runOwning} in the app's {@code main},
     * {@code StreamsApp.start(config, owner -> build(config, owner), topics)} for apps in one JVM).
     */
    public static Topology build(SynthConfig config, java.util.function.Consumer<AutoCloseable> owner) {
        GeneratorConfig generator = GeneratorConfig.from(config);
        LlmRuntime runtime = LlmSettings.runtime(generator.synth());
        owner.accept(runtime);
        return build(generator.synth(), runtime, false);
    }

    /**
     * @param runtime the instance's LLM runtime, shared by all its tasks; the caller closes it
     * @param inMemoryStores in-memory instead of RocksDB stores (topology tests)
     */
    public static Topology build(SynthConfig config, LlmRuntime runtime, boolean inMemoryStores) {
        return build(config, runtime, Clock.systemUTC(), inMemoryStores);
    }

    /** @param clock the time of spec waits and of forwarded records */
    public static Topology build(SynthConfig config, LlmRuntime runtime, Clock clock, boolean inMemoryStores) {
        GeneratorConfig generator = GeneratorConfig.from(config);
        SynthSerdes serdes = SynthSerdes.from(config);
        String app = config.applicationId();
        GeneratorStores stores = new GeneratorStores(inMemoryStores);
        GeneratorProcessors processors = new GeneratorProcessors(generator, runtime, clock, stores, serdes);
        StreamsBuilder builder = new StreamsBuilder();

        StateStores.specsGlobalTable(builder, serdes, GeneratorStores.SPECS, "read-specs-global", inMemoryStores);
        if (processors.responses() != null) {
            processors.responses().addTo(builder, inMemoryStores);
        }
        builder.globalTable(
                Topics.STEERING.name(),
                Consumed.with(Topics.STEERING.keySerde(), serdes.value(Topics.STEERING))
                        .withName("read-steering-global"),
                Materialized.<String, SteeringUpdate>as(
                                StateStores.keyValue(GeneratorStores.STEERING, inMemoryStores, true))
                        .withKeySerde(Serdes.String())
                        .withValueSerde(serdes.value(Topics.STEERING)));

        builder.globalTable(
                Topics.REQUEST_STATUS.name(),
                Consumed.with(Topics.REQUEST_STATUS.keySerde(), serdes.value(Topics.REQUEST_STATUS))
                        .withName("read-request-status-global"),
                Materialized.<String, RequestStatus>as(
                                StateStores.keyValue(GeneratorStores.STATUS, inMemoryStores, true))
                        .withKeySerde(Serdes.String())
                        .withValueSerde(serdes.value(Topics.REQUEST_STATUS)));

        KStream<String, IngestInput> avro = DecodingSource.stream(builder, Topics.REQUESTS, serdes, app)
                .mapValues(IngestInput::avro, Named.as("ingest-avro"));
        KStream<String, IngestInput> json = builder.stream(
                        Topics.REQUESTS_JSON.name(),
                        Consumed.with(Topics.REQUESTS_JSON.keySerde(), Serdes.ByteArray())
                                .withName("read-" + Topics.REQUESTS_JSON.name()))
                .mapValues(IngestInput::json, Named.as("ingest-json"));
        KStream<String, IngestInput> seeds = DecodingSource.stream(builder, Topics.SEEDS, serdes, app)
                .mapValues(IngestInput::seed, Named.as("ingest-seeds"));
        KStream<String, GeneratorOutput> ingested = avro.merge(json, Named.as("ingest-merge"))
                .merge(seeds, Named.as("ingest-merge-seeds"))
                .process(processors.ingest(), Named.as("ingest"));
        Sinks sinks = new Sinks(serdes);
        sinks.write(ingested, "write-specs", Topics.SPECS, Spec.class, Spec::spec);
        sinks.write(ingested, "write-conditions", Topics.CONDITIONS, Condition.class, Condition::condition);
        sinks.write(ingested, "write-plan", Topics.PLAN, Planned.class, Planned::plan);
        sinks.deadLetters(ingested, "ingest-write-dlq", Failed.class, Failed::deadLetter);

        KStream<String, GeneratorOutput> generated = DecodingSource.stream(builder, Topics.CONDITIONS, serdes, app)
                .process(processors.generate(), Named.as("generate"));
        sinks.write(generated, "write-samples", Topics.SAMPLES_RAW, RawSample.class, RawSample::sample);
        sinks.write( // Self-Instruct: a kept instruction's own condition, for its input and output
                generated, "write-self-instruct-conditions", Topics.CONDITIONS, Condition.class, Condition::condition);
        sinks.deadLetters(generated, "generate-write-dlq", Failed.class, Failed::deadLetter);
        if (processors.responses() != null) {
            sinks.write(generated, "forget-used-replies", Topics.LLM_RESPONSES, UsedReply.class, used -> null);
        }
        return builder.build();
    }
}
