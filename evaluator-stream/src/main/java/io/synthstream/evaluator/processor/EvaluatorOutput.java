package io.synthstream.evaluator.processor;

import io.synthstream.avro.DatasetReport;
import io.synthstream.avro.DatasetSample;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.ReviewRequest;
import io.synthstream.avro.ScoredSample;
import io.synthstream.avro.SteeringUpdate;
import io.synthstream.evaluator.avro.EvalEvent;
import io.synthstream.evaluator.avro.LedgerDelta;

/**
 * What the evaluator's processors forward: one value for one output. Lives only between a
 * processor and the sinks that follow it (see {@code Sinks}); never serialized.
 */
public sealed interface EvaluatorOutput {
    /** A scored sample for the dataset stage (keyed by dataset). */
    record Event(EvalEvent event) implements EvaluatorOutput {}

    /** A change to a request's ledger (keyed by request id). */
    record Delta(LedgerDelta delta) implements EvaluatorOutput {}

    /** A finished scored sample: to synth.samples.scored. */
    record Scored(ScoredSample sample) implements EvaluatorOutput {}

    /** A sample sent to review: to synth.review. */
    record Review(ReviewRequest review) implements EvaluatorOutput {}

    /** An admitted sample to synth.dataset; a null sample retracts one (a tombstone). */
    record Accepted(DatasetSample sample) implements EvaluatorOutput {}

    /** A request's ledger after a change: to synth.request-status. */
    record Status(RequestStatus status) implements EvaluatorOutput {}

    /** A dataset report: to synth.reports. */
    record Report(DatasetReport report) implements EvaluatorOutput {}

    /** Feedback for the planner: to synth.steering. */
    record SteeringUpdated(SteeringUpdate update) implements EvaluatorOutput {}

    /** A failure recorded for a sample: to synth.dlq. */
    record Failed(DeadLetter deadLetter) implements EvaluatorOutput {}

    /** A kept LLM reply this transaction used: its key, written as a tombstone to synth.llm-responses. */
    record UsedReply(String key) implements EvaluatorOutput {}
}
