package io.synthstream.curator.processor;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Sample;
import io.synthstream.common.text.DedupText;
import io.synthstream.common.text.TextNormalizer;
import io.synthstream.curator.avro.BandClaim;
import io.synthstream.curator.logic.BandBuckets;
import io.synthstream.curator.logic.CurationThresholds;
import io.synthstream.curator.logic.MinHasher;
import io.synthstream.curator.logic.Shingler;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Starts near-duplicate detection: computes the sample's MinHash signature over word 5-gram
 * shingles and claims its LSH buckets ({@code dataset|band key}), one {@link BandClaim} per
 * partition that owns some of them ({@link BandRouting}). A sample of a request with near dedup off, or with no shingles, is
 * curated here.
 */
final class NearClaimProcessor implements Processor<String, Sample, String, Outcome> {
    static final String STAGE = "near-dedup";

    private static final Shingler SHINGLER = new Shingler(5);

    private final Clock clock;
    private final int partitions;
    private final Map<Long, MinHasher> minHashers = new HashMap<>();
    private ProcessorContext<String, Outcome> context;
    private SpecLookup specs;

    /** @param partitions partitions of the claims topic: claims are batched per owner partition */
    NearClaimProcessor(Clock clock, int partitions) {
        this.clock = clock;
        this.partitions = partitions;
    }

    @Override
    public void init(ProcessorContext<String, Outcome> context) {
        this.context = context;
        this.specs = new SpecLookup(context);
    }

    @Override
    public void process(Record<String, Sample> record) {
        Sample sample = record.value();
        Optional<GenerationRequest> spec = specs.spec(sample.getRequestId());
        CurationThresholds thresholds = spec.map(specs::thresholds).orElse(CurationThresholds.DEFAULTS);
        if (spec.isEmpty() || !thresholds.nearDedup()) {
            context.forward(record.withValue(Outcome.curated(CurationInfos.curated(sample, clock.instant()))));
            return;
        }
        MinHasher minHasher = minHashers.computeIfAbsent(
                ((long) thresholds.minhashBands() << 32) | thresholds.minhashRows(),
                layout -> new MinHasher(thresholds.minhashBands(), thresholds.minhashRows(), MinHasher.DEFAULT_SEED));
        long[] shingles =
                SHINGLER.shingles(TextNormalizer.words(TextNormalizer.normalize(DedupText.of(sample, spec.get()))));
        long[] signature = minHasher.signature(shingles);
        List<String> bandKeys = minHasher.bandKeys(signature);
        Sample withKeys = CurationInfos.withDedupKeys(sample, bandKeys);
        if (bandKeys.isEmpty()) {
            context.forward(record.withValue(Outcome.curated(CurationInfos.curated(withKeys, clock.instant()))));
            return;
        }
        ByteBuffer packed = BandBuckets.pack(signature);
        Map<Integer, List<String>> bucketsByOwner = new TreeMap<>();
        for (String bandKey : bandKeys) {
            String bucket = sample.getDataset() + "|" + bandKey;
            bucketsByOwner
                    .computeIfAbsent(BandRouting.ownerPartition(bucket, partitions), p -> new ArrayList<>())
                    .add(bucket);
        }
        List<KeyValue<String, BandClaim>> claims = new ArrayList<>(bucketsByOwner.size());
        for (List<String> buckets : bucketsByOwner.values()) {
            BandClaim claim = BandClaim.newBuilder()
                    .setSampleId(sample.getSampleId())
                    .setOrderTs(record.timestamp())
                    .setBands(bandKeys.size())
                    .setThreshold(thresholds.nearDupThreshold())
                    .setSignature(packed.duplicate())
                    .setBuckets(buckets)
                    .build();
            claims.add(KeyValue.pair(sample.getSampleId(), claim));
        }
        context.forward(record.withValue(Outcome.claimed(withKeys, claims)));
    }
}
