package io.synthstream.curator.processor;

import io.synthstream.avro.CurationInfo;
import io.synthstream.avro.Sample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Records curation progress on a sample. The sample is updated in place: every stage decodes its
 * own copy (from the input or a repartition topic), and no other branch holds a reference to it,
 * so copying the whole sample (fields, trace) per stage would only cost time. The curation info
 * itself is replaced, never shared.
 */
final class CurationInfos {
    private CurationInfos() {}

    static Sample withChecks(Sample sample, List<String> passed) {
        CurationInfo info = sample.getCuration();
        List<String> checks = new ArrayList<>(info.getChecksPassed());
        checks.addAll(passed);
        sample.setCuration(CurationInfo.newBuilder(info).setChecksPassed(checks).build());
        return sample;
    }

    static Sample withDedupKeys(Sample sample, List<String> keys) {
        sample.setCuration(CurationInfo.newBuilder(sample.getCuration())
                .setDedupKeys(new ArrayList<>(keys))
                .build());
        return sample;
    }

    static Sample curated(Sample sample, Instant now) {
        sample.setCuration(
                CurationInfo.newBuilder(sample.getCuration()).setCuratedAt(now).build());
        return sample;
    }
}
