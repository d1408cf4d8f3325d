package io.synthstream.curator.processor;

import io.synthstream.avro.CurationInfo;
import io.synthstream.avro.Sample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Copies of a sample with more curation info; samples are never changed in place. */
final class CurationInfos {
    private CurationInfos() {}

    static Sample withCheck(Sample sample, String check) {
        CurationInfo info = sample.getCuration();
        List<String> checks = new ArrayList<>(info.getChecksPassed());
        checks.add(check);
        return Sample.newBuilder(sample)
                .setCuration(
                        CurationInfo.newBuilder(info).setChecksPassed(checks).build())
                .build();
    }

    static Sample withDedupKeys(Sample sample, List<String> keys) {
        return Sample.newBuilder(sample)
                .setCuration(CurationInfo.newBuilder(sample.getCuration())
                        .setDedupKeys(new ArrayList<>(keys))
                        .build())
                .build();
    }

    static Sample curated(Sample sample, Instant now) {
        return Sample.newBuilder(sample)
                .setCuration(CurationInfo.newBuilder(sample.getCuration())
                        .setCuratedAt(now)
                        .build())
                .build();
    }
}
