package io.synthstream.curator.logic;

import io.synthstream.curator.avro.BandVote;
import io.synthstream.curator.avro.BucketMember;
import io.synthstream.curator.avro.BucketOwner;
import io.synthstream.curator.avro.SampleClaim;
import io.synthstream.embedding.VectorCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The rules of global dedup, in plain Java. An owner partition decides the claims on its buckets
 * one at a time, in its decision order (see {@code BandOwnerProcessor}: claims are held for a
 * grace period and then decided in (record timestamp, sample id) order); a claim decided later
 * never displaces one decided earlier.
 *
 * <p><b>Exact buckets</b> (one per normalised-text hash and dataset): the first claim decided owns
 * the bucket, and every later claim is an exact duplicate of it. One bucket decides all copies of
 * a text.
 *
 * <p><b>Band buckets</b> (LSH): the first claim decided owns the bucket; a later claim is compared
 * with every member and is a near duplicate of the most similar one (ties: the smallest id) when
 * the two signatures agree on at least {@code threshold} of their slots (the estimated Jaccard
 * similarity). A later claim that duplicates no member joins the bucket as a member (up to {@link
 * #MAX_MEMBERS}), so two similar samples sharing a band are compared with each other even when a
 * third, dissimilar sample owned the band first. Copies of the same text are left to the exact
 * bucket when the request dedups exact copies.
 *
 * <p>A claim that is a duplicate on an owner partition joins none of that partition's buckets, and
 * a member that its origin rejects leaves every bucket it joined ({@link #without}). A claim that
 * matches a member whose fate is not known yet waits for it, so a rejection always names a kept
 * sample.
 *
 * <p>Signatures are stored as 32-bit slots: half the space of 64-bit ones, and the chance that two
 * different minima collide in 32 bits (2<sup>-32</sup>) is far below the estimator's own error.
 */
public final class BandBuckets {
    /**
     * The most members a band bucket keeps. Samples that share a band without being near
     * duplicates are rare (a pair at Jaccard 0.5 shares a given 8-row band with probability 0.4
     * %), so a full bucket means a dataset of near-identical texts; a claim on a full bucket is
     * still compared with every member, it just does not join.
     */
    public static final int MAX_MEMBERS = 8;

    /** The order claims are decided in within a release: record timestamp, then sample id. */
    public static final Comparator<SampleClaim> DECISION_ORDER =
            Comparator.comparingLong(SampleClaim::getOrderTs).thenComparing(SampleClaim::getSampleId);

    private BandBuckets() {}

    /**
     * What a bucket's owner partition does with a claim: whether the claim joins the bucket (when
     * its sample is not a duplicate on that partition), and whom it duplicates.
     */
    public record Decision(boolean claimJoins, boolean waits, String dupOf, double similarity) {
        static final Decision JOIN = new Decision(true, false, null, 0.0);
        static final Decision UNIQUE = new Decision(false, false, null, 0.0);
        /** The claim matches a member whose fate is not known yet: decide it once it is. */
        static final Decision WAIT = new Decision(false, true, null, 0.0);

        static Decision duplicateOf(String dupOf, double similarity) {
            return new Decision(false, false, dupOf, similarity);
        }
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

    /** The entry a claim leaves in the owner store when it takes a free bucket. */
    public static BucketOwner ownerOf(SampleClaim claim) {
        return new BucketOwner(claim.getSampleId(), claim.getOrderTs(), claim.getExactHash(), new ArrayList<>());
    }

    /** The bucket entry after the claim joins it: the claim's own entry when the bucket is free. */
    public static BucketOwner withMember(BucketOwner bucket, SampleClaim claim) {
        if (bucket == null) {
            return ownerOf(claim);
        }
        List<BucketMember> others = new ArrayList<>(bucket.getOthers());
        others.add(new BucketMember(claim.getSampleId(), claim.getOrderTs(), claim.getExactHash()));
        return new BucketOwner(bucket.getSampleId(), bucket.getOrderTs(), bucket.getExactHash(), others);
    }

    /**
     * The bucket entry without a sample that was rejected: its next member owns the bucket, and
     * null when it was the only member (the bucket is free again).
     */
    public static BucketOwner without(BucketOwner bucket, String sampleId) {
        List<BucketMember> rest = new ArrayList<>(members(bucket));
        rest.removeIf(member -> member.getSampleId().equals(sampleId));
        if (rest.isEmpty()) {
            return null;
        }
        BucketMember first = rest.remove(0);
        return new BucketOwner(first.getSampleId(), first.getOrderTs(), first.getExactHash(), rest);
    }

    /** Every member of a bucket, the owner first. */
    public static List<BucketMember> members(BucketOwner bucket) {
        List<BucketMember> members = new ArrayList<>(1 + bucket.getOthers().size());
        members.add(new BucketMember(bucket.getSampleId(), bucket.getOrderTs(), bucket.getExactHash()));
        members.addAll(bucket.getOthers());
        return members;
    }

    /**
     * Decides a claim on an exact bucket against its owner (null when the bucket is free): first
     * decided, first kept; the claim waits while the owner's fate is unknown ({@code settled}
     * false), because a rejected owner leaves the bucket.
     */
    public static Decision decideExact(BucketOwner owner, Predicate<String> settled, SampleClaim claim) {
        if (owner == null) {
            return Decision.JOIN;
        }
        if (owner.getSampleId().equals(claim.getSampleId())) {
            return Decision.UNIQUE; // the same sample again (a replay): not its own duplicate
        }
        return settled.test(owner.getSampleId()) ? Decision.duplicateOf(owner.getSampleId(), 1.0) : Decision.WAIT;
    }

    /**
     * Decides a claim on a MinHash band bucket (null when free) against its members, whose stored
     * signatures {@code signatureOf} gives (empty when expired: matches nothing), at the claim's
     * threshold; see {@link #decideSimilar}.
     */
    public static Decision decideBand(
            BucketOwner bucket,
            Function<BucketMember, ByteBuffer> signatureOf,
            Predicate<String> settled,
            SampleClaim claim) {
        return decideSimilar(
                bucket,
                member -> similarity(signatureOf.apply(member), claim.getSignature()),
                claim.getThreshold(),
                settled,
                claim);
    }

    /**
     * Decides a claim on a semantic (random-hyperplane) bucket against its members, whose stored
     * vectors {@code vectorOf} gives (empty when expired: matches nothing), by the cosine of the
     * embeddings at the claim's semantic threshold; see {@link #decideSimilar}.
     */
    public static Decision decideSemantic(
            BucketOwner bucket,
            Function<BucketMember, ByteBuffer> vectorOf,
            Predicate<String> settled,
            SampleClaim claim) {
        return decideSimilar(
                bucket,
                member -> VectorCodec.cosine(vectorOf.apply(member), claim.getVector()),
                claim.getSemanticThreshold(),
                settled,
                claim);
    }

    /**
     * Decides a claim on a similarity bucket (null when free) against its members, {@code
     * similarityTo} giving the claim's similarity to each. The claim waits while a member it
     * matches has no known fate ({@code settled} false), so that it is measured only against kept
     * samples and names the same one whenever the fates arrive.
     */
    static Decision decideSimilar(
            BucketOwner bucket,
            ToDoubleFunction<BucketMember> similarityTo,
            double threshold,
            Predicate<String> settled,
            SampleClaim claim) {
        if (bucket == null) {
            return Decision.JOIN;
        }
        List<BucketMember> members = members(bucket);
        String best = null;
        double bestSimilarity = 0.0;
        for (BucketMember member : members) {
            if (member.getSampleId().equals(claim.getSampleId())) {
                return Decision.UNIQUE; // the same sample again (a replay): not its own duplicate
            }
        }
        for (BucketMember member : members) {
            if (claim.getExactHash() != null && claim.getExactHash().equals(member.getExactHash())) {
                continue; // a copy of the same text: the exact bucket decides it
            }
            double similarity = similarityTo.applyAsDouble(member);
            if (similarity >= threshold && !settled.test(member.getSampleId())) {
                return Decision.WAIT;
            }
            if (similarity >= threshold && isBetterMatch(member.getSampleId(), similarity, best, bestSimilarity)) {
                best = member.getSampleId();
                bestSimilarity = similarity;
            }
        }
        if (best != null) {
            return Decision.duplicateOf(best, bestSimilarity);
        }
        boolean copy = claim.getExactHash() != null
                && members.stream().anyMatch(member -> claim.getExactHash().equals(member.getExactHash()));
        return copy || members.size() >= MAX_MEMBERS ? Decision.UNIQUE : Decision.JOIN;
    }

    /**
     * One vote answering all of a sample's claims on one partition: the exact decision (or null
     * without an exact bucket there), the most similar near duplicate among the band decisions and
     * the most similar semantic duplicate among the semantic ones.
     */
    public static BandVote vote(
            String sampleId, Decision exact, Iterable<Decision> bands, Iterable<Decision> semantics) {
        BandVote vote = new BandVote(sampleId, exact == null ? null : exact.dupOf(), null, null, null, null);
        for (Decision band : bands) {
            if (band.dupOf() != null
                    && isBetterMatch(band.dupOf(), band.similarity(), vote.getDupOf(), vote.getSimilarity())) {
                vote.setDupOf(band.dupOf());
                vote.setSimilarity(band.similarity());
            }
        }
        for (Decision semantic : semantics) {
            if (semantic.dupOf() != null
                    && isBetterMatch(
                            semantic.dupOf(), semantic.similarity(), vote.getSemanticDupOf(), vote.getCosine())) {
                vote.setSemanticDupOf(semantic.dupOf());
                vote.setCosine(semantic.similarity());
            }
        }
        return vote;
    }

    /** {@link #vote} without semantic buckets. */
    public static BandVote vote(String sampleId, Decision exact, Iterable<Decision> bands) {
        return vote(sampleId, exact, bands, List.of());
    }

    /**
     * Whether {@code (dupOf, similarity)} beats the current best match (none when {@code best} is
     * null): more similar, then the smaller id.
     */
    static boolean isBetterMatch(String dupOf, double similarity, String best, Double bestSimilarity) {
        if (best == null) {
            return true;
        }
        int bySimilarity = Double.compare(similarity, bestSimilarity);
        return bySimilarity > 0 || (bySimilarity == 0 && dupOf.compareTo(best) < 0);
    }
}
