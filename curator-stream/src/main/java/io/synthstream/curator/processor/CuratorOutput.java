package io.synthstream.curator.processor;

import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.Rejection;
import io.synthstream.avro.Sample;
import io.synthstream.curator.avro.ClaimBatch;

/**
 * What the curation processor forwards: a decision on one sample, or a batch of dedup claims for
 * one owner partition. Lives only between the processor and the sinks that follow it (see {@code
 * Sinks}); never serialized.
 */
public sealed interface CuratorOutput {
    /**
     * A raw sample on its way from the embedding step to curation, with its embedding when its
     * request asks for semantic dedup.
     */
    record Embedded(Sample sample) implements CuratorOutput {}

    /** Kept: to synth.samples.curated. */
    record Curated(Sample sample) implements CuratorOutput {}

    /** Dropped with a reason: to synth.samples.rejected. */
    record Rejected(Rejection rejection) implements CuratorOutput {}

    /** Failed: to synth.dlq. */
    record Failed(DeadLetter deadLetter) implements CuratorOutput {}

    /** Claims on dedup buckets: to the partition that owns them. */
    record Claims(ClaimBatch batch) implements CuratorOutput {}

    /**
     * Fates of decided samples (a batch without claims): to the partition that owns the buckets
     * they claimed, on a topic of their own so that they do not queue behind claims there.
     */
    record Fates(ClaimBatch batch) implements CuratorOutput {}
}
