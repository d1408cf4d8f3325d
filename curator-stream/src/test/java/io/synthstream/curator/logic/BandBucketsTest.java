package io.synthstream.curator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.curator.avro.BandClaim;
import io.synthstream.curator.avro.BandVote;
import io.synthstream.curator.avro.VoteTally;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class BandBucketsTest {
    private static final long[] SIGNATURE = {1L << 40, 2L << 40, 3L << 40, 4L << 40};
    private static final long[] HALF_SAME = {1L << 40, 2L << 40, 30L << 40, 40L << 40};

    private static BandClaim claim(String id, long ts, long[] signature) {
        return new BandClaim(id, ts, 14, 0.7, BandBuckets.pack(signature), List.of());
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
        BandBuckets.Decision decision = BandBuckets.decide(null, claim("a", 10, SIGNATURE));

        assertThat(decision.claimBecomesOwner()).isTrue();
        assertThat(decision.vote().getDupOf()).isNull();
    }

    @Test
    void shouldVoteDuplicateOfTheOwnerOnlyAboveTheThreshold() {
        BandClaim owner = claim("a", 10, SIGNATURE);

        BandBuckets.Decision similar = BandBuckets.decide(owner, claim("b", 20, SIGNATURE));
        BandBuckets.Decision dissimilar = BandBuckets.decide(owner, claim("c", 20, HALF_SAME));

        assertThat(similar.claimBecomesOwner()).isFalse();
        assertThat(similar.vote().getDupOf()).isEqualTo("a");
        assertThat(similar.vote().getSimilarity()).isEqualTo(1.0);
        assertThat(dissimilar.vote().getDupOf()).isNull();
        assertThat(dissimilar.claimBecomesOwner()).isFalse();
    }

    @Test
    void shouldLetAnEarlierClaimTakeOverInsteadOfRejectingEitherSample() {
        BandClaim owner = claim("b", 20, SIGNATURE);

        BandBuckets.Decision earlier = BandBuckets.decide(owner, claim("a", 10, SIGNATURE));
        BandBuckets.Decision sameTimeSmallerId = BandBuckets.decide(owner, claim("a", 20, SIGNATURE));

        assertThat(earlier.claimBecomesOwner()).isTrue();
        assertThat(earlier.vote().getDupOf()).isNull();
        assertThat(sameTimeSmallerId.claimBecomesOwner()).isTrue();
    }

    @Test
    void shouldNeverCallASampleItsOwnDuplicate() {
        BandBuckets.Decision replay = BandBuckets.decide(claim("a", 10, SIGNATURE), claim("a", 10, SIGNATURE));

        assertThat(replay.vote().getDupOf()).isNull();
        assertThat(replay.claimBecomesOwner()).isFalse();
    }

    @Test
    void shouldCombineVotesOnSeveralBucketsAndCountThemAll() {
        BandVote combined = BandBuckets.combine(List.of(
                new BandVote("s", 14, 1, null, null),
                new BandVote("s", 14, 1, "x", 0.75),
                new BandVote("s", 14, 1, "y", 0.9)));

        assertThat(combined.getCovered()).isEqualTo(3);
        assertThat(combined.getDupOf()).isEqualTo("y");
        VoteTally tally = BandBuckets.tally(null, combined);
        assertThat(tally.getReceived()).isEqualTo(3);
        assertThat(tally.getExpected()).isEqualTo(14);
        assertThat(BandBuckets.isComplete(BandBuckets.tally(tally, new BandVote("s", 14, 11, null, null))))
                .isTrue();
    }

    @Test
    void shouldTallyVotesAndKeepTheMostSimilarDuplicate() {
        VoteTally tally = BandBuckets.tally(null, new BandVote("s", 3, 1, null, null));
        tally = BandBuckets.tally(tally, new BandVote("s", 3, 1, "x", 0.8));
        assertThat(BandBuckets.isComplete(tally)).isFalse();
        tally = BandBuckets.tally(tally, new BandVote("s", 3, 1, "w", 0.9));

        assertThat(BandBuckets.isComplete(tally)).isTrue();
        assertThat(tally.getDupOf()).isEqualTo("w");
        assertThat(tally.getSimilarity()).isEqualTo(0.9);
        assertThat(BandBuckets.tally(tally, new BandVote("s", 3, 1, "a", 0.9)).getDupOf())
                .as("ties go to the smaller id")
                .isEqualTo("a");
    }
}
