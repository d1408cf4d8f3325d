package io.synthstream.evaluator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.EvaluationSettings;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.SteeringUpdate;
import io.synthstream.evaluator.avro.DatasetAccumulators;
import io.synthstream.evaluator.avro.EvalEvent;
import io.synthstream.evaluator.avro.Exemplar;
import io.synthstream.evaluator.avro.ReservoirText;
import io.synthstream.evaluator.avro.WindowEntry;
import io.synthstream.schemas.TestRecords;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DatasetStateTest {
    private static final DatasetSettings SETTINGS = new DatasetSettings(
            3,
            2,
            4,
            1,
            4096,
            2,
            new DatasetSettings.Steering(true, Duration.ofSeconds(10), 3, 0.3),
            Duration.ofMinutes(10));

    private static DatasetState fresh() {
        DatasetState state = DatasetState.load("d", SETTINGS, null, null);
        state.loaded();
        return state;
    }

    private static WindowEntry scored(DatasetState state, String id, String topic, double faithfulness) {
        EvalEvent event = EvalEvent.newBuilder()
                .setKind(DatasetEvents.SCORED)
                .setDataset("d")
                .setRequestId("r-1")
                .setSampleId(id)
                .setLabel("pos")
                .setAttributes(Map.of("topic", topic))
                .build();
        return state.entry(event, DatasetEvents.SCORED)
                .setText("text of " + id + " about " + topic)
                .setEmbedding(Vectors.encode(new float[] {1f, 0f}))
                .setFaithfulness(faithfulness)
                .setFields(Map.of("text", "text of " + id))
                .build();
    }

    private static Optional<GenerationRequest> spec(String requestId) {
        GenerationRequest spec = TestRecords.request(requestId);
        spec.setEvaluation(EvaluationSettings.newBuilder().setTargetPerCell(5).build());
        return Optional.of(spec);
    }

    @Test
    void shouldNumberTheLogAndFoldEachEntryOnce() {
        DatasetState state = fresh();
        WindowEntry a = scored(state, "s-a", "x", 4);
        WindowEntry b = scored(state, "s-b", "y", 2);

        assertThat(List.of(a.getSeq(), b.getSeq())).containsExactly(0L, 1L);
        assertThat(state.firstUnfolded()).isZero();
        assertThat(state.lastAppended()).isEqualTo(1);
        state.fold(a, DatasetStateTest::spec);
        state.fold(b, DatasetStateTest::spec);

        DatasetAccumulators acc = state.accumulators();
        assertThat(acc.getFoldedSeq()).isEqualTo(1);
        assertThat(state.firstUnfolded()).isEqualTo(2);
        assertThat(acc.getSamples()).isEqualTo(2);
        assertThat(acc.getCuratedCounts().get("topic")).containsExactlyInAnyOrderEntriesOf(Map.of("x", 1L, "y", 1L));
        assertThat(acc.getTargetPerCell()).isEqualTo(5); // declared by the request's spec
        assertThat(state.faithfulness().count()).isEqualTo(2);
        assertThat(state.moments().dimension()).isEqualTo(2);
    }

    @Test
    void shouldContinueFromTheStoredStateAndLogAfterARestart() {
        DatasetState before = fresh();
        WindowEntry a = scored(before, "s-a", "x", 4);
        before.fold(a, DatasetStateTest::spec);
        WindowEntry b = scored(before, "s-b", "y", 2); // logged, not folded yet
        DatasetAccumulators stored = before.accumulators();
        ByteBuffer moments = ByteBuffer.wrap(before.momentsBytes());

        DatasetState after = DatasetState.load("d", SETTINGS, stored, moments);
        after.replay(a);
        after.replay(b);
        after.loaded();

        assertThat(after.firstUnfolded()).isEqualTo(1);
        assertThat(after.lastAppended()).isEqualTo(1);
        assertThat(after.recent()).extracting(WindowEntry::getSampleId).containsExactly("s-a", "s-b");
        after.fold(b, DatasetStateTest::spec);
        assertThat(after.accumulators().getSamples()).isEqualTo(2);
        assertThat(after.faithfulness().count()).isEqualTo(2);
    }

    @Test
    void shouldKeepTheRecentWindowAndReportWhatLeftIt() {
        DatasetState state = fresh();
        for (int i = 0; i < 5; i++) {
            state.remember(scored(state, "s-" + i, "x", 3));
        }

        assertThat(state.recent()).extracting(WindowEntry::getSampleId).containsExactly("s-2", "s-3", "s-4");
        assertThat(state.takeEvicted()).containsExactly(0L, 1L);
        assertThat(state.takeEvicted()).isEmpty();
        DatasetState.NeighbourScores scores = state.neighbours(new float[] {1f, 0f}, "pos", 2);
        assertThat(scores.labelConsistency()).isEqualTo(1.0);
        assertThat(scores.novelty()).isLessThan(1e-6);
    }

    @Test
    void shouldKeepTheSameBottomKAndExemplarsWhateverTheArrivalOrder() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add("sample-" + i);
        }
        List<String> shuffled = new ArrayList<>(ids);
        Collections.shuffle(shuffled, new Random(3));

        DatasetState inOrder = fresh();
        DatasetState outOfOrder = fresh();
        for (int i = 0; i < ids.size(); i++) {
            inOrder.fold(scored(inOrder, ids.get(i), "x", i % 5), DatasetStateTest::spec);
            String id = shuffled.get(i);
            outOfOrder.fold(scored(outOfOrder, id, "x", Integer.parseInt(id.substring(7)) % 5), DatasetStateTest::spec);
        }

        List<ReservoirText> kept = inOrder.acc().getReservoir();
        assertThat(kept).hasSize(SETTINGS.reservoirSize());
        assertThat(kept)
                .extracting(ReservoirText::getSampleId)
                .containsExactlyElementsOf(outOfOrder.acc().getReservoir().stream()
                        .map(ReservoirText::getSampleId)
                        .toList());
        assertThat(kept).isSortedAccordingTo((x, y) -> Long.compare(x.getRank(), y.getRank()));
        List<Exemplar> exemplars = inOrder.acc().getExemplars();
        assertThat(exemplars).hasSize(1); // one per label
        assertThat(exemplars.get(0).getScore()).isEqualTo(4.0);
        assertThat(exemplars).isEqualTo(outOfOrder.acc().getExemplars());
    }

    @Test
    void shouldSteerOnlyAfterEnoughNewDecisionsAndAtMostOncePerInterval() {
        DatasetState state = fresh();
        Instant t0 = Instant.parse("2026-12-01T10:00:00Z");
        state.fold(scored(state, "s-1", "x", 4), DatasetStateTest::spec);
        state.fold(scored(state, "s-2", "x", 4), DatasetStateTest::spec);
        assertThat(Steering.next(state, SETTINGS.steering(), t0)).isEmpty(); // 2 < min samples

        state.fold(scored(state, "s-3", "y", 4), DatasetStateTest::spec);
        Optional<SteeringUpdate> first = Steering.next(state, SETTINGS.steering(), t0);
        assertThat(first).hasValueSatisfying(u -> {
            assertThat(u.getVersion()).isEqualTo(1);
            assertThat(u.getDataset()).isEqualTo("d");
            assertThat(u.getExemplars()).hasSize(1);
        });

        for (int i = 4; i < 8; i++) {
            state.fold(scored(state, "s-" + i, "y", 4), DatasetStateTest::spec);
        }
        assertThat(Steering.next(state, SETTINGS.steering(), t0.plusSeconds(9))).isEmpty(); // too soon
        assertThat(Steering.next(state, SETTINGS.steering(), t0.plusSeconds(10)))
                .hasValueSatisfying(u -> assertThat(u.getVersion()).isEqualTo(2));
        assertThat(Steering.next(
                        state, new DatasetSettings.Steering(false, Duration.ZERO, 1, 0.3), t0.plusSeconds(100)))
                .isEmpty();
    }

    @Test
    void aPersonsDecisionMakesTheNextUpdateDueAtTheIntervalHoweverFewSamplesFollowed() {
        DatasetState state = fresh();
        Instant t0 = Instant.parse("2026-12-01T10:00:00Z");
        for (int i = 1; i <= 3; i++) {
            state.fold(scored(state, "s-" + i, "x", 4), DatasetStateTest::spec);
        }
        assertThat(Steering.next(state, SETTINGS.steering(), t0)).isPresent();

        EvalEvent decided = EvalEvent.newBuilder()
                .setKind(DatasetEvents.REVIEWED)
                .setDataset("d")
                .setRequestId("r-1")
                .setSampleId("s-9")
                .setLabel("neg")
                .setAttributes(Map.of("topic", "y"))
                .setFields(Map.of("text", "a corrected text", "label", "neg"))
                .build();
        state.fold(
                state.entry(decided, DatasetEvents.REVIEWED)
                        .setFields(decided.getFields())
                        .build(),
                DatasetStateTest::spec);
        // One new entry, below min samples (3): due anyway once the interval passed, and only once.
        assertThat(Steering.next(state, SETTINGS.steering(), t0.plusSeconds(9))).isEmpty();
        assertThat(Steering.next(state, SETTINGS.steering(), t0.plusSeconds(10)))
                .hasValueSatisfying(u -> assertThat(u.getExemplars())
                        .anySatisfy(e -> assertThat(e.getId()).isEqualTo("s-9")));
        assertThat(Steering.next(state, SETTINGS.steering(), t0.plusSeconds(30)))
                .isEmpty();
    }
}
