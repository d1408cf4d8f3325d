package io.synthstream.curator.logic;

import io.synthstream.curator.avro.BandClaim;
import io.synthstream.curator.avro.BandVote;
import io.synthstream.curator.avro.VoteTally;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The rules of global near-duplicate detection, in plain Java.
 *
 * <p>Each LSH band bucket has one owner: the earliest sample that claimed it, ordered by (record
 * timestamp, sample id). A claim on an owned bucket is a duplicate of the owner when their
 * signatures agree on at least {@code threshold} of their slots (the estimated Jaccard
 * similarity); a claim earlier than the owner takes the bucket over. A sample is a near duplicate
 * when any of its bands says so; its {@code dup_of} is the most similar owner (ties: the smallest
 * id). Because every bucket orders claims the same way, two samples can never be rejected as
 * duplicates of each other; claims racing from different partitions can at worst miss a
 * duplicate.
 *
 * <p>Signatures are stored as 32-bit slots: half the space of 64-bit ones, and the chance that two
 * different minima collide in 32 bits (2<sup>-32</sup>) is far below the estimator's own error.
 */
public final class BandBuckets {
    private BandBuckets() {}

    /** What a bucket's owner does with a claim. */
    public record Decision(boolean claimBecomesOwner, BandVote vote) {}

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

    /** Decides a claim against the bucket's current owner (null when the bucket is free), at the claim's threshold. */
    public static Decision decide(BandClaim owner, BandClaim claim) {
        double threshold = claim.getThreshold();
        BandVote unique = new BandVote(claim.getSampleId(), claim.getBands(), 1, null, null);
        if (owner == null) {
            return new Decision(true, unique);
        }
        if (owner.getSampleId().equals(claim.getSampleId())) {
            return new Decision(false, unique); // the same sample again (a replay): not its own duplicate
        }
        if (isEarlier(claim, owner)) {
            return new Decision(true, unique);
        }
        double similarity = similarity(owner.getSignature(), claim.getSignature());
        if (similarity >= threshold) {
            return new Decision(
                    false, new BandVote(claim.getSampleId(), claim.getBands(), 1, owner.getSampleId(), similarity));
        }
        return new Decision(false, unique);
    }

    /** Adds a vote to a sample's tally (null before the first vote). */
    public static VoteTally tally(VoteTally tally, BandVote vote) {
        VoteTally next = tally == null
                ? new VoteTally(vote.getBands(), 0, null, null)
                : VoteTally.newBuilder(tally).build();
        next.setReceived(next.getReceived() + vote.getCovered());
        if (vote.getDupOf() != null && isBetterMatch(vote, next)) {
            next.setDupOf(vote.getDupOf());
            next.setSimilarity(vote.getSimilarity());
        }
        return next;
    }

    /** Whether every vote of the tally has arrived. */
    public static boolean isComplete(VoteTally tally) {
        return tally != null && tally.getReceived() >= tally.getExpected();
    }

    /**
     * Combines the votes on several buckets of one sample into one vote that covers them all: the
     * most similar duplicate wins, as in {@link #tally}.
     */
    public static BandVote combine(List<BandVote> votes) {
        BandVote first = votes.get(0);
        BandVote combined = new BandVote(first.getSampleId(), first.getBands(), 0, null, null);
        VoteTally best = new VoteTally(0, 0, null, null);
        for (BandVote vote : votes) {
            combined.setCovered(combined.getCovered() + vote.getCovered());
            if (vote.getDupOf() != null && isBetterMatch(vote, best)) {
                best.setDupOf(vote.getDupOf());
                best.setSimilarity(vote.getSimilarity());
            }
        }
        combined.setDupOf(best.getDupOf());
        combined.setSimilarity(best.getSimilarity());
        return combined;
    }

    private static boolean isBetterMatch(BandVote vote, VoteTally tally) {
        if (tally.getDupOf() == null) {
            return true;
        }
        int bySimilarity = Double.compare(vote.getSimilarity(), tally.getSimilarity());
        return bySimilarity > 0 || (bySimilarity == 0 && vote.getDupOf().compareTo(tally.getDupOf()) < 0);
    }

    /** Whether claim {@code a} comes before {@code b}: earlier record timestamp, then smaller id. */
    public static boolean isEarlier(BandClaim a, BandClaim b) {
        return a.getOrderTs() < b.getOrderTs()
                || (a.getOrderTs() == b.getOrderTs() && a.getSampleId().compareTo(b.getSampleId()) < 0);
    }
}
