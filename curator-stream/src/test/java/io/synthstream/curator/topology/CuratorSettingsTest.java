package io.synthstream.curator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Rejection;
import io.synthstream.avro.Sample;
import io.synthstream.avro.TaskSpec;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.testing.MutableClock;
import io.synthstream.common.testing.TopologyTestSupport;
import io.synthstream.common.topics.TopicSpec;
import io.synthstream.common.topics.Topics;
import io.synthstream.curator.avro.BandVote;
import io.synthstream.curator.avro.ClaimBatch;
import io.synthstream.curator.avro.SampleClaim;
import io.synthstream.curator.avro.VoteBatch;
import io.synthstream.curator.config.CuratorConfig;
import io.synthstream.curator.logic.BandBuckets;
import io.synthstream.schemas.TestRecords;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

/** Each curator setting changes when and what the curator decides. */
class CuratorSettingsTest {
    private static final java.nio.ByteBuffer EMPTY = java.nio.ByteBuffer.allocate(0);
    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private static final String REVIEW = "The battery easily lasts two full days of heavy use, the screen stays bright"
            + " and readable outdoors, and the camera takes sharp photos even in dim evening light at home.";
    private static final String OTHER_REVIEW = "Shipping took three weeks and the box arrived crushed, but support"
            + " replaced the cracked lens quickly and the replacement has worked without a single problem since.";

    /** One curator on TopologyTestDriver under some settings. */
    static final class Curator implements AutoCloseable {
        final MutableClock clock = new MutableClock(NOW);
        final TopologyTestDriver driver;
        final TestInputTopic<String, Sample> raw;
        final TestOutputTopic<String, Sample> curated;
        final TestOutputTopic<String, Rejection> rejected;
        final TestOutputTopic<byte[], DeadLetter> dlq;
        final SimpleMeterRegistry meters = new SimpleMeterRegistry();
        final SynthSerdes serdes;

        /** A curator under the settings, deciding claims on arrival unless they set a hold. */
        Curator(Map<String, ?> settings) {
            this(settings, spec -> {});
        }

        /** @param request changes the spec of request r-1 before it is published */
        Curator(Map<String, ?> settings, java.util.function.Consumer<GenerationRequest> request) {
            Map<String, Object> all = new HashMap<>(Map.of(CuratorConfig.DEDUP_HOLD_MS.key(), 0));
            all.putAll(settings);
            SynthConfig config = TopologyTestSupport.config("synth-curator-settings", all);
            serdes = SynthSerdes.from(config);
            driver = TopologyTestSupport.driver(CuratorTopology.build(config, clock, true), config, meters);
            raw = TopologyTestSupport.input(driver, Topics.SAMPLES_RAW, serdes);
            curated = TopologyTestSupport.output(driver, Topics.SAMPLES_CURATED, serdes);
            rejected = TopologyTestSupport.output(driver, Topics.SAMPLES_REJECTED, serdes);
            dlq = TopologyTestSupport.deadLetters(driver, serdes);
            GenerationRequest spec = TestRecords.request("r-1");
            spec.setTask(TaskSpec.newBuilder(spec.getTask())
                    .setOutputFields(List.of())
                    .build());
            spec.setExamples(List.of());
            request.accept(spec);
            TopologyTestSupport.input(driver, Topics.SPECS, serdes).pipeInput("r-1", spec);
        }

        void send(String id, String requestId, String text, Instant at) {
            Sample sample = TestRecords.sample(id);
            sample.setRequestId(requestId);
            sample.setCuration(null);
            sample.setFields(Map.of("text", text, "label", "positive"));
            raw.pipeInput(id, sample, at);
        }

        void advance(Duration by) {
            clock.set(clock.instant().plus(by));
            driver.advanceWallClockTime(by);
        }

        @Override
        public void close() {
            driver.close();
        }
    }

    @Test
    void claimsWaitForTheLingerUnlessTheBatchIsFull() {
        try (Curator c = new Curator(Map.of(CuratorConfig.CLAIM_BATCH_MAX.key(), 1))) {
            c.send("s-1", "r-1", REVIEW, NOW);
            assertThat(c.curated.readValuesToList())
                    .as("a batch of one is sent at once")
                    .hasSize(1);
        }
        try (Curator c = new Curator(Map.of(CuratorConfig.CLAIM_LINGER_MS.key(), 200L))) {
            c.send("s-1", "r-1", REVIEW, NOW);
            c.advance(Duration.ofMillis(50));
            assertThat(c.curated.isEmpty())
                    .as("within curator.claim.linger.ms=200")
                    .isTrue();
            c.advance(Duration.ofMillis(200));
            assertThat(c.curated.readValuesToList()).hasSize(1);
        }
    }

    /**
     * Two near duplicates arrive newest first, each in its own claim batch. Decided on arrival the
     * newer one is kept; held for curator.dedup.hold.ms they are decided together in timestamp
     * order, and the older one is kept, as a paced feed would have it.
     */
    @Test
    void theDedupHoldDecidesABurstInTimestampOrderWhateverTheArrivalOrder() {
        String variant = REVIEW.replace("at home.", "at night.");
        try (Curator c = new Curator(Map.of(CuratorConfig.CLAIM_BATCH_MAX.key(), 1))) {
            c.send("s-new", "r-1", variant, NOW.plusMillis(5));
            c.send("s-old", "r-1", REVIEW, NOW);
            assertThat(c.rejected.readValuesToList())
                    .extracting(Rejection::getSampleId, Rejection::getDupOf)
                    .as("hold 0: arrival order")
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("s-old", "s-new"));
        }
        try (Curator c = new Curator(
                Map.of(CuratorConfig.CLAIM_BATCH_MAX.key(), 1, CuratorConfig.DEDUP_HOLD_MS.key(), 1_000L))) {
            c.send("s-new", "r-1", variant, NOW.plusMillis(5));
            c.advance(Duration.ofMillis(400));
            c.send("s-old", "r-1", REVIEW, NOW);
            c.advance(Duration.ofMillis(500));
            assertThat(c.curated.isEmpty()).as("within the hold").isTrue();
            assertThat(c.rejected.isEmpty()).isTrue();
            c.advance(Duration.ofMillis(200));
            assertThat(c.rejected.readValuesToList())
                    .extracting(Rejection::getSampleId, Rejection::getDupOf)
                    .as("s-new's hold is over: s-old, held since, sorts before it and is decided first")
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("s-new", "s-old"));
            assertThat(c.curated.readValuesToList())
                    .extracting(Sample::getSampleId)
                    .containsExactly("s-old");
        }
    }

    /**
     * A claim that matches a member whose fate never comes (its origin lost it) is decided as if
     * the member were kept once curator.dedup.fate.wait.ms is over, and counted.
     */
    @Test
    void aClaimWaitsForAMissingFateOnlyAsLongAsTheFateWait() {
        try (Curator c = new Curator(Map.of(CuratorConfig.DEDUP_FATE_WAIT_MS.key(), 5_000L))) {
            TestInputTopic<String, ClaimBatch> claims = c.driver.createInputTopic(
                    "synth-curator-settings-curator-dedup-claims-repartition",
                    Serdes.String().serializer(),
                    c.serdes.valueSerde(ClaimBatch.class).serializer());
            TestOutputTopic<String, VoteBatch> votes = c.driver.createOutputTopic(
                    CuratorTopology.votesTopic("synth-curator-settings"),
                    Serdes.String().deserializer(),
                    c.serdes.valueSerde(VoteBatch.class).deserializer());
            ByteBuffer signature = BandBuckets.pack(new long[] {1L << 40, 2L << 40, 3L << 40, 4L << 40});
            claims.pipeInput(
                    "0",
                    batch(new SampleClaim("x", 1L, 0.7, signature, List.of("d|b"), null, null, EMPTY, List.of(), 1.0)),
                    NOW);
            claims.pipeInput(
                    "0",
                    batch(new SampleClaim(
                            "y", 2L, 0.7, signature.duplicate(), List.of("d|b"), null, null, EMPTY, List.of(), 1.0)),
                    NOW);
            assertThat(votes.readValuesToList())
                    .flatExtracting(VoteBatch::getVotes)
                    .extracting(BandVote::getSampleId)
                    .as("x joins; y matches x, whose fate is unknown")
                    .containsExactly("x");

            c.advance(Duration.ofMillis(4_900));
            assertThat(votes.isEmpty()).isTrue();
            c.advance(Duration.ofMillis(200));
            assertThat(votes.readValuesToList())
                    .flatExtracting(VoteBatch::getVotes)
                    .extracting(BandVote::getSampleId, BandVote::getDupOf)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("y", "x"));
            assertThat(c.meters
                            .counter("synth.curator.dedup.forced", "app", "synth-curator-settings")
                            .count())
                    .isEqualTo(1.0);
        }
    }

    private static ClaimBatch batch(SampleClaim claim) {
        return new ClaimBatch(0, 0, 1L, List.of(claim), List.of());
    }

    @Test
    void aSampleWaitsForItsSpecAsLongAsTheSpecWait() {
        for (long waitMs : new long[] {0L, 60_000L}) {
            try (Curator c = new Curator(
                    Map.of(CuratorConfig.SPEC_WAIT_MS.key(), waitMs, CuratorConfig.CLAIM_BATCH_MAX.key(), 1))) {
                c.send("s-1", "r-missing", REVIEW, NOW);
                c.advance(Duration.ofSeconds(2));
                if (waitMs == 0) {
                    assertThat(c.dlq.readValue().getReason()).isEqualTo("unknown_spec");
                } else {
                    assertThat(c.dlq.isEmpty())
                            .as("curator.spec.wait.ms=60000: still waiting")
                            .isTrue();
                }
            }
        }
    }

    @Test
    void duplicatesFurtherApartThanTheDedupRetentionAreNotCaught() {
        for (Duration retention : List.of(Duration.ofDays(7), Duration.ofHours(1))) {
            try (Curator c = new Curator(Map.of(
                    CuratorConfig.DEDUP_RETENTION_MS.key(),
                    retention.toMillis(),
                    CuratorConfig.CLAIM_BATCH_MAX.key(),
                    1))) {
                c.send("s-1", "r-1", REVIEW, NOW);
                c.send("s-2", "r-1", OTHER_REVIEW, NOW.plus(Duration.ofHours(3)));
                c.send("s-3", "r-1", REVIEW, NOW.plus(Duration.ofHours(3)));
                List<String> kept = c.curated.readValuesToList().stream()
                        .map(Sample::getSampleId)
                        .toList();
                if (retention.equals(Duration.ofDays(7))) {
                    assertThat(kept).containsExactly("s-1", "s-2");
                    assertThat(c.rejected.readValue().getSampleId()).isEqualTo("s-3");
                } else {
                    assertThat(kept).as("3 h apart, beyond a 1 h retention").containsExactly("s-1", "s-2", "s-3");
                }
            }
        }
    }

    @Test
    void theVotesTopicIsCreatedWithTheVotesRetention() {
        for (long retention : new long[] {3_600_000L, 600_000L}) {
            SynthConfig config = TopologyTestSupport.config(
                    "synth-curator-settings", Map.of(CuratorConfig.VOTES_RETENTION_MS.key(), retention));
            TopicSpec<?, ?> votes = CuratorTopology.topics(config).stream()
                    .filter(t -> t.name().equals(CuratorTopology.votesTopic("synth-curator-settings")))
                    .findFirst()
                    .orElseThrow();
            assertThat(votes.configs()).containsEntry("retention.ms", Long.toString(retention));
        }
    }
}
