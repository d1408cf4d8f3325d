package io.synthstream.curator.processor;

import io.synthstream.avro.Sample;
import io.synthstream.curator.avro.SampleClaim;
import io.synthstream.curator.logic.BandBuckets;
import io.synthstream.curator.logic.CurationThresholds;
import io.synthstream.curator.logic.HyperplaneLsh;
import io.synthstream.curator.logic.MinHasher;
import io.synthstream.curator.logic.Shingler;
import io.synthstream.curator.logic.VoteTally;
import io.synthstream.embedding.VectorCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A screened sample's dedup claims, grouped by the partition that owns each bucket ({@link
 * BandRouting}): its exact bucket ({@code dataset|x:hash} of the normalised text) when exact dedup
 * is on, and its LSH band buckets ({@code dataset|band key} of the MinHash signature over word
 * 5-gram shingles) when near dedup is on, and its semantic buckets ({@code dataset|s<dims>.<band>:<bits>}
 * of the random-hyperplane LSH of its embedding, {@link HyperplaneLsh}) when semantic dedup is on
 * and the sample carries its embedding.
 */
final class DedupClaims {

    private static final Shingler SHINGLER = new Shingler(5);
    private static final ByteBuffer NO_SIGNATURE = ByteBuffer.allocate(0);

    private final int partitions;
    private final Map<Long, MinHasher> minHashers = new HashMap<>();

    /** @param partitions partitions of the claims topic */
    DedupClaims(int partitions) {
        this.partitions = partitions;
    }

    /**
     * A sample's claims by owner partition, in partition order (empty when the request dedups
     * nothing), and the dedup stages they stand for.
     */
    record Claims(Map<Integer, SampleClaim> byOwner, List<String> stages) {}

    /**
     * The claims of a sample whose curation info has its exact hash. Records the band keys in the
     * sample's curation info.
     *
     * @param words the normalised words of the sample's dedup text
     * @param orderTs the raw record's timestamp
     */
    Claims claims(Sample sample, CurationThresholds thresholds, List<String> words, long orderTs) {
        Map<Integer, SampleClaim> byOwner = new TreeMap<>();
        List<String> stages = new ArrayList<>(2);
        if (thresholds.exactDedup()) {
            stages.add(VoteTally.EXACT_STAGE);
            String bucket = sample.getDataset() + "|x:" + sample.getCuration().getExactHash();
            claim(byOwner, sample, thresholds, orderTs, bucket).setExactBucket(bucket);
        }
        if (thresholds.nearDedup() && !words.isEmpty()) {
            stages.add(VoteTally.NEAR_STAGE);
            MinHasher minHasher = minHashers.computeIfAbsent(
                    ((long) thresholds.minhashBands() << 32) | thresholds.minhashRows(),
                    layout ->
                            new MinHasher(thresholds.minhashBands(), thresholds.minhashRows(), MinHasher.DEFAULT_SEED));
            long[] signature = minHasher.signature(SHINGLER.shingles(words));
            List<String> bandKeys = minHasher.bandKeys(signature);
            CurationInfos.withDedupKeys(sample, bandKeys);
            ByteBuffer packed = BandBuckets.pack(signature);
            for (String bandKey : bandKeys) {
                SampleClaim claim = claim(byOwner, sample, thresholds, orderTs, sample.getDataset() + "|" + bandKey);
                claim.setSignature(packed.duplicate());
                claim.getBandBuckets().add(sample.getDataset() + "|" + bandKey);
            }
        }
        if (thresholds.semanticDedup() && sample.getEmbedding() != null) {
            stages.add(VoteTally.SEMANTIC_STAGE);
            ByteBuffer vector = sample.getEmbedding().getVector();
            for (String bandKey : HyperplaneLsh.defaults().bandKeys(VectorCodec.decode(vector))) {
                String bucket = sample.getDataset() + "|" + bandKey;
                SampleClaim claim = claim(byOwner, sample, thresholds, orderTs, bucket);
                claim.setVector(vector.duplicate());
                claim.setSemanticThreshold(thresholds.semanticThreshold());
                claim.getSemanticBuckets().add(bucket);
            }
        }
        return new Claims(byOwner, stages);
    }

    private SampleClaim claim(
            Map<Integer, SampleClaim> byOwner,
            Sample sample,
            CurationThresholds thresholds,
            long orderTs,
            String bucket) {
        return byOwner.computeIfAbsent(
                BandRouting.ownerPartition(bucket, partitions),
                owner -> new SampleClaim(
                        sample.getSampleId(),
                        orderTs,
                        thresholds.nearDupThreshold(),
                        NO_SIGNATURE,
                        new ArrayList<>(),
                        null,
                        thresholds.exactDedup() ? sample.getCuration().getExactHash() : null,
                        NO_SIGNATURE,
                        new ArrayList<>(),
                        thresholds.semanticThreshold()));
    }
}
