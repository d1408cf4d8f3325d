package io.synthstream.evaluator.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Sample;
import io.synthstream.common.streams.async.Call;
import io.synthstream.common.streams.async.Step;
import io.synthstream.embedding.Embedder;
import io.synthstream.embedding.Embeddings;
import io.synthstream.embedding.VectorCodec;
import io.synthstream.evaluator.avro.EvalEvent;
import io.synthstream.evaluator.avro.PendingScore;
import io.synthstream.evaluator.logic.Scoring;
import io.synthstream.schemas.TestRecords;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A sample embedded by the curator with the evaluator's own model is not embedded again. */
class ScoreCallsTest {
    private final Embedder model = new Embedder() {
        @Override
        public String name() {
            return "model-m";
        }

        @Override
        public float[] embed(String text) {
            return new float[] {1f, 0f, 0f};
        }
    };

    /** The score stage's work with the judge off and {@code embeddings}. */
    private static ScoreCalls calls(Embeddings embeddings) {
        return new ScoreCalls(
                new Scoring.Settings(false, null, 64, 4_000),
                null,
                embeddings,
                Duration.ofSeconds(1),
                Clock.systemUTC());
    }

    private Step<PendingScore, EvaluatorOutput> begin(Sample sample) {
        try (Embeddings embeddings = new Embeddings(model, 1)) {
            ScoreCalls calls = calls(embeddings);
            GenerationRequest spec = TestRecords.request(sample.getRequestId());
            return calls.begin(sample.getSampleId(), calls.start(sample, 1L).get(sample.getSampleId()), spec);
        }
    }

    @Test
    void aVectorMadeHereIsCarriedOnTheScoredSample() {
        Sample sample = TestRecords.sample("s-3");
        try (Embeddings embeddings = new Embeddings(model, 1)) {
            ScoreCalls calls = calls(embeddings);
            GenerationRequest spec = TestRecords.request(sample.getRequestId());
            PendingScore entry = calls.start(sample, 1L).get("s-3");
            Step<PendingScore, EvaluatorOutput> begun = calls.begin("s-3", entry, spec);
            assertThat(begun.calls()).extracting(Call::name).containsExactly(ScoreCalls.EMBED);
            Step<PendingScore, EvaluatorOutput> done = calls.finished(
                    "s-3",
                    entry,
                    spec,
                    new io.synthstream.common.streams.async.CallResult.Value(
                            ScoreCalls.EMBED, new float[] {0f, 0.6f, 0.8f}, null),
                    false);
            EvalEvent event = done.outputs().stream()
                    .map(Step.Output::value)
                    .filter(EvaluatorOutput.Event.class::isInstance)
                    .map(o -> ((EvaluatorOutput.Event) o).event())
                    .findFirst()
                    .orElseThrow();
            Sample carried = io.synthstream.common.avro.SingleObject.decode(
                            io.synthstream.avro.ScoredSample::fromByteBuffer, event.getScored())
                    .getSample();
            assertThat(carried.getEmbedding().getModel()).isEqualTo("model-m");
            assertThat(VectorCodec.decode(carried.getEmbedding()))
                    .containsExactly(new float[] {0f, 0.6f, 0.8f}, org.assertj.core.data.Offset.offset(0.002f));
        }
    }

    @Test
    void aVectorOfTheSameModelIsUsedAndOneOfAnotherModelIsNot() {
        Sample carried = TestRecords.sample("s-1");
        carried.setEmbedding(VectorCodec.embedding("model-m", new float[] {0.6f, 0.8f, 0f}));
        Step<PendingScore, EvaluatorOutput> reused = begin(carried);
        assertThat(reused.kind()).isEqualTo(Step.Kind.FINISH);
        assertThat(reused.calls()).isEmpty();

        Sample otherModel = TestRecords.sample("s-2");
        otherModel.setEmbedding(VectorCodec.embedding("model-x", new float[] {0.6f, 0.8f, 0f}));
        Step<PendingScore, EvaluatorOutput> embeddedAgain = begin(otherModel);
        assertThat(embeddedAgain.calls()).extracting(Call::name).containsExactly(ScoreCalls.EMBED);
    }
}
