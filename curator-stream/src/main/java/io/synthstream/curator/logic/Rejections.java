package io.synthstream.curator.logic;

import io.synthstream.avro.Rejection;
import io.synthstream.avro.Sample;
import java.time.Instant;

/** Builds the {@link Rejection} record for a sample and a verdict. */
public final class Rejections {
    private Rejections() {}

    public static Rejection of(Sample sample, Verdict verdict, String dupOf, Instant now) {
        return of(sample, verdict, dupOf, null, now);
    }

    /** @param similarity for a near or semantic duplicate, its similarity with {@code dupOf} */
    public static Rejection of(Sample sample, Verdict verdict, String dupOf, Double similarity, Instant now) {
        return Rejection.newBuilder()
                .setSampleId(sample.getSampleId())
                .setRequestId(sample.getRequestId())
                .setDataset(sample.getDataset())
                .setReason(verdict.reason())
                .setStage(verdict.stage())
                .setDetail(verdict.detail())
                .setDupOf(dupOf)
                .setSimilarity(similarity)
                .setSample(sample)
                .setRejectedAt(now)
                .build();
    }
}
