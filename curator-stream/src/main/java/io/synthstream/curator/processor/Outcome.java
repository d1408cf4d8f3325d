package io.synthstream.curator.processor;

import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.Rejection;
import io.synthstream.avro.Sample;
import io.synthstream.curator.avro.BandClaim;
import java.util.List;
import org.apache.kafka.streams.KeyValue;

/**
 * What a curator stage decided about one sample, routed by the topology to the next stage or to an
 * output topic. Lives only between a processor and the split that follows it; never serialized.
 */
public record Outcome(
        Kind kind,
        Sample sample,
        Rejection rejection,
        DeadLetter deadLetter,
        List<KeyValue<String, BandClaim>> claims) {
    /** Where the sample goes next. */
    public enum Kind {
        /** On to the next stage. */
        PASSED,
        /** Kept: to synth.samples.curated. */
        CURATED,
        /** Dropped: to synth.samples.rejected. */
        REJECTED,
        /** Failed: to synth.dlq. */
        DEAD_LETTER,
        /** Waiting for band votes: the sample to the collector, the claims to the bucket owners. */
        CLAIMED
    }

    public static Outcome passed(Sample sample) {
        return new Outcome(Kind.PASSED, sample, null, null, List.of());
    }

    public static Outcome curated(Sample sample) {
        return new Outcome(Kind.CURATED, sample, null, null, List.of());
    }

    public static Outcome rejected(Rejection rejection) {
        return new Outcome(Kind.REJECTED, rejection.getSample(), rejection, null, List.of());
    }

    public static Outcome deadLetter(DeadLetter deadLetter) {
        return new Outcome(Kind.DEAD_LETTER, null, null, deadLetter, List.of());
    }

    public static Outcome claimed(Sample sample, List<KeyValue<String, BandClaim>> claims) {
        return new Outcome(Kind.CLAIMED, sample, null, null, List.copyOf(claims));
    }
}
