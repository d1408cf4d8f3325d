package io.synthstream.curator.processor;

import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.Rejection;
import io.synthstream.avro.Sample;
import io.synthstream.curator.avro.ClaimBatch;

/**
 * What the curation processor forwards: a decision on one sample, or a batch of dedup claims for
 * one owner partition. Lives only between the processor and the sinks that follow it (see {@code
 * Sinks}); never serialized. The {@code *Of} selectors pick one kind, or give null for the others.
 */
public sealed interface CuratorOutput {
    /** Kept: to synth.samples.curated. */
    record Curated(Sample sample) implements CuratorOutput {}

    /** Dropped with a reason: to synth.samples.rejected. */
    record Rejected(Rejection rejection) implements CuratorOutput {}

    /** Failed: to synth.dlq. */
    record Failed(DeadLetter deadLetter) implements CuratorOutput {}

    /** Claims on dedup buckets: to the partition that owns them. */
    record Claims(ClaimBatch batch) implements CuratorOutput {}

    static Sample curatedOf(CuratorOutput output) {
        return output instanceof Curated c ? c.sample() : null;
    }

    static Rejection rejectionOf(CuratorOutput output) {
        return output instanceof Rejected r ? r.rejection() : null;
    }

    static DeadLetter deadLetterOf(CuratorOutput output) {
        return output instanceof Failed f ? f.deadLetter() : null;
    }

    static ClaimBatch claimsOf(CuratorOutput output) {
        return output instanceof Claims c ? c.batch() : null;
    }
}
