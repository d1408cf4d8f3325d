package io.synthstream.curator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.synthstream.avro.CurationSettings;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.Example;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Rejection;
import io.synthstream.avro.RejectionReason;
import io.synthstream.avro.Sample;
import io.synthstream.avro.TaskSpec;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.testing.MutableClock;
import io.synthstream.common.testing.TopologyTestSupport;
import io.synthstream.common.topics.Topics;
import io.synthstream.curator.avro.BandVote;
import io.synthstream.curator.avro.VoteBatch;
import io.synthstream.curator.config.CuratorConfig;
import io.synthstream.schemas.TestRecords;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CuratorTopologyTest {
    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private static final String REVIEW = "The battery easily lasts two full days of heavy use, the screen stays bright"
            + " and readable outdoors, and the camera takes sharp photos even in dim evening light at home.";
    private static final String OTHER_REVIEW = "Shipping took three weeks and the box arrived crushed, but support"
            + " replaced the cracked lens quickly and the replacement has worked without a single problem since.";
    private static final String DEMONSTRATION = "The hinge snapped after a week and support never answered my emails.";

    private final MutableClock clock = new MutableClock(NOW);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    /**
     * Claims are sent with each sample and decided on arrival, so a test sees each decision as soon
     * as it pipes the sample (the hold is {@link CuratorSettingsTest}'s).
     */
    private final SynthConfig config = TopologyTestSupport.config(
            "synth-curator", Map.of(CuratorConfig.CLAIM_BATCH_MAX.key(), 1, CuratorConfig.DEDUP_HOLD_MS.key(), 0));

    private final SynthSerdes serdes = SynthSerdes.from(config);
    private TopologyTestDriver driver;
    private TestInputTopic<String, GenerationRequest> specs;
    private TestInputTopic<String, Sample> raw;
    private TestOutputTopic<String, Sample> curated;
    private TestOutputTopic<String, Rejection> rejected;
    private TestOutputTopic<byte[], DeadLetter> dlq;

    @BeforeEach
    void setUp() {
        driver = TopologyTestSupport.driver(CuratorTopology.build(config, clock, true), config, meters);
        specs = TopologyTestSupport.input(driver, Topics.SPECS, serdes);
        raw = TopologyTestSupport.input(driver, Topics.SAMPLES_RAW, serdes);
        curated = TopologyTestSupport.output(driver, Topics.SAMPLES_CURATED, serdes);
        rejected = TopologyTestSupport.output(driver, Topics.SAMPLES_REJECTED, serdes);
        dlq = TopologyTestSupport.deadLetters(driver, serdes);
        specs.pipeInput("r-1", spec("r-1", null));
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private static GenerationRequest spec(String requestId, CurationSettings curation) {
        GenerationRequest spec = TestRecords.request(requestId);
        spec.setTask(
                TaskSpec.newBuilder(spec.getTask()).setOutputFields(List.of()).build());
        spec.setExamples(List.of(Example.newBuilder()
                .setFields(Map.of("text", DEMONSTRATION, "label", "negative"))
                .build()));
        spec.setCuration(curation);
        return spec;
    }

    private static Sample sample(String id, String requestId, String text, String label) {
        Sample sample = TestRecords.sample(id);
        sample.setRequestId(requestId);
        sample.setCuration(null);
        sample.setFields(Map.of("text", text, "label", label));
        return sample;
    }

    private void send(String id, String text) {
        raw.pipeInput(id, sample(id, "r-1", text, "positive"), NOW);
    }

    @Test
    void shouldCurateADistinctSampleWithEveryCheckRecorded() {
        send("s-1", REVIEW);

        Sample kept = curated.readValue();
        assertThat(kept.getSampleId()).isEqualTo("s-1");
        assertThat(kept.getCuration().getChecksPassed())
                .containsExactly(
                        "validation",
                        "length",
                        "repetition",
                        "symbols",
                        "refusal",
                        "prompt-echo",
                        "exact-dedup",
                        "near-dedup");
        assertThat(kept.getCuration().getExactHash()).hasSize(32);
        assertThat(kept.getCuration().getDedupKeys()).hasSize(14);
        assertThat(kept.getCuration().getCuratedAt()).isEqualTo(NOW);
        assertThat(rejected.isEmpty()).isTrue();
    }

    @Test
    void aSampleRepeatingARegisteredTestRecordIsRejectedAsContaminatedNamingTheRecord() {
        TestInputTopic<String, io.synthstream.avro.TestRecord> tests =
                TopologyTestSupport.input(driver, Topics.TEST_RECORDS, serdes);
        String dataset = TestRecords.request("r-1").getDataset();
        tests.pipeInput(
                dataset + "|t-7",
                io.synthstream.avro.TestRecord.newBuilder()
                        .setDataset(dataset)
                        .setRecordId("t-7")
                        .setText("Real review: " + REVIEW)
                        .build());

        send("s-1", REVIEW);
        Rejection rejection = rejected.readValue();
        assertThat(rejection.getReason()).isEqualTo(RejectionReason.CONTAMINATED);
        assertThat(rejection.getStage()).isEqualTo("decontamination");
        assertThat(rejection.getDetail())
                .isEqualTo("1.00 of the sample's 8-word n-grams occur in test record t-7 > 0.50");
        assertThat(rejection.getSimilarity()).isEqualTo(1.0);

        send("s-2", OTHER_REVIEW);
        assertThat(curated.readValue().getCuration().getChecksPassed()).contains("decontamination");

        // Unregistered (a tombstone): the copy is no longer contaminated.
        tests.pipeInput(dataset + "|t-7", null);
        send("s-4", REVIEW);
        assertThat(curated.readValue().getSampleId()).isEqualTo("s-4");
        assertThat(rejected.isEmpty()).isTrue();
    }

    @Test
    void maxTestOverlapOfARequestDecidesWhetherACopyOfATestRecordIsKept() {
        String dataset = TestRecords.request("r-1").getDataset();
        TopologyTestSupport.input(driver, Topics.TEST_RECORDS, serdes)
                .pipeInput(
                        dataset + "|t-1",
                        io.synthstream.avro.TestRecord.newBuilder()
                                .setDataset(dataset)
                                .setRecordId("t-1")
                                .setText(REVIEW)
                                .build());
        specs.pipeInput(
                "r-2",
                spec("r-2", CurationSettings.newBuilder().setMaxTestOverlap(1.0).build()));

        send("s-1", REVIEW); // r-1: the default 0.5
        assertThat(rejected.readValue().getReason()).isEqualTo(RejectionReason.CONTAMINATED);
        raw.pipeInput("s-2", sample("s-2", "r-2", REVIEW, "positive"), NOW); // r-2: up to all of it
        Sample kept = curated.readValue();
        assertThat(kept.getSampleId()).isEqualTo("s-2");
        assertThat(kept.getCuration().getChecksPassed()).contains("decontamination");
    }

    @Test
    void shouldRejectAnInvalidLabelInTheValidationStage() {
        raw.pipeInput("s-1", sample("s-1", "r-1", REVIEW, "neutral"), NOW);

        Rejection rejection = rejected.readValue();
        assertThat(rejection.getReason()).isEqualTo(RejectionReason.VALIDATION);
        assertThat(rejection.getStage()).isEqualTo("validation");
        assertThat(rejection.getDetail()).contains("neutral");
        assertThat(rejection.getSample().getSampleId()).isEqualTo("s-1");
        assertThat(curated.isEmpty()).isTrue();
    }

    static Stream<Arguments> heuristicFailures() {
        return Stream.of(
                Arguments.of(RejectionReason.LENGTH, "Too short."),
                Arguments.of(RejectionReason.REPETITION, "Great phone.\nGreat phone.\nGreat phone.\nGreat phone."),
                Arguments.of(RejectionReason.SYMBOL_RATIO, "$$$ ### @@@ >>> *** ~~~ %%% ^^^ &&& +++ === wow"),
                Arguments.of(
                        RejectionReason.REFUSAL,
                        "As an AI language model, I cannot share opinions about phones or their cameras."),
                Arguments.of(
                        RejectionReason.PROMPT_ECHO,
                        "The hinge snapped after a week and support never answered my emails at all."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("heuristicFailures")
    void shouldRejectEachHeuristicWithItsReason(RejectionReason reason, String text) {
        send("s-1", text);

        Rejection rejection = rejected.readValue();
        assertThat(rejection.getReason()).isEqualTo(reason);
        assertThat(rejection.getStage()).isEqualTo("heuristics");
        assertThat(curated.isEmpty()).isTrue();
    }

    @Test
    void shouldRejectAnExactDuplicateUpToCaseWhitespaceAndPunctuation() {
        send("s-1", REVIEW);
        send("s-2", "  " + REVIEW.toUpperCase(java.util.Locale.ROOT).replace(",", " ") + "!!");

        assertThat(curated.readValuesToList()).extracting(Sample::getSampleId).containsExactly("s-1");
        Rejection rejection = rejected.readValue();
        assertThat(rejection.getReason()).isEqualTo(RejectionReason.EXACT_DUPLICATE);
        assertThat(rejection.getStage()).isEqualTo("exact-dedup");
        assertThat(rejection.getDupOf()).isEqualTo("s-1");
    }

    @Test
    void shouldForgetDuplicatesOlderThanTheRetention() {
        send("s-1", REVIEW);
        raw.pipeInput("s-2", sample("s-2", "r-1", REVIEW, "positive"), NOW.plus(Duration.ofDays(3)));
        raw.pipeInput("s-3", sample("s-3", "r-1", REVIEW, "positive"), NOW.plus(Duration.ofDays(8)));

        assertThat(curated.readValuesToList())
                .as("7 days of retention by default")
                .extracting(Sample::getSampleId)
                .containsExactly("s-1", "s-3");
        assertThat(rejected.readValue().getDupOf()).isEqualTo("s-1");
    }

    @Test
    void shouldRejectANearDuplicateAndKeepADifferentSample() {
        send("s-1", REVIEW);
        send("s-2", REVIEW.replace("at home.", "at night."));
        send("s-3", OTHER_REVIEW);

        assertThat(curated.readValuesToList()).extracting(Sample::getSampleId).containsExactly("s-1", "s-3");
        Rejection rejection = rejected.readValue();
        assertThat(rejection.getReason()).isEqualTo(RejectionReason.NEAR_DUPLICATE);
        assertThat(rejection.getStage()).isEqualTo("near-dedup");
        assertThat(rejection.getDupOf()).isEqualTo("s-1");
        assertThat(rejection.getDetail()).contains("estimated Jaccard");
        assertThat(count("curated", "none")).isEqualTo(2.0);
        assertThat(count("rejected", "NEAR_DUPLICATE")).isEqualTo(1.0);
    }

    private double count(String outcome, String reason) {
        return meters.get("synth.curator.samples")
                .tag("outcome", outcome)
                .tag("reason", reason)
                .counter()
                .count();
    }

    @Test
    void shouldHonourPerRequestOverrides() {
        specs.pipeInput(
                "r-2",
                spec(
                        "r-2",
                        CurationSettings.newBuilder()
                                .setNearDedup(false)
                                .setMaxChars(5000)
                                .build()));
        raw.pipeInput("s-1", sample("s-1", "r-2", REVIEW, "positive"), NOW);
        raw.pipeInput("s-2", sample("s-2", "r-2", REVIEW.replace("at home.", "at night."), "positive"), NOW);

        assertThat(curated.readValuesToList()).extracting(Sample::getSampleId).containsExactly("s-1", "s-2");
        assertThat(rejected.isEmpty()).isTrue();
    }

    @Test
    void exactDedupAndTheNearThresholdOfARequestDecideWhatIsADuplicate() {
        specs.pipeInput(
                "r-x",
                spec(
                        "r-x",
                        CurationSettings.newBuilder()
                                .setExactDedup(false)
                                .setNearDedup(false)
                                .build()));
        raw.pipeInput("x-1", sample("x-1", "r-x", REVIEW, "positive"), NOW);
        raw.pipeInput("x-2", sample("x-2", "r-x", REVIEW, "positive"), NOW);
        assertThat(curated.readValuesToList())
                .as("exact_dedup off: a copy is kept")
                .extracting(Sample::getSampleId)
                .containsExactly("x-1", "x-2");

        String other = "The blender is loud, yet it crushes ice in seconds and cleans up in a minute at home.";
        specs.pipeInput(
                "r-t",
                spec(
                        "r-t",
                        CurationSettings.newBuilder().setNearDupThreshold(0.99).build()));
        raw.pipeInput("t-1", sample("t-1", "r-t", other, "positive"), NOW);
        raw.pipeInput("t-2", sample("t-2", "r-t", other.replace("at home.", "at night."), "positive"), NOW);
        assertThat(curated.readValuesToList())
                .as("near_dup_threshold 0.99: a one-word variant is not a near duplicate")
                .extracting(Sample::getSampleId)
                .containsExactly("t-1", "t-2");
        assertThat(rejected.isEmpty()).isTrue();

        specs.pipeInput("r-d", spec("r-d", null));
        String third = "The kettle is quiet, boils a full litre in two minutes and keeps the water warm at home.";
        raw.pipeInput("d-1", sample("d-1", "r-d", third, "positive"), NOW);
        raw.pipeInput("d-2", sample("d-2", "r-d", third.replace("at home.", "at night."), "positive"), NOW);
        assertThat(curated.readValuesToList()).extracting(Sample::getSampleId).containsExactly("d-1");
        assertThat(rejected.readValuesToList())
                .as("with the defaults the same variant is a near duplicate")
                .extracting(r -> r.getReason())
                .containsExactly(io.synthstream.avro.RejectionReason.NEAR_DUPLICATE);
    }

    @Test
    void maxPromptEchoOfARequestDecidesWhetherARepeatedDemonstrationIsKept() {
        String echo = "The hinge snapped after a week and support never answered my emails at all.";
        specs.pipeInput(
                "r-e",
                spec("r-e", CurationSettings.newBuilder().setMaxPromptEcho(1.0).build()));
        raw.pipeInput("e-1", sample("e-1", "r-e", echo, "negative"), NOW);
        assertThat(curated.readValuesToList()).extracting(Sample::getSampleId).containsExactly("e-1");

        specs.pipeInput(
                "r-f",
                spec("r-f", CurationSettings.newBuilder().setMaxPromptEcho(0.5).build()));
        raw.pipeInput("f-1", sample("f-1", "r-f", echo.replace("at all", "ever"), "negative"), NOW);
        assertThat(rejected.readValuesToList())
                .extracting(r -> r.getReason())
                .containsExactly(RejectionReason.PROMPT_ECHO);
    }

    @Test
    void theMinhashBandsAndRowsOfARequestDecideWhichPairsBecomeCandidates() {
        String text = "Comfortable over-ear headphones with deep bass, soft cushions and a detachable cable that"
                + " survived a year of daily commuting, although the folding case feels a little flimsy in the rain.";
        String variant = text.replace("in the rain.", "in the snow.");
        // one band of 64 rows: only near-identical signatures share a band, so the variant is never compared
        specs.pipeInput(
                "r-m",
                spec(
                        "r-m",
                        CurationSettings.newBuilder()
                                .setMinhashBands(1)
                                .setMinhashRows(64)
                                .build()));
        raw.pipeInput("m-1", sample("m-1", "r-m", text, "positive"), NOW);
        raw.pipeInput("m-2", sample("m-2", "r-m", variant, "positive"), NOW);
        assertThat(curated.readValuesToList()).extracting(Sample::getSampleId).containsExactly("m-1", "m-2");

        specs.pipeInput("r-n", spec("r-n", null)); // 14 bands of 8 rows: the same kind of variant is caught
        raw.pipeInput("n-1", sample("n-1", "r-n", text.replace("daily", "weekly"), "positive"), NOW);
        raw.pipeInput("n-2", sample("n-2", "r-n", variant.replace("daily", "weekly"), "positive"), NOW);
        assertThat(curated.readValuesToList()).extracting(Sample::getSampleId).containsExactly("n-1");
        assertThat(rejected.readValuesToList())
                .extracting(r -> r.getReason())
                .containsExactly(RejectionReason.NEAR_DUPLICATE);
    }

    @Test
    void shouldWaitForALateSpecThenScreenTheSample() {
        raw.pipeInput("s-1", sample("s-1", "r-late", REVIEW, "positive"), NOW);
        assertThat(curated.isEmpty()).isTrue();

        specs.pipeInput("r-late", spec("r-late", null));
        clock.set(NOW.plusSeconds(2));
        driver.advanceWallClockTime(Duration.ofSeconds(2));

        assertThat(curated.readValue().getSampleId()).isEqualTo("s-1");
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void shouldScreenEveryParkedSampleOnceTheSpecArrives() {
        List<String> texts = List.of(
                "The battery lasts two days and the screen stays readable in bright sunlight.",
                "Shipping was slow, but the replacement lens arrived quickly and works perfectly.",
                "A gripping novel whose last chapter kept me reading until three in the morning.",
                "The blender is loud, yet it crushes ice in seconds and cleans up in a minute.",
                "Comfortable headphones with deep bass, although the case feels a little flimsy.");
        for (int i = 0; i < texts.size(); i++) {
            raw.pipeInput("s-" + i, sample("s-" + i, "r-late", texts.get(i), "positive"), NOW);
        }
        specs.pipeInput("r-late", spec("r-late", null));
        clock.set(NOW.plusSeconds(2));
        driver.advanceWallClockTime(Duration.ofSeconds(2));

        assertThat(curated.readValuesToList())
                .extracting(Sample::getSampleId)
                .containsExactlyInAnyOrder("s-0", "s-1", "s-2", "s-3", "s-4");
        assertThat(rejected.isEmpty()).isTrue();
    }

    @Test
    void shouldDeadLetterASampleWhoseSpecNeverArrives() {
        raw.pipeInput("s-1", sample("s-1", "r-missing", REVIEW, "positive"), NOW);

        clock.set(NOW.plusSeconds(61));
        driver.advanceWallClockTime(Duration.ofSeconds(61));

        DeadLetter letter = dlq.readValue();
        assertThat(letter.getReason()).isEqualTo("unknown_spec");
        assertThat(letter.getRequestId()).isEqualTo("r-missing");
        assertThat(letter.getSampleId()).isEqualTo("s-1");
        assertThat(letter.getSamples()).isEqualTo(1);
        assertThat(count("dead_lettered", "unknown_spec")).isEqualTo(1.0);
        assertThat(curated.isEmpty()).isTrue();
        assertThat(rejected.isEmpty()).isTrue();
    }

    @Test
    void shouldDeadLetterSamplesOfASpecWithInvalidCurationSettings() {
        specs.pipeInput(
                "r-bad",
                spec(
                        "r-bad",
                        CurationSettings.newBuilder()
                                .setRefusalPatterns(List.of("(unclosed"))
                                .build()));
        raw.pipeInput("s-1", sample("s-1", "r-bad", REVIEW, "positive"), NOW);

        DeadLetter letter = dlq.readValue();
        assertThat(letter.getReason()).isEqualTo("invalid_curation_settings");
        assertThat(letter.getMessage()).contains("curation.refusal_patterns").contains("(unclosed");
        assertThat(letter.getRequestId()).isEqualTo("r-bad");
        assertThat(letter.getSamples()).isEqualTo(1);
        assertThat(curated.isEmpty()).isTrue();
        assertThat(rejected.isEmpty()).isTrue();
    }

    @Test
    void shouldDeadLetterAnUndecodableSample() {
        TopologyTestSupport.rawInput(driver, Topics.SAMPLES_RAW)
                .pipeInput("s-x".getBytes(StandardCharsets.UTF_8), new byte[] {0, 0, 0});

        DeadLetter letter = dlq.readValue();
        assertThat(letter.getMessage()).contains("Truncated payload");
        assertThat(letter.getApp()).isEqualTo("synth-curator");
    }

    @Test
    void shouldGatherClaimsUntilTheLingerEndsThenDecideEverySample() {
        SynthConfig batching =
                TopologyTestSupport.config("synth-curator-batching", Map.of(CuratorConfig.DEDUP_HOLD_MS.key(), 0));
        SynthSerdes batchingSerdes = SynthSerdes.from(batching);
        try (TopologyTestDriver batched =
                TopologyTestSupport.driver(CuratorTopology.build(batching, clock, true), batching)) {
            TopologyTestSupport.input(batched, Topics.SPECS, batchingSerdes).pipeInput("r-1", spec("r-1", null));
            TestInputTopic<String, Sample> in = TopologyTestSupport.input(batched, Topics.SAMPLES_RAW, batchingSerdes);
            TestOutputTopic<String, Sample> out =
                    TopologyTestSupport.output(batched, Topics.SAMPLES_CURATED, batchingSerdes);
            TestOutputTopic<String, Rejection> dropped =
                    TopologyTestSupport.output(batched, Topics.SAMPLES_REJECTED, batchingSerdes);
            in.pipeInput("s-1", sample("s-1", "r-1", REVIEW, "positive"), NOW);
            in.pipeInput("s-2", sample("s-2", "r-1", REVIEW.replace("at home.", "at night."), "positive"), NOW);
            in.pipeInput("s-3", sample("s-3", "r-1", OTHER_REVIEW, "positive"), NOW);
            assertThat(out.isEmpty())
                    .as("claims wait for curator.claim.linger.ms")
                    .isTrue();

            // Votes of another round (claims made before a restart) decide nothing, however many.
            List<BandVote> stale = java.util.Collections.nCopies(16, new BandVote("s-1", null, "s-0", 1.0, null, null));
            batched.createInputTopic(
                            CuratorTopology.votesTopic("synth-curator-batching"),
                            org.apache.kafka.common.serialization.Serdes.String()
                                    .serializer(),
                            batchingSerdes.valueSerde(VoteBatch.class).serializer())
                    .pipeInput("0", new VoteBatch(0, 42L, stale));
            assertThat(dropped.isEmpty()).isTrue();
            assertThat(out.isEmpty()).isTrue();

            batched.advanceWallClockTime(Duration.ofMillis(20));

            assertThat(out.readValuesToList()).extracting(Sample::getSampleId).containsExactly("s-1", "s-3");
            assertThat(dropped.readValuesToList())
                    .extracting(Rejection::getSampleId, Rejection::getReason, Rejection::getDupOf)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("s-2", RejectionReason.NEAR_DUPLICATE, "s-1"));
        }
    }

    @Test
    void shouldNameEveryNode() {
        TopologyTestSupport.assertNoGeneratedNames(CuratorTopology.build(config, clock, true));
    }
}
