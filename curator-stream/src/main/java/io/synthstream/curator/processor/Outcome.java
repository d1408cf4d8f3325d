package io.synthstream.curator.processor;

import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.Rejection;
import io.synthstream.avro.Sample;
import io.synthstream.curator.avro.ClaimBatch;

/**
 * What the curation processor emits: a decision on one sample, or a batch of dedup claims for
 * one owner partition. Lives only between the processor and the split that follows it; never
 * serialized.
 */
public record Outcome(Kind kind, Sample sample, Rejection rejection, DeadLetter deadLetter, ClaimBatch claims) {
    /** Where the record goes next. */
    public enum Kind {
        /** Kept: to synth.samples.curated. */
        CURATED,
        /** Dropped: to synth.samples.rejected. */
        REJECTED,
        /** Failed: to synth.dlq. */
        DEAD_LETTER,
        /** Claims on dedup buckets: to the partition that owns them. */
        CLAIMS
    }

    public static Outcome curated(Sample sample) {
        return new Outcome(Kind.CURATED, sample, null, null, null);
    }

    public static Outcome rejected(Rejection rejection) {
        return new Outcome(Kind.REJECTED, rejection.getSample(), rejection, null, null);
    }

    public static Outcome deadLetter(DeadLetter deadLetter) {
        return new Outcome(Kind.DEAD_LETTER, null, null, deadLetter, null);
    }

    public static Outcome claims(ClaimBatch claims) {
        return new Outcome(Kind.CLAIMS, null, null, null, claims);
    }
}
