package io.synthstream.curator.processor;

import io.synthstream.avro.Sample;
import io.synthstream.curator.avro.VoteBatch;

/** What reaches the curation processor: a raw sample, or votes on earlier claims. Never serialized. */
public record CurationInput(Sample sample, VoteBatch votes) {
    public static CurationInput ofSample(Sample sample) {
        return new CurationInput(sample, null);
    }

    public static CurationInput ofVotes(VoteBatch votes) {
        return new CurationInput(null, votes);
    }
}
