package io.synthstream.curator.processor;

import io.synthstream.curator.avro.ClaimBatch;
import io.synthstream.curator.avro.VoteBatch;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * Where dedup claims and votes go. A bucket's owner is Kafka's default partitioner applied to the
 * bucket key, so ownership is global and independent of instances; a claim batch goes to the
 * partition that owns all its buckets, and its votes go back to the partition of the raw samples
 * that made the claims, whose task holds them until the votes are in.
 */
public final class BandRouting {
    private BandRouting() {}

    public static int ownerPartition(String bucket, int partitions) {
        return Utils.toPositive(Utils.murmur2(bucket.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** Routes a claim batch to the owner of its buckets. */
    public static StreamPartitioner<String, ClaimBatch> claims() {
        return (topic, key, batch, partitions) -> Optional.of(Set.of(batch.getOwnerPartition() % partitions));
    }

    /**
     * Routes a vote batch back to its origin partition.
     *
     * @throws IllegalStateException when the votes topic has fewer partitions than the raw topic,
     *     which would strand the samples waiting for these votes
     */
    public static StreamPartitioner<String, VoteBatch> votes() {
        return (topic, key, batch, partitions) -> {
            if (batch.getOriginPartition() >= partitions) {
                throw new IllegalStateException(topic + " has " + partitions + " partitions but votes are due to"
                        + " partition " + batch.getOriginPartition() + " of synth.samples.raw: the votes topic"
                        + " needs as many partitions as synth.samples.raw");
            }
            return Optional.of(Set.of(batch.getOriginPartition()));
        };
    }
}
