package io.synthstream.generator.processor;

import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.SeedRecord;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.common.metrics.SynthMeters;
import io.synthstream.common.streams.ProcessorSuppliers;
import io.synthstream.common.streams.ResponseStore;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.streams.async.AsyncStage;
import io.synthstream.generator.avro.PendingSample;
import io.synthstream.generator.avro.PlanCursor;
import io.synthstream.generator.avro.PoolInstruction;
import io.synthstream.generator.avro.SeedArrivals;
import io.synthstream.generator.config.GeneratorConfig;
import java.time.Clock;
import java.util.Set;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;

/**
 * Suppliers of the generator's processors, each carrying the state store it owns ({@link
 * ProcessorSupplier#stores()}), so the topology never wires a store by hand. Every {@code get()}
 * returns a new processor.
 */
public final class GeneratorProcessors {
    /** The stage name on the call stage's dead letters. */
    public static final String GENERATE_STAGE = "generate";

    private final GeneratorConfig config;
    private final LlmRuntime runtime;
    private final Clock clock;
    private final GeneratorStores stores;
    private final SynthSerdes serdes;
    private final ResponseStore responses;

    /**
     * @param runtime the instance's LLM runtime, shared by all its tasks
     * @param clock the time of spec waits and of forwarded records
     */
    public GeneratorProcessors(
            GeneratorConfig config, LlmRuntime runtime, Clock clock, GeneratorStores stores, SynthSerdes serdes) {
        this.config = config;
        this.runtime = runtime;
        this.clock = clock;
        this.stores = stores;
        this.serdes = serdes;
        this.responses = LlmSettings.responseStore(config.synth(), GeneratorStores.RESPONSES, serdes, clock);
    }

    /** The store of kept LLM replies the sample calls look up, or null when replies are not kept. */
    public ResponseStore responses() {
        return responses;
    }

    /** Validation, specs, seeds and paced planning, on the request's partition. */
    public ProcessorSupplier<String, IngestInput, String, GeneratorOutput> ingest() {
        return ProcessorSuppliers.owning(
                Set.of(
                        stores.plans(serdes.valueSerde(PlanCursor.class)),
                        stores.seeds(serdes.valueSerde(SeedRecord.class)),
                        stores.arrivals(serdes.valueSerde(SeedArrivals.class))),
                () -> new IngestProcessor(config, runtime));
    }

    /**
     * The LLM calls of each sample, on the condition's partition, with the Self-Instruct pools of
     * the datasets whose rounds the partition holds.
     */
    public ProcessorSupplier<String, ConditionTuple, String, GeneratorOutput> generate() {
        AsyncStage.Setup<GeneratorOutput> setup = new AsyncStage.Setup<>(
                config.synth().applicationId(),
                GENERATE_STAGE,
                GeneratorStores.PENDING,
                GeneratorStores.SPECS,
                config.async(),
                runtime,
                clock,
                GeneratorOutput.Failed::new,
                SynthMeters.GENERATOR_SAMPLES,
                responses == null ? null : new AsyncStage.Kept<>(responses, GeneratorOutput.UsedReply::new));
        return AsyncStage.supplier(
                setup,
                stores.pending(serdes.valueSerde(PendingSample.class)),
                Set.of(stores.pool(serdes.valueSerde(PoolInstruction.class)), stores.queue()),
                () -> new SampleCalls(runtime.provider(), config.async().specWait(), clock));
    }
}
