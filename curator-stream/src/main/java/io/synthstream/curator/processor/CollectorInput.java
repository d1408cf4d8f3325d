package io.synthstream.curator.processor;

import io.synthstream.avro.Sample;
import io.synthstream.curator.avro.BandVote;

/** What reaches the vote collector: a sample waiting for votes, or one vote. Never serialized. */
public record CollectorInput(Sample sample, BandVote vote) {
    public static CollectorInput ofSample(Sample sample) {
        return new CollectorInput(sample, null);
    }

    public static CollectorInput ofVote(BandVote vote) {
        return new CollectorInput(null, vote);
    }
}
