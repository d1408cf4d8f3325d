package io.synthstream.curator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.curator.avro.BandVote;
import io.synthstream.curator.avro.BucketOwner;
import io.synthstream.curator.avro.SampleClaim;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BandBucketsTest {
    private static final long[] SIGNATURE = {1L << 40, 2L << 40, 3L << 40, 4L << 40};
    private static final long[] HALF_SAME = {1L << 40, 2L << 40, 30L << 40, 40L << 40};

    private static SampleClaim claim(String id, long ts, long[] signature) {
        return new SampleClaim(
                id, ts, 0.7, BandBuckets.pack(signature), new ArrayList<>(), null, null, EMPTY, new ArrayList<>(), 1.0);
    }

    private static BucketOwner owner(String id, long ts) {
        return new BucketOwner(id, ts, null, new ArrayList<>());
    }

    private static ByteBuffer packed(long[] signature) {
        return BandBuckets.pack(signature);
    }

    @Test
    void shouldPackHighHalvesAndMeasureSimilarity() {
        ByteBuffer packed = BandBuckets.pack(SIGNATURE);

        assertThat(packed.remaining()).isEqualTo(16);
        assertThat(packed.getInt(0)).isEqualTo(1 << 8);
        assertThat(BandBuckets.similarity(packed, BandBuckets.pack(SIGNATURE))).isEqualTo(1.0);
        assertThat(BandBuckets.similarity(packed, BandBuckets.pack(HALF_SAME))).isEqualTo(0.5);
    }

    /** Signatures of bucket members by sample id, as the owner store would give them. */
    private final Map<String, ByteBuffer> stored = new HashMap<>();
    /** Members whose fate is not known yet. */
    private final Set<String> pending = new HashSet<>();

    private static BandBuckets.Decision exact(BucketOwner owner, SampleClaim claim) {
        return BandBuckets.decideExact(owner, id -> true, claim);
    }

    private BandBuckets.Decision band(BucketOwner bucket, SampleClaim claim) {
        return BandBuckets.decideBand(
                bucket, member -> stored.getOrDefault(member.getSampleId(), EMPTY), id -> !pending.contains(id), claim);
    }

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    @Test
    void shouldMakeTheFirstClaimTheOwner() {
        BandBuckets.Decision band = band(null, claim("a", 10, SIGNATURE));
        BandBuckets.Decision exact = exact(null, claim("a", 10, SIGNATURE));

        assertThat(band.claimJoins()).isTrue();
        assertThat(band.dupOf()).isNull();
        assertThat(exact.claimJoins()).isTrue();
        assertThat(exact.dupOf()).isNull();
        assertThat(BandBuckets.withMember(null, claim("a", 10, SIGNATURE)).getSampleId())
                .isEqualTo("a");
    }

    @Test
    void shouldVoteNearDuplicateOfAMemberOnlyAboveTheThreshold() {
        BucketOwner owner = owner("a", 10);
        stored.put("a", packed(SIGNATURE));

        BandBuckets.Decision similar = band(owner, claim("b", 20, SIGNATURE));
        BandBuckets.Decision dissimilar = band(owner, claim("c", 20, HALF_SAME));
        stored.remove("a");
        BandBuckets.Decision expired = band(owner, claim("d", 20, SIGNATURE));

        assertThat(similar.claimJoins()).isFalse();
        assertThat(similar.dupOf()).isEqualTo("a");
        assertThat(similar.similarity()).isEqualTo(1.0);
        assertThat(dissimilar.dupOf()).isNull();
        assertThat(dissimilar.claimJoins())
                .as("a dissimilar sample joins the bucket")
                .isTrue();
        assertThat(expired.dupOf())
                .as("a member whose signature expired matches nothing")
                .isNull();
    }

    @Test
    void shouldCompareWithEveryMemberSoADissimilarOwnerHidesNoPair() {
        long[] third = {1L << 40, 2L << 40, 30L << 40, 41L << 40};
        BucketOwner bucket = BandBuckets.withMember(owner("a", 10), claim("b", 20, HALF_SAME));
        stored.put("a", packed(SIGNATURE));
        stored.put("b", packed(HALF_SAME));

        BandBuckets.Decision nearB = band(bucket, claim("c", 30, third));

        assertThat(BandBuckets.members(bucket))
                .extracting(member -> member.getSampleId())
                .containsExactly("a", "b");
        assertThat(nearB.dupOf())
                .as("c is 0.75 like b and 0.5 like the owner a")
                .isEqualTo("b");
        assertThat(nearB.similarity()).isEqualTo(0.75);
    }

    @Test
    void shouldStopAddingMembersToAFullBucketButStillCompareWithThem() {
        BucketOwner bucket = owner("m0", 1);
        for (int i = 1; i < BandBuckets.MAX_MEMBERS; i++) {
            bucket = BandBuckets.withMember(bucket, claim("m" + i, i, SIGNATURE));
        }
        stored.put("m5", packed(SIGNATURE));

        assertThat(band(bucket, claim("x", 99, HALF_SAME)).claimJoins()).isFalse();
        assertThat(band(bucket, claim("y", 99, SIGNATURE)).dupOf()).isEqualTo("m5");
    }

    @Test
    void shouldWaitForTheFateOfAMatchedMemberButNotOfAnUnmatchedOne() {
        BucketOwner bucket = BandBuckets.withMember(owner("a", 10), claim("b", 20, HALF_SAME));
        stored.put("a", packed(SIGNATURE));
        stored.put("b", packed(HALF_SAME));
        pending.add("a");

        assertThat(band(bucket, claim("c", 30, SIGNATURE)).waits())
                .as("c matches a, whose fate is unknown")
                .isTrue();
        pending.clear();
        pending.add("b");
        assertThat(band(bucket, claim("c", 30, SIGNATURE)).dupOf())
                .as("c does not match b, so b's fate does not matter")
                .isEqualTo("a");
        assertThat(BandBuckets.decideExact(owner("a", 10), id -> false, claim("c", 30, SIGNATURE))
                        .waits())
                .isTrue();
    }

    @Test
    void shouldHandARejectedOwnersBucketToItsNextMember() {
        BucketOwner bucket = BandBuckets.withMember(
                BandBuckets.withMember(owner("a", 10), claim("b", 20, HALF_SAME)), claim("c", 30, HALF_SAME));

        BucketOwner withoutA = BandBuckets.without(bucket, "a");
        BucketOwner withoutB = BandBuckets.without(bucket, "b");

        assertThat(BandBuckets.members(withoutA))
                .extracting(m -> m.getSampleId())
                .containsExactly("b", "c");
        assertThat(BandBuckets.members(withoutB))
                .extracting(m -> m.getSampleId())
                .containsExactly("a", "c");
        assertThat(BandBuckets.without(owner("a", 10), "a"))
                .as("the bucket is free again")
                .isNull();
    }

    @Test
    void shouldVoteExactDuplicateOfAnEarlierOwnerWithoutComparingSignatures() {
        BandBuckets.Decision exact = exact(owner("a", 10), claim("b", 20, HALF_SAME));

        assertThat(exact.claimJoins()).isFalse();
        assertThat(exact.dupOf()).isEqualTo("a");
    }

    @Test
    void shouldNeverLetALaterDecisionDisplaceAnEarlierOne() {
        BucketOwner owner = owner("b", 20);
        stored.put("b", packed(SIGNATURE));

        BandBuckets.Decision olderButLater = band(owner, claim("a", 10, SIGNATURE));
        BandBuckets.Decision olderCopy = exact(owner("b", 20), claim("a", 10, SIGNATURE));

        assertThat(olderButLater.claimJoins()).isFalse();
        assertThat(olderButLater.dupOf())
                .as("decided after b, so measured against b however old")
                .isEqualTo("b");
        assertThat(olderCopy.dupOf()).isEqualTo("b");
    }

    @Test
    void shouldDecideInTimestampThenIdOrder() {
        List<SampleClaim> claims = new ArrayList<>(
                List.of(claim("c", 20, SIGNATURE), claim("b", 10, SIGNATURE), claim("a", 20, SIGNATURE)));

        claims.sort(BandBuckets.DECISION_ORDER);

        assertThat(claims).extracting(SampleClaim::getSampleId).containsExactly("b", "a", "c");
    }

    @Test
    void shouldLeaveCopiesOfTheSameTextToTheExactBucket() {
        SampleClaim copy = claim("b", 20, SIGNATURE);
        copy.setExactHash("h");
        SampleClaim other = claim("c", 20, SIGNATURE);
        other.setExactHash("k");
        BucketOwner owner = new BucketOwner("a", 10L, "h", new ArrayList<>());
        stored.put("a", packed(SIGNATURE));

        assertThat(band(owner, copy).dupOf()).isNull();
        assertThat(band(owner, copy).claimJoins())
                .as("a copy of a member is no new member")
                .isFalse();
        assertThat(band(owner, other).dupOf()).isEqualTo("a");
    }

    @Test
    void shouldNeverCallASampleItsOwnDuplicate() {
        BucketOwner bucket = BandBuckets.withMember(owner("a", 10), claim("b", 20, HALF_SAME));
        stored.put("a", packed(SIGNATURE));
        stored.put("b", packed(HALF_SAME));
        BandBuckets.Decision replay = band(bucket, claim("a", 10, SIGNATURE));
        BandBuckets.Decision memberReplay = band(bucket, claim("b", 20, HALF_SAME));
        BandBuckets.Decision exactReplay = exact(owner("a", 10), claim("a", 10, SIGNATURE));

        assertThat(replay.dupOf()).isNull();
        assertThat(replay.claimJoins()).isFalse();
        assertThat(memberReplay.dupOf()).isNull();
        assertThat(memberReplay.claimJoins()).isFalse();
        assertThat(exactReplay.dupOf()).isNull();
        assertThat(exactReplay.claimJoins()).isFalse();
    }

    @Test
    void shouldCombineDecisionsIntoOneVoteWithTheMostSimilarDuplicate() {
        BandVote vote = BandBuckets.vote(
                "s",
                new BandBuckets.Decision(false, false, "e", 1.0),
                List.of(
                        new BandBuckets.Decision(false, false, null, 0.0),
                        new BandBuckets.Decision(false, false, "x", 0.75),
                        new BandBuckets.Decision(false, false, "y", 0.9),
                        new BandBuckets.Decision(false, false, "w", 0.9)));

        assertThat(vote.getExactDupOf()).isEqualTo("e");
        assertThat(vote.getDupOf()).as("ties go to the smaller id").isEqualTo("w");
        assertThat(vote.getSimilarity()).isEqualTo(0.9);
        assertThat(BandBuckets.vote("s", null, List.of()).getDupOf()).isNull();
    }

    @Test
    void shouldTallyOneVotePerOwnerPartitionAndKeepTheMostSimilarDuplicate() {
        VoteTally tally = new VoteTally("s", List.of(0, 2, 5), List.of("exact-dedup", "near-dedup"));
        tally.add(new BandVote("s", null, null, null, null, null));
        tally.add(new BandVote("s", null, "x", 0.8, null, null));
        assertThat(tally.isComplete()).isFalse();
        tally.add(new BandVote("s", "e", "w", 0.9, null, null));

        assertThat(tally.isComplete()).isTrue();
        assertThat(tally.exactDupOf()).isEqualTo("e");
        assertThat(tally.nearDupOf()).isEqualTo("w");
        assertThat(tally.similarity()).isEqualTo(0.9);
        assertThat(tally.stages()).containsExactly("exact-dedup", "near-dedup");
    }
}
