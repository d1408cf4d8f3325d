package io.synthstream.curator.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synthstream.curator.avro.ClaimBatch;
import io.synthstream.curator.avro.VoteBatch;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BandRoutingTest {
    @Test
    void shouldSendClaimsToTheirOwnerAndVotesBackToTheirOrigin() {
        ClaimBatch claims = new ClaimBatch(4, 1, 7L, List.of(), List.of());
        VoteBatch votes = new VoteBatch(1, 7L, List.of());

        assertThat(BandRouting.claims().partitions("claims", "4", claims, 6)).isEqualTo(Optional.of(Set.of(4)));
        assertThat(BandRouting.votes().partitions("votes", "1", votes, 6)).isEqualTo(Optional.of(Set.of(1)));
    }

    @Test
    void shouldRefuseVotesForAPartitionTheVotesTopicLacks() {
        VoteBatch votes = new VoteBatch(7, 7L, List.of());

        assertThatThrownBy(() -> BandRouting.votes().partitions("app-dedup-votes", "7", votes, 6))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("app-dedup-votes has 6 partitions")
                .hasMessageContaining("as many partitions as synth.samples.raw");
    }

    @Test
    void shouldGiveEveryBucketOneOwnerWhateverTheInstance() {
        assertThat(BandRouting.ownerPartition("d|3:00ff", 6)).isEqualTo(BandRouting.ownerPartition("d|3:00ff", 6));
        assertThat(BandRouting.ownerPartition("d|3:00ff", 6)).isBetween(0, 5);
    }
}
