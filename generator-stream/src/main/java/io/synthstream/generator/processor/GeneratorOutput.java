package io.synthstream.generator.processor;

import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.PlanStatus;
import io.synthstream.avro.Sample;

/**
 * What the generator's processors forward: one value for one output topic. Lives only between a
 * processor and the sinks that follow it (see {@code Sinks}); never serialized.
 */
public sealed interface GeneratorOutput {
    /** An accepted request: to synth.specs. */
    record Spec(GenerationRequest spec) implements GeneratorOutput {}

    /** A planned condition tuple: to synth.conditions. */
    record Condition(ConditionTuple condition) implements GeneratorOutput {}

    /** How far a request is planned: to synth.plan. */
    record Planned(PlanStatus plan) implements GeneratorOutput {}

    /** A generated sample: to synth.samples.raw. */
    record RawSample(Sample sample) implements GeneratorOutput {}

    /** A bad request or a failed sample: to synth.dlq. */
    record Failed(DeadLetter deadLetter) implements GeneratorOutput {}

    /** A kept LLM reply this transaction used: its key, written as a tombstone to synth.llm-responses. */
    record UsedReply(String key) implements GeneratorOutput {}
}
