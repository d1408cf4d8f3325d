package io.synthstream.evaluator.processor;

import io.synthstream.avro.DatasetReport;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.ScoredSample;
import io.synthstream.avro.SteeringUpdate;
import io.synthstream.evaluator.avro.EvalEvent;
import io.synthstream.evaluator.avro.LedgerDelta;

/**
 * What the evaluator's score and dataset processors forward: one value for one output. Lives only
 * between a processor and the sinks that follow it (see {@code Sinks}); never serialized. The
 * {@code *Of} selectors pick one kind, or give null for the others.
 */
public sealed interface EvaluatorOutput {
    /** A scored sample for the dataset stage (keyed by dataset). */
    record Event(EvalEvent event) implements EvaluatorOutput {}

    /** A change to a request's ledger (keyed by request id). */
    record Delta(LedgerDelta delta) implements EvaluatorOutput {}

    /** A finished scored sample: to synth.samples.scored. */
    record Scored(ScoredSample sample) implements EvaluatorOutput {}

    /** A dataset report: to synth.reports. */
    record Report(DatasetReport report) implements EvaluatorOutput {}

    /** Feedback for the planner: to synth.steering. */
    record SteeringUpdated(SteeringUpdate update) implements EvaluatorOutput {}

    /** A failure recorded for a sample: to synth.dlq. */
    record Failed(DeadLetter deadLetter) implements EvaluatorOutput {}
}
