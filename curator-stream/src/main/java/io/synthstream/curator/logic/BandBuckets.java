package io.synthstream.curator.logic;

import io.synthstream.curator.avro.BandVote;
import io.synthstream.curator.avro.BucketOwner;
import io.synthstream.curator.avro.SampleClaim;
import java.nio.ByteBuffer;

/**
 * The rules of global dedup, in plain Java.
 *
 * <p><b>Exact buckets</b> (one per normalised-text hash and dataset): the first claim to reach the
 * owner partition owns the bucket, and every later claim is an exact duplicate of it. One bucket
 * decides all copies of a text, so arrival order is safe here and no copy slips through however
 * the claims race.
 *
 * <p><b>Band buckets</b> (LSH): the owner is the earliest sample that claimed the bucket, ordered
 * by (record timestamp, sample id); a claim earlier than the owner takes the bucket over. A later
 * claim is a near duplicate when the two signatures agree on at least {@code threshold} of their
 * slots (the estimated Jaccard similarity). A sample's near {@code dup_of} is its most similar
 * owner (ties: the smallest id). A sample meets another in up to 14 band buckets on different
 * partitions; because every band bucket orders claims the same way, two samples can never be
 * rejected as near duplicates of each other, and claims racing from different partitions can at
 * worst miss a near duplicate. Copies of the same text are left to the exact bucket when the
 * request dedups exact copies, so the two orders never contradict each other.
 *
 * <p>Signatures are stored as 32-bit slots: half the space of 64-bit ones, and the chance that two
 * different minima collide in 32 bits (2<sup>-32</sup>) is far below the estimator's own error.
 */
public final class BandBuckets {
    private BandBuckets() {}

    /** What a bucket's owner does with a claim: whether the claim takes the bucket, and whom it duplicates. */
    public record Decision(boolean claimBecomesOwner, String dupOf, double similarity) {
        static final Decision OWNER = new Decision(true, null, 0.0);
        static final Decision UNIQUE = new Decision(false, null, 0.0);
    }

    /** A 64-bit signature as big-endian 32-bit slots (the high half of each slot). */
    public static ByteBuffer pack(long[] signature) {
        ByteBuffer buffer = ByteBuffer.allocate(signature.length * Integer.BYTES);
        for (long slot : signature) {
            buffer.putInt((int) (slot >>> 32));
        }
        return buffer.flip();
    }

    /** The share of equal 32-bit slots of two packed signatures. */
    public static double similarity(ByteBuffer a, ByteBuffer b) {
        int slots = a.remaining() / Integer.BYTES;
        if (slots == 0 || a.remaining() != b.remaining()) {
            return 0.0;
        }
        int equal = 0;
        for (int i = 0; i < slots; i++) {
            if (a.getInt(a.position() + i * Integer.BYTES) == b.getInt(b.position() + i * Integer.BYTES)) {
                equal++;
            }
        }
        return (double) equal / slots;
    }

    /** The entry a claim leaves in the owner store when it takes a bucket. */
    public static BucketOwner ownerOf(SampleClaim claim) {
        return new BucketOwner(claim.getSampleId(), claim.getOrderTs(), claim.getExactHash());
    }

    /** Decides a claim on an exact bucket against its owner (null when the bucket is free): first come, first kept. */
    public static Decision decideExact(BucketOwner owner, SampleClaim claim) {
        if (owner == null) {
            return Decision.OWNER;
        }
        if (owner.getSampleId().equals(claim.getSampleId())) {
            return Decision.UNIQUE; // the same sample again (a replay): not its own duplicate
        }
        return new Decision(false, owner.getSampleId(), 1.0);
    }

    /**
     * Decides a claim on a band bucket against its owner (null when the bucket is free), whose
     * stored signature is {@code ownerSignature}, at the claim's threshold.
     */
    public static Decision decideBand(BucketOwner owner, ByteBuffer ownerSignature, SampleClaim claim) {
        Decision free = takeOverOrSame(owner, claim);
        if (free != null) {
            return free;
        }
        if (claim.getExactHash() != null && claim.getExactHash().equals(owner.getExactHash())) {
            return Decision.UNIQUE; // a copy of the same text: the exact bucket decides it
        }
        double similarity = similarity(ownerSignature, claim.getSignature());
        return similarity >= claim.getThreshold()
                ? new Decision(false, owner.getSampleId(), similarity)
                : Decision.UNIQUE;
    }

    /** The decision that needs no comparison, or null when the claim is later than another owner. */
    private static Decision takeOverOrSame(BucketOwner owner, SampleClaim claim) {
        if (owner == null) {
            return Decision.OWNER;
        }
        if (owner.getSampleId().equals(claim.getSampleId())) {
            return Decision.UNIQUE; // the same sample again (a replay): not its own duplicate
        }
        if (isEarlier(claim.getOrderTs(), claim.getSampleId(), owner.getOrderTs(), owner.getSampleId())) {
            return Decision.OWNER;
        }
        return null;
    }

    /**
     * One vote answering all of a sample's claims on one partition: the exact decision (or null
     * without an exact bucket there) and the most similar near duplicate among the band decisions.
     */
    public static BandVote vote(String sampleId, Decision exact, Iterable<Decision> bands) {
        BandVote vote = new BandVote(sampleId, exact == null ? null : exact.dupOf(), null, null);
        for (Decision band : bands) {
            if (band.dupOf() != null && isBetterMatch(band.dupOf(), band.similarity(), vote)) {
                vote.setDupOf(band.dupOf());
                vote.setSimilarity(band.similarity());
            }
        }
        return vote;
    }

    /** Whether {@code (dupOf, similarity)} beats the vote's current near duplicate: more similar, then smaller id. */
    static boolean isBetterMatch(String dupOf, double similarity, BandVote best) {
        if (best.getDupOf() == null) {
            return true;
        }
        int bySimilarity = Double.compare(similarity, best.getSimilarity());
        return bySimilarity > 0 || (bySimilarity == 0 && dupOf.compareTo(best.getDupOf()) < 0);
    }

    /** Whether sample {@code a} comes before {@code b}: earlier record timestamp, then smaller id. */
    public static boolean isEarlier(long tsA, String idA, long tsB, String idB) {
        return tsA < tsB || (tsA == tsB && idA.compareTo(idB) < 0);
    }
}
