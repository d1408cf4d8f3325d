package io.synthstream.evaluator.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.synthstream.avro.DatasetSample;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.PlanStatus;
import io.synthstream.avro.QualitySettings;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.ReviewDecision;
import io.synthstream.avro.ReviewRequest;
import io.synthstream.common.testing.MutableClock;
import io.synthstream.common.testing.ProcessorTestSupport;
import io.synthstream.evaluator.avro.LedgerDelta;
import io.synthstream.evaluator.logic.Ledger;
import io.synthstream.evaluator.logic.LedgerDeltas;
import io.synthstream.evaluator.logic.QualityGate;
import io.synthstream.schemas.TestRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LedgerProcessorTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration RECHECK = Duration.ofSeconds(1);
    private static final String REQUEST = TestRecords.sample("s-0").getRequestId();

    private final MutableClock clock = new MutableClock(NOW);
    private MockProcessorContext<String, EvaluatorOutput> context;
    private KeyValueStore<String, RequestStatus> ledger;
    private KeyValueStore<String, byte[]> reviewTimes;
    private KeyValueStore<String, String> reviewAdmissions;
    private TimestampedKeyValueStore<String, GenerationRequest> specs;
    private LedgerProcessor processor;

    @BeforeEach
    void setUp() {
        context = ProcessorTestSupport.context("ledger-test", new SimpleMeterRegistry());
        ledger = ProcessorTestSupport.keyValueStore(
                context,
                EvaluatorStores.LEDGER,
                Serdes.String(),
                ProcessorTestSupport.serdes().valueSerde(RequestStatus.class));
        reviewTimes = ProcessorTestSupport.keyValueStore(
                context, EvaluatorStores.REVIEW_TIMES, Serdes.String(), Serdes.ByteArray());
        reviewAdmissions = ProcessorTestSupport.keyValueStore(
                context, EvaluatorStores.REVIEW_ADMISSIONS, Serdes.String(), Serdes.String());
        specs = ProcessorTestSupport.specsStore(context, EvaluatorStores.SPECS, ProcessorTestSupport.serdes());
        processor = new LedgerProcessor("ledger-test", clock);
        processor.init(context);
    }

    private void process(LedgerDelta delta) {
        processor.process(new Record<>(delta.getRequestId(), delta, clock.millis()));
    }

    private List<RequestStatus> published() {
        return context.forwarded().stream()
                .map(f -> f.record().value())
                .filter(EvaluatorOutput.Status.class::isInstance)
                .map(v -> ((EvaluatorOutput.Status) v).status())
                .toList();
    }

    private RequestStatus last() {
        return published().get(published().size() - 1);
    }

    private List<String> dataset() {
        return context.forwarded().stream()
                .filter(f -> f.record().value() instanceof EvaluatorOutput.Accepted)
                .map(f -> {
                    DatasetSample s = ((EvaluatorOutput.Accepted) f.record().value()).sample();
                    return s == null ? "-" + f.record().key() : s.getSampleId();
                })
                .toList();
    }

    private static GenerationRequest spec(int count, String target) {
        GenerationRequest spec = TestRecords.request(REQUEST);
        spec.setMetadata(Map.of("team", "nlp"));
        spec.setCount(count);
        spec.setQuality(QualitySettings.newBuilder().setTarget(target).build());
        return spec;
    }

    private static LedgerDelta plan(long planned, boolean stopped) {
        return LedgerDeltas.planned(PlanStatus.newBuilder()
                .setRequestId(REQUEST)
                .setDataset("sentiment")
                .setPlanned(planned)
                .setStopped(stopped)
                .setUpdatedAt(NOW)
                .build());
    }

    private static DatasetSample candidate(String sampleId) {
        DatasetSample sample = TestRecords.datasetSample();
        sample.setSampleId(sampleId);
        sample.setRequestId(REQUEST);
        sample.setLabelSource(QualityGate.GENERATED);
        return sample;
    }

    private static LedgerDelta pass(String sampleId) {
        return LedgerDeltas.gated(REQUEST, "sentiment", sampleId, QualityGate.PASS, null, candidate(sampleId));
    }

    private static LedgerDelta gated(String sampleId, String decision, String reason) {
        return LedgerDeltas.gated(REQUEST, "sentiment", sampleId, decision, reason, null);
    }

    private static ReviewRequest review(String sampleId) {
        ReviewRequest review = TestRecords.reviewRequest();
        review.setSampleId(sampleId);
        review.setRequestId(REQUEST);
        review.setCandidate(candidate(sampleId));
        review.setRequestedAt(NOW);
        return review;
    }

    private static ReviewDecision decision(String sampleId, String action) {
        return ReviewDecision.newBuilder()
                .setSampleId(sampleId)
                .setAction(action)
                .setReason("off topic")
                .setReviewer("ana")
                .setDecidedAt(NOW)
                .build();
    }

    @Test
    void shouldBalanceTheLedgerAndCompleteOnlyWhenPlanningStoppedAndNothingIsInFlightOrInReview() {
        ProcessorTestSupport.putSpec(specs, spec(4, "planned"));
        process(plan(4, true));
        process(pass("s-1"));
        process(gated("s-2", QualityGate.REJECT, QualityGate.JUDGE_SCORE));
        process(LedgerDeltas.rejected(TestRecords.rejection()));
        assertThat(last().getInFlight()).isEqualTo(1);
        process(gated("s-4", QualityGate.REVIEW, null));

        RequestStatus status = last();
        assertThat(status.getPlanned()).isEqualTo(4);
        assertThat(status.getAccepted()).isEqualTo(1);
        assertThat(status.getRejectedQuality()).isEqualTo(1);
        assertThat(status.getRejectedQualityByReason()).containsEntry(QualityGate.JUDGE_SCORE, 1L);
        assertThat(status.getRejected()).isEqualTo(1);
        assertThat(status.getInReview()).isEqualTo(1);
        assertThat(status.getInFlight()).isZero();
        assertThat(status.getComplete()).as("a sample is in review").isFalse();

        clock.set(NOW.plusSeconds(30));
        process(LedgerDeltas.decided(review("s-4"), decision("s-4", "accept"), candidate("s-4"), null, null));

        status = last();
        assertThat(status.getInReview()).isZero();
        assertThat(status.getAccepted()).isEqualTo(2);
        assertThat(status.getReviewed()).isEqualTo(1);
        assertThat(status.getReviewTime().getP50()).isEqualTo(30_000.0);
        assertThat(status.getComplete()).isTrue();
        assertThat(dataset()).containsExactly("s-1", "s-4");
    }

    @Test
    void shouldAdmitExactlyCountAcceptedSamplesAndCountTheRestAsSurplus() {
        ProcessorTestSupport.putSpec(specs, spec(2, "accepted"));
        process(plan(4, false));
        for (String id : List.of("s-1", "s-2", "s-3")) {
            process(pass(id));
        }
        process(plan(4, true));
        assertThat(last().getComplete()).as("s-4 in flight").isFalse();
        process(pass("s-4"));

        RequestStatus status = last();
        assertThat(status.getMetadata())
                .as("the spec's metadata is on the ledger")
                .containsEntry("team", "nlp");
        assertThat(dataset()).containsExactly("s-1", "s-2");
        assertThat(status.getAccepted()).isEqualTo(2);
        assertThat(status.getSurplus()).isEqualTo(2);
        assertThat(status.getComplete()).isTrue();
        assertThat(Ledger.accounted(status)).isEqualTo(status.getPlanned());
    }

    @Test
    void shouldReportWhatWasNotPlannedWhenTheCapStoppedPlanning() {
        ProcessorTestSupport.putSpec(specs, spec(3, "accepted"));
        LedgerDelta capped = plan(3, true);
        capped.setNotPlannedReason("cap_reached");
        process(capped);
        process(pass("s-1"));
        process(gated("s-2", QualityGate.REJECT, QualityGate.ADHERENCE));
        process(gated("s-3", QualityGate.REJECT, QualityGate.ADHERENCE));

        RequestStatus status = last();
        assertThat(status.getComplete()).isTrue();
        assertThat(status.getNotPlanned()).isEqualTo(2);
        assertThat(status.getNotPlannedReason()).isEqualTo("cap_reached");
    }

    @Test
    void shouldRetractAnOverriddenAcceptanceAndRefuseDecisionsAfterCompletion() {
        ProcessorTestSupport.putSpec(specs, spec(2, "planned"));
        process(plan(2, true));
        process(gated("s-1", QualityGate.REVIEW, null));
        process(LedgerDeltas.decided(review("s-1"), decision("s-1", "accept"), candidate("s-1"), null, null));
        process(LedgerDeltas.decided(review("s-1"), decision("s-1", "reject"), null, "review", Ledger.WAS_ACCEPTED));

        RequestStatus status = last();
        assertThat(dataset()).containsExactly("s-1", "-s-1");
        assertThat(status.getAccepted()).isZero();
        assertThat(status.getRejectedQualityByReason()).containsEntry("review", 1L);
        assertThat(status.getReviewed()).isEqualTo(2);

        process(pass("s-2"));
        assertThat(last().getComplete()).isTrue();
        int before = published().size();
        process(LedgerDeltas.decided(
                review("s-1"), decision("s-1", "accept"), candidate("s-1"), null, Ledger.WAS_REJECTED + "review"));

        assertThat(published()).as("nothing changes").hasSize(before);
        assertThat(ledger.get(REQUEST).getAccepted()).isEqualTo(1);
        assertThat(context.forwarded().stream()
                        .map(f -> f.record().value())
                        .filter(EvaluatorOutput.Failed.class::isInstance)
                        .map(v -> ((EvaluatorOutput.Failed) v).deadLetter()))
                .singleElement()
                .satisfies(d -> {
                    assertThat(d.getReason()).isEqualTo("invalid_decision");
                    assertThat(d.getMessage()).contains("complete");
                    assertThat(d.getSamples()).isZero();
                });
    }

    @Test
    void shouldOverrideASurplusOrRelabelledAcceptanceByWhatTheLedgerDidWithIt() {
        ProcessorTestSupport.putSpec(specs, spec(1, "accepted"));
        process(plan(3, false));
        process(gated("s-1", QualityGate.REVIEW, null));
        process(gated("s-2", QualityGate.REVIEW, null));
        DatasetSample relabeled = candidate("s-1");
        relabeled.setLabelSource(QualityGate.HUMAN);
        process(LedgerDeltas.decided(review("s-1"), decision("s-1", "relabel"), relabeled, null, null));
        // The target is met: a reviewer's acceptance of s-2 is surplus.
        process(LedgerDeltas.decided(review("s-2"), decision("s-2", "accept"), candidate("s-2"), null, null));
        RequestStatus status = last();
        assertThat(status.getAccepted()).isEqualTo(1);
        assertThat(status.getSurplus()).isEqualTo(1);
        assertThat(status.getRelabeledBySource()).containsEntry(QualityGate.HUMAN, 1L);

        // The review state only knows it accepted s-2; the ledger knows it was surplus: nothing to retract.
        process(LedgerDeltas.decided(review("s-2"), decision("s-2", "reject"), null, "review", Ledger.WAS_ACCEPTED));
        status = last();
        assertThat(status.getAccepted()).as("the admitted sample stays counted").isEqualTo(1);
        assertThat(status.getSurplus()).isZero();
        assertThat(dataset()).containsExactly("s-1");

        // Overriding the relabelled acceptance retracts it and takes its relabel back.
        process(LedgerDeltas.decided(review("s-1"), decision("s-1", "reject"), null, "review", Ledger.WAS_ACCEPTED));
        status = last();
        assertThat(status.getAccepted()).isZero();
        assertThat(status.getRelabeled()).isZero();
        assertThat(status.getRelabeledBySource()).isEmpty();
        assertThat(dataset()).containsExactly("s-1", "-s-1");
        assertThat(status.getRejectedQualityByReason()).containsEntry("review", 2L);

        // Completion forgets what the ledger kept about the request's reviews.
        process(gated("s-3", QualityGate.REVIEW, null));
        process(LedgerDeltas.decided(review("s-3"), decision("s-3", "accept"), candidate("s-3"), null, null));
        assertThat(reviewAdmissions.approximateNumEntries()).isPositive();
        process(plan(3, true));
        assertThat(last().getComplete()).isTrue();
        try (var all = reviewAdmissions.all()) {
            assertThat(all.hasNext()).isFalse();
        }
    }

    @Test
    void shouldWaitForALateSpecAndStayCompleteOnceComplete() {
        process(plan(1, true));
        process(pass("s-1"));
        assertThat(last().getRequested()).isZero();
        assertThat(last().getComplete()).isTrue();

        ProcessorTestSupport.putSpec(specs, spec(1, "planned"));
        ProcessorTestSupport.punctuate(context, RECHECK, clock.millis());
        assertThat(last().getRequested()).isEqualTo(1);
        assertThat(last().getComplete()).isTrue();

        process(plan(1, false)); // a replayed plan record cannot reopen the request
        assertThat(last().getComplete()).isTrue();
        assertThat(Objects.requireNonNull(ledger.get(REQUEST)).getPlanned()).isEqualTo(1);
    }

    @Test
    void shouldWaitForTheSpecsOfStoredLedgersAgainAfterARestart() {
        process(plan(2, false));

        context = ProcessorTestSupport.context("ledger-test", new SimpleMeterRegistry());
        context.addStateStore(ledger);
        context.addStateStore(reviewTimes);
        context.addStateStore(specs);
        processor = new LedgerProcessor("ledger-test", clock);
        processor.init(context);
        ProcessorTestSupport.putSpec(specs, spec(2, "planned"));
        ProcessorTestSupport.punctuate(context, RECHECK, clock.millis());

        assertThat(published()).singleElement().satisfies(s -> {
            assertThat(s.getRequested()).isEqualTo(2);
            assertThat(s.getComplete()).isFalse();
        });
    }
}
