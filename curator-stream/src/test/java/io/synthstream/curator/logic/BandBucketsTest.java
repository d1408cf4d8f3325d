package io.synthstream.curator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.curator.avro.BandVote;
import io.synthstream.curator.avro.BucketOwner;
import io.synthstream.curator.avro.SampleClaim;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BandBucketsTest {
    private static final long[] SIGNATURE = {1L << 40, 2L << 40, 3L << 40, 4L << 40};
    private static final long[] HALF_SAME = {1L << 40, 2L << 40, 30L << 40, 40L << 40};

    private static SampleClaim claim(String id, long ts, long[] signature) {
        return new SampleClaim(id, ts, 0.7, BandBuckets.pack(signature), new ArrayList<>(), null, null);
    }

    private static BucketOwner owner(String id, long ts) {
        return new BucketOwner(id, ts, null);
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

    @Test
    void shouldMakeTheFirstClaimTheOwner() {
        BandBuckets.Decision band = BandBuckets.decideBand(null, ByteBuffer.allocate(0), claim("a", 10, SIGNATURE));
        BandBuckets.Decision exact = BandBuckets.decideExact(null, claim("a", 10, SIGNATURE));

        assertThat(band.claimBecomesOwner()).isTrue();
        assertThat(band.dupOf()).isNull();
        assertThat(exact.claimBecomesOwner()).isTrue();
        assertThat(exact.dupOf()).isNull();
    }

    @Test
    void shouldVoteNearDuplicateOfTheOwnerOnlyAboveTheThreshold() {
        BucketOwner owner = owner("a", 10);

        BandBuckets.Decision similar = BandBuckets.decideBand(owner, packed(SIGNATURE), claim("b", 20, SIGNATURE));
        BandBuckets.Decision dissimilar = BandBuckets.decideBand(owner, packed(SIGNATURE), claim("c", 20, HALF_SAME));
        BandBuckets.Decision expired = BandBuckets.decideBand(owner, ByteBuffer.allocate(0), claim("d", 20, SIGNATURE));

        assertThat(similar.claimBecomesOwner()).isFalse();
        assertThat(similar.dupOf()).isEqualTo("a");
        assertThat(similar.similarity()).isEqualTo(1.0);
        assertThat(dissimilar.dupOf()).isNull();
        assertThat(dissimilar.claimBecomesOwner()).isFalse();
        assertThat(expired.dupOf())
                .as("an owner whose signature expired matches nothing")
                .isNull();
    }

    @Test
    void shouldVoteExactDuplicateOfAnEarlierOwnerWithoutComparingSignatures() {
        BandBuckets.Decision exact = BandBuckets.decideExact(owner("a", 10), claim("b", 20, HALF_SAME));

        assertThat(exact.claimBecomesOwner()).isFalse();
        assertThat(exact.dupOf()).isEqualTo("a");
    }

    @Test
    void shouldLetAnEarlierClaimTakeOverInsteadOfRejectingEitherSample() {
        BucketOwner owner = owner("b", 20);

        BandBuckets.Decision earlier = BandBuckets.decideBand(owner, packed(SIGNATURE), claim("a", 10, SIGNATURE));
        BandBuckets.Decision sameTimeSmallerId =
                BandBuckets.decideBand(owner, packed(SIGNATURE), claim("a", 20, SIGNATURE));

        assertThat(earlier.claimBecomesOwner()).isTrue();
        assertThat(earlier.dupOf()).isNull();
        assertThat(sameTimeSmallerId.claimBecomesOwner()).isTrue();
    }

    @Test
    void shouldKeepTheFirstArrivalOfAnExactBucketEvenWhenALaterCopyIsOlder() {
        BandBuckets.Decision olderCopy = BandBuckets.decideExact(owner("b", 20), claim("a", 10, SIGNATURE));

        assertThat(olderCopy.claimBecomesOwner()).isFalse();
        assertThat(olderCopy.dupOf()).isEqualTo("b");
    }

    @Test
    void shouldLeaveCopiesOfTheSameTextToTheExactBucket() {
        SampleClaim copy = claim("b", 20, SIGNATURE);
        copy.setExactHash("h");
        SampleClaim other = claim("c", 20, SIGNATURE);
        other.setExactHash("k");
        BucketOwner owner = new BucketOwner("a", 10L, "h");

        assertThat(BandBuckets.decideBand(owner, packed(SIGNATURE), copy).dupOf())
                .isNull();
        assertThat(BandBuckets.decideBand(owner, packed(SIGNATURE), other).dupOf())
                .isEqualTo("a");
    }

    @Test
    void shouldNeverCallASampleItsOwnDuplicate() {
        BandBuckets.Decision replay =
                BandBuckets.decideBand(owner("a", 10), packed(SIGNATURE), claim("a", 10, SIGNATURE));
        BandBuckets.Decision exactReplay = BandBuckets.decideExact(owner("a", 10), claim("a", 10, SIGNATURE));

        assertThat(replay.dupOf()).isNull();
        assertThat(replay.claimBecomesOwner()).isFalse();
        assertThat(exactReplay.dupOf()).isNull();
        assertThat(exactReplay.claimBecomesOwner()).isFalse();
    }

    @Test
    void shouldCombineDecisionsIntoOneVoteWithTheMostSimilarDuplicate() {
        BandVote vote = BandBuckets.vote(
                "s",
                new BandBuckets.Decision(false, "e", 1.0),
                List.of(
                        new BandBuckets.Decision(false, null, 0.0),
                        new BandBuckets.Decision(false, "x", 0.75),
                        new BandBuckets.Decision(false, "y", 0.9),
                        new BandBuckets.Decision(false, "w", 0.9)));

        assertThat(vote.getExactDupOf()).isEqualTo("e");
        assertThat(vote.getDupOf()).as("ties go to the smaller id").isEqualTo("w");
        assertThat(vote.getSimilarity()).isEqualTo(0.9);
        assertThat(BandBuckets.vote("s", null, List.of()).getDupOf()).isNull();
    }

    @Test
    void shouldTallyOneVotePerOwnerPartitionAndKeepTheMostSimilarDuplicate() {
        VoteTally tally = new VoteTally("s", 3, List.of("exact-dedup", "near-dedup"));
        tally.add(new BandVote("s", null, null, null));
        tally.add(new BandVote("s", null, "x", 0.8));
        assertThat(tally.isComplete()).isFalse();
        tally.add(new BandVote("s", "e", "w", 0.9));

        assertThat(tally.isComplete()).isTrue();
        assertThat(tally.exactDupOf()).isEqualTo("e");
        assertThat(tally.nearDupOf()).isEqualTo("w");
        assertThat(tally.similarity()).isEqualTo(0.9);
        assertThat(tally.stages()).containsExactly("exact-dedup", "near-dedup");
    }
}
