package io.synthstream.curator.processor;

import io.synthstream.curator.avro.BandClaim;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Which partition owns an LSH bucket, and the partitioner that sends a batch of claims there. A
 * bucket's owner is Kafka's default partitioner applied to the bucket key, so ownership is global
 * and independent of instances; batching all of a sample's buckets that one partition owns into
 * one record cuts the claim and vote records per sample from one per band to one per partition.
 */
public final class BandRouting {
    private BandRouting() {}

    public static int ownerPartition(String bucket, int partitions) {
        return Utils.toPositive(Utils.murmur2(bucket.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** Routes a claim batch to the owner of its buckets (all have the same owner). */
    public static StreamPartitioner<String, BandClaim> partitioner() {
        return (topic, key, claim, partitions) ->
                Optional.of(Set.of(ownerPartition(claim.getBuckets().get(0), partitions)));
    }
}
