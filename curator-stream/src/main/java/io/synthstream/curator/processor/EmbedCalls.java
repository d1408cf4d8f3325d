package io.synthstream.curator.processor;

import io.synthstream.avro.CurationInfo;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Sample;
import io.synthstream.common.avro.SingleObject;
import io.synthstream.common.dlq.DeadLetterReason;
import io.synthstream.common.dlq.SampleFailure;
import io.synthstream.common.llm.LlmFailure;
import io.synthstream.common.streams.SpecLookup;
import io.synthstream.common.streams.async.AsyncWork;
import io.synthstream.common.streams.async.Call;
import io.synthstream.common.streams.async.CallResult;
import io.synthstream.common.streams.async.Step;
import io.synthstream.common.text.DedupText;
import io.synthstream.curator.avro.PendingEmbedding;
import io.synthstream.curator.logic.CurationThresholds;
import io.synthstream.embedding.Embeddings;
import io.synthstream.embedding.VectorCodec;
import java.util.List;
import java.util.Map;

/**
 * The curator's embedding step, on the async-call stage in front of curation: a raw sample whose
 * request asks for semantic dedup is embedded once (its dedup text, on the instance's embedding
 * pool, never on the stream thread) and goes on to curation carrying the vector ({@link
 * VectorCodec}); every other sample goes straight on without touching the stage's store. Either
 * way it keeps its raw record timestamp, which orders the dedup decisions.
 *
 * <p>Failures: an embedding that fails (an endpoint's calls are bounded by {@code llm.timeout.ms}
 * and its retries, so none waits forever), or no embedder configured, leaves the sample to be
 * curated on the other checks, marked {@code
 * semantic_dedup: skipped} with the reason and counted in {@code synth.curator.semantic.skipped};
 * a vector whose size is not the embedder's sends the sample to {@code synth.dlq} ({@code
 * embedding_dimensions}) naming both sizes. A sample whose spec never arrives goes on to curation,
 * which dead-letters it as {@code unknown_spec} as it does any other.
 */
final class EmbedCalls implements AsyncWork<Sample, PendingEmbedding, CuratorOutput> {
    static final String EMBED = "embed";
    static final String CHECKED = "checked";
    static final String SKIPPED = "skipped";

    private final Embeddings embeddings;
    private final SpecLookup.Derived<Boolean> semanticDedup = SpecLookup.derived(EmbedCalls::semanticDedup);

    /** @param embeddings the instance's embedding pool, or null when the curator has none */
    EmbedCalls(Embeddings embeddings) {
        this.embeddings = embeddings;
    }

    @Override
    public Map<String, PendingEmbedding> start(Sample sample, long timestamp) {
        return Map.of(
                sample.getSampleId(),
                new PendingEmbedding(
                        SingleObject.encode(sample::toByteBuffer),
                        timestamp,
                        sample.getRequestId(),
                        sample.getDataset()));
    }

    @Override
    public String requestId(PendingEmbedding entry) {
        return entry.getRequestId();
    }

    @Override
    public String dataset(PendingEmbedding entry) {
        return entry.getDataset();
    }

    @Override
    public long since(PendingEmbedding entry) {
        return entry.getReceivedAt();
    }

    @Override
    public Step<PendingEmbedding, CuratorOutput> begin(String key, PendingEmbedding entry, GenerationRequest spec) {
        Sample sample = sample(entry);
        sample.setEmbedding(null); // only this stage sets it: a raw record's own vector is not trusted
        if (!semanticDedup.of(spec)) {
            return onward(key, entry, sample);
        }
        sample.setCuration(null);
        if (embeddings == null) {
            return skipped(key, entry, sample, "no_embedder", "no embedder is configured (curator.embeddings=none)");
        }
        String text = DedupText.of(sample, spec);
        return Step.proceed(List.of(Call.task(EMBED, () -> embeddings.submit(text))));
    }

    @Override
    public Step<PendingEmbedding, CuratorOutput> specMissing(String key, PendingEmbedding entry) {
        Sample sample = sample(entry);
        sample.setEmbedding(null);
        return onward(key, entry, sample); // curation waits no longer either: it dead-letters the sample
    }

    @Override
    public Step<PendingEmbedding, CuratorOutput> finished(
            String key, PendingEmbedding entry, GenerationRequest spec, CallResult result, boolean othersOutstanding) {
        Sample sample = sample(entry);
        sample.setEmbedding(null);
        sample.setCuration(null);
        CallResult.Value value = (CallResult.Value) result;
        if (value.error() != null || !(value.value() instanceof float[] vector)) {
            boolean timedOut = value.error() instanceof LlmFailure failure && failure.kind() == LlmFailure.Kind.TIMEOUT;
            String reason = "the embedder " + embeddings.name() + " failed: " + describe(value.error());
            return skipped(key, entry, sample, timedOut ? "timeout" : "failed", reason);
        }
        int expected = embeddings.expectedDimension(vector.length);
        if (vector.length != expected) {
            return Step.fail(SampleFailure.ends(
                    DeadLetterReason.EMBEDDING_DIMENSIONS,
                    "The embedder " + embeddings.name() + " returned a vector of " + vector.length
                            + " dimensions where " + expected + " are expected (did the model change"
                            + " mid-dataset? set curator.embeddings.dimensions to the new size and start a new"
                            + " dataset)",
                    1,
                    null));
        }
        sample.setEmbedding(VectorCodec.embedding(embeddings.name(), vector));
        sample.setCuration(CurationInfo.newBuilder().setSemanticDedup(CHECKED).build());
        return onward(key, entry, sample);
    }

    private Step<PendingEmbedding, CuratorOutput> skipped(
            String key, PendingEmbedding entry, Sample sample, String tag, String reason) {
        sample.setCuration(CurationInfo.newBuilder()
                .setSemanticDedup(SKIPPED)
                .setSemanticSkipReason(reason)
                .build());
        return onward(key, entry, sample).counted(tag); // the stage's meter: synth.curator.semantic.skipped
    }

    /** The sample goes on to curation with its raw record's timestamp. */
    private static Step<PendingEmbedding, CuratorOutput> onward(String key, PendingEmbedding entry, Sample sample) {
        return Step.<PendingEmbedding, CuratorOutput>finish()
                .emit(key, new CuratorOutput.Embedded(sample), entry.getReceivedAt());
    }

    private static String describe(Throwable error) {
        if (error == null) {
            return "no vector";
        }
        String message = error.getMessage();
        return error.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static Sample sample(PendingEmbedding entry) {
        return SingleObject.decode(Sample::fromByteBuffer, entry.getSample());
    }

    /** Whether a spec asks for semantic dedup; invalid settings are left to curation to dead-letter. */
    private static Boolean semanticDedup(GenerationRequest spec) {
        try {
            return CurationThresholds.resolve(spec.getCuration()).semanticDedup();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
