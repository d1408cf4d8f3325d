package io.synthstream.evaluator.processor;

import io.micrometer.core.instrument.MeterRegistry;
import io.synthstream.avro.DatasetSample;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.ReviewDecision;
import io.synthstream.avro.ReviewRequest;
import io.synthstream.common.avro.SingleObject;
import io.synthstream.common.dlq.DeadLetters;
import io.synthstream.common.metrics.AppMeters;
import io.synthstream.evaluator.avro.LedgerDelta;
import io.synthstream.evaluator.avro.ReviewEntry;
import io.synthstream.evaluator.logic.DatasetEvents;
import io.synthstream.evaluator.logic.Ledger;
import io.synthstream.evaluator.logic.LedgerDeltas;
import io.synthstream.evaluator.logic.ReviewDecisions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The review state (keyed by sample id): a sample the gate sent to review ({@code synth.review})
 * waits in {@link EvaluatorStores#REVIEWS} until a {@link ReviewDecision} with its key arrives on
 * {@code synth.review.decisions}, or its deadline passes (a wall-clock punctuator applies the
 * request's {@code review_timeout_action}). A valid decision is applied once: the entry records
 * the outcome and the ledger gets the decision (in the same transaction), which admits the sample
 * or counts the rejection. A second decision is an override and is sent as one (with the earlier
 * outcome); the ledger refuses a decision on a complete request. A decision that does not apply
 * (unknown sample, unknown action, a label outside the task's set, an edit of a field the sample
 * does not have) goes to synth.dlq and changes nothing. A decided entry is forgotten {@code
 * evaluator.review.retention.ms} after its last decision (by the same punctuator).
 */
final class ReviewProcessor implements Processor<String, ReviewInput, String, EvaluatorOutput> {

    private final String app;
    private final Clock clock;
    private final Duration checkInterval;
    private final Duration retention;
    private final ReviewQueueGauges queue;
    private ProcessorContext<String, EvaluatorOutput> context;
    private KeyValueStore<String, ReviewEntry> reviews;
    private MeterRegistry meters;

    /** @param queue the instance's review-queue gauges, to which this task reports its part */
    ReviewProcessor(String app, Clock clock, Duration checkInterval, Duration retention, ReviewQueueGauges queue) {
        this.app = app;
        this.clock = clock;
        this.checkInterval = checkInterval;
        this.retention = retention;
        this.queue = queue;
    }

    @Override
    public void init(ProcessorContext<String, EvaluatorOutput> context) {
        this.context = context;
        this.reviews = context.getStateStore(EvaluatorStores.REVIEWS);
        this.meters = AppMeters.from(context.appConfigs(), app).registry().orElse(null);
        context.schedule(checkInterval, PunctuationType.WALL_CLOCK_TIME, now -> timeouts());
    }

    @Override
    public void close() {
        queue.remove(context.taskId());
    }

    @Override
    public void process(Record<String, ReviewInput> record) {
        if (record.value().review() != null) {
            ReviewRequest review = record.value().review();
            if (reviews.get(review.getSampleId()) == null) {
                reviews.put(review.getSampleId(), entry(review, null, 0, false));
            }
            return;
        }
        ReviewDecision decision = record.value().decision();
        byte[] original;
        if (record.value().json() != null) {
            original = record.value().json();
            ReviewDecisions.FromJson parsed = ReviewDecisions.fromJson(original, clock.instant(), null);
            if (parsed.decision() == null) {
                refuse(record, record.key(), original, parsed.problems());
                return;
            }
            decision = parsed.decision();
        } else {
            original = decision.toString().getBytes(StandardCharsets.UTF_8);
        }
        String key = record.key() == null ? decision.getSampleId() : record.key();
        ReviewEntry entry = reviews.get(decision.getSampleId());
        if (entry == null) {
            refuse(
                    record,
                    decision.getSampleId(),
                    original,
                    List.of("no sample " + decision.getSampleId() + " is or was in review (decided reviews are"
                            + " remembered for " + retention + ")"));
            return;
        }
        List<String> problems = ReviewDecisions.problems(key, decision, review(entry));
        if (!problems.isEmpty()) {
            refuse(record, decision.getSampleId(), original, problems);
            return;
        }
        apply(entry, decision);
    }

    private void apply(ReviewEntry entry, ReviewDecision decision) {
        ReviewRequest review = review(entry);
        DatasetSample accepted = ReviewDecisions.accepted(review, decision, clock.instant());
        String reason = accepted == null ? ReviewDecisions.reason(review, decision) : null;
        LedgerDelta delta = LedgerDeltas.decided(review, decision, accepted, reason, entry.getOutcome());
        delta.setPreviousByPerson(entry.getOutcome() != null && entry.getByPerson());
        context.forward(new Record<>(review.getRequestId(), new EvaluatorOutput.Delta(delta), clock.millis()));
        String outcome = accepted != null ? Ledger.WAS_ACCEPTED : Ledger.WAS_REJECTED + reason;
        boolean person = ReviewDecisions.byPerson(decision);
        reviews.put(review.getSampleId(), entry(review, outcome, clock.millis(), person));
        if (person) {
            // A person's decision shapes the exemplar pool the planner draws demonstrations from.
            context.forward(new Record<>(
                    review.getDataset(),
                    new EvaluatorOutput.Event(DatasetEvents.reviewed(review, accepted, reason)),
                    clock.millis()));
        }
    }

    /**
     * Decides the reviews past their deadline with their timeout action; forgets decided ones past
     * retention; reports what still waits to the queue gauges.
     */
    private void timeouts() {
        long now = clock.millis();
        List<ReviewEntry> due = new ArrayList<>();
        List<String> expired = new ArrayList<>();
        Map<String, ReviewQueueGauges.Waiting> waiting = new HashMap<>();
        try (KeyValueIterator<String, ReviewEntry> all = reviews.all()) {
            while (all.hasNext()) {
                KeyValue<String, ReviewEntry> kv = all.next();
                if (kv.value.getOutcome() == null) {
                    ReviewRequest review = review(kv.value);
                    if (review.getDeadline().toEpochMilli() <= now) {
                        due.add(kv.value);
                    } else {
                        waiting.merge(
                                ReviewQueueGauges.tag(review.getDataset()),
                                new ReviewQueueGauges.Waiting(
                                        1, review.getRequestedAt().toEpochMilli()),
                                (a, b) -> a.plus(b.oldestSince()));
                    }
                } else if (kv.value.getDecidedAt() + retention.toMillis() <= now) {
                    expired.add(kv.key);
                }
            }
        }
        queue.update(meters, context.taskId(), waiting);
        for (ReviewEntry entry : due) {
            apply(entry, ReviewDecisions.timeout(review(entry), clock.instant()));
        }
        expired.forEach(reviews::delete);
    }

    private static ReviewEntry entry(ReviewRequest review, String outcome, long decidedAt, boolean byPerson) {
        return new ReviewEntry(SingleObject.encode(review::toByteBuffer), outcome, decidedAt, byPerson);
    }

    private static ReviewRequest review(ReviewEntry entry) {
        return SingleObject.decode(ReviewRequest::fromByteBuffer, entry.getReview());
    }

    private void refuse(Record<String, ReviewInput> record, String sampleId, byte[] original, List<String> problems) {
        Optional<RecordMetadata> metadata = context.recordMetadata();
        ReviewEntry entry = sampleId == null ? null : reviews.get(sampleId);
        DeadLetter.Builder letter = ReviewDecisions.refusal(
                app,
                sampleId,
                problems,
                new DeadLetters.Origin(
                        metadata.map(RecordMetadata::topic).orElse(null),
                        metadata.map(RecordMetadata::partition).orElse(null),
                        metadata.map(RecordMetadata::offset).orElse(null),
                        record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8),
                        original),
                clock.instant());
        if (entry != null) {
            letter.setRequestId(review(entry).getRequestId())
                    .setDataset(review(entry).getDataset());
        }
        context.forward(new Record<>(record.key(), new EvaluatorOutput.Failed(letter.build()), clock.millis()));
    }
}
