package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.Attribute;
import io.synthstream.avro.AttributeValue;
import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.DatasetReport;
import io.synthstream.avro.EvaluationSettings;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.ScoredSample;
import io.synthstream.avro.SteeringUpdate;
import io.synthstream.common.app.StreamsApp;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.testing.TopicReader;
import io.synthstream.common.topics.Topics;
import io.synthstream.curator.app.CuratorApp;
import io.synthstream.curator.topology.CuratorTopology;
import io.synthstream.evaluator.app.EvaluatorApp;
import io.synthstream.evaluator.config.EvaluatorConfig;
import io.synthstream.evaluator.topology.EvaluatorTopology;
import io.synthstream.generator.app.GeneratorApp;
import io.synthstream.generator.config.GeneratorConfig;
import io.synthstream.generator.topology.GeneratorTopology;
import io.synthstream.local.EmbeddedKafka;
import io.synthstream.local.EmbeddedPlatform;
import io.synthstream.schemas.TestRecords;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generator (simulated provider, with duplicates, refusals and malformed replies) → curator →
 * evaluator on one embedded cluster: every request's ledger completes and balances against what
 * the topics hold, the dataset reports carry every metric, and steering measurably shifts the
 * planner towards an attribute value the request starves.
 */
class EvaluatorPipelineIT {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    Path stateDir;

    @Test
    void shouldBalanceEveryLedgerReportEveryMetricAndSteerTheStarvedValue() throws Exception {
        try (EmbeddedPlatform platform = EmbeddedPlatform.ephemeral()) {
            EmbeddedKafka kafka = platform.kafka();
            SynthConfig generator = config(GeneratorApp.DEFAULTS, kafka, platform);
            SynthConfig curator = config(CuratorApp.DEFAULTS, kafka, platform);
            SynthConfig evaluator = config(EvaluatorApp.DEFAULTS, kafka, platform);
            SynthSerdes serdes = SynthSerdes.from(generator);

            try (StreamsApp g = StreamsApp.start(
                            generator, owner -> GeneratorTopology.build(generator, owner), GeneratorTopology.TOPICS);
                    StreamsApp c =
                            StreamsApp.start(curator, CuratorTopology.build(curator), CuratorTopology.topics(curator));
                    StreamsApp e = StreamsApp.start(
                            evaluator, owner -> EvaluatorTopology.build(evaluator, owner), EvaluatorTopology.TOPICS)) {
                GenerationRequest small = TestRecords.request("r-small");
                small.setCount(40);
                small.setDataset("reviews");
                GenerationRequest starved = starvedRequest("r-steer", 400);
                try (KafkaProducer<String, GenerationRequest> requests = new KafkaProducer<>(
                        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                        Topics.REQUESTS.keySerde().serializer(),
                        serdes.value(Topics.REQUESTS).serializer())) {
                    requests.send(new ProducerRecord<>(Topics.REQUESTS.name(), "r-small", small));
                    requests.send(new ProducerRecord<>(Topics.REQUESTS.name(), "r-steer", starved));
                }

                List<ConsumerRecord<String, RequestStatus>> statuses = read(
                        kafka,
                        Topics.REQUEST_STATUS.name(),
                        serdes.value(Topics.REQUEST_STATUS).deserializer(),
                        records -> latest(records, "r-small") != null
                                && latest(records, "r-small").getComplete()
                                && latest(records, "r-steer") != null
                                && latest(records, "r-steer").getComplete(),
                        Duration.ZERO);
                List<ConsumerRecord<String, ScoredSample>> scored = read(
                        kafka,
                        Topics.SAMPLES_SCORED.name(),
                        serdes.value(Topics.SAMPLES_SCORED).deserializer(),
                        records -> records.size()
                                >= latest(statuses, "r-small").getCurated()
                                        + latest(statuses, "r-steer").getCurated(),
                        Duration.ofSeconds(2));

                for (String id : List.of("r-small", "r-steer")) {
                    RequestStatus status = latest(statuses, id);
                    long scoredForRequest = scored.stream()
                            .filter(r -> r.value().getSample().getRequestId().equals(id))
                            .count();
                    assertThat(status.getCurated() + status.getRejected() + status.getFailed())
                            .as("ledger of %s balances", id)
                            .isEqualTo(status.getRequested());
                    assertThat(status.getCurated()).as("curated of %s", id).isEqualTo(scoredForRequest);
                    assertThat(status.getGenerated()).isEqualTo(status.getCurated() + status.getRejected());
                    assertThat(status.getRejectedByReason().values().stream()
                                    .mapToLong(Long::longValue)
                                    .sum())
                            .isEqualTo(status.getRejected());
                    assertThat(status.getPromptTokens()).isPositive();
                }
                for (String id : List.of("r-small", "r-steer")) {
                    List<Boolean> flags = statuses.stream()
                            .filter(r -> r.key().equals(id))
                            .map(r -> r.value().getComplete())
                            .toList();
                    assertThat(flags.subList(flags.indexOf(true), flags.size()))
                            .as("once complete, %s stays complete (later updates only add judged counts)", id)
                            .containsOnly(true);
                }
                // judged in the ledger = scored samples whose verdict was read (the rest are unjudged, not lost)
                Map<String, Long> judged = new HashMap<>();
                scored.forEach(r -> judged.merge(
                        r.value().getSample().getRequestId(),
                        "judged".equals(r.value().getFaithfulness().getStatus()) ? 1L : 0L,
                        Long::sum));
                List<ConsumerRecord<String, RequestStatus>> settled = read(
                        kafka,
                        Topics.REQUEST_STATUS.name(),
                        serdes.value(Topics.REQUEST_STATUS).deserializer(),
                        records -> judged.entrySet().stream()
                                .allMatch(j -> latest(records, j.getKey()) != null
                                        && latest(records, j.getKey()).getJudged() == j.getValue()),
                        Duration.ZERO);
                for (String id : List.of("r-small", "r-steer")) {
                    RequestStatus status = latest(settled, id);
                    assertThat(status.getJudged()).isBetween((long) (0.9 * status.getCurated()), status.getCurated());
                }
                assertThat(scored).allSatisfy(r -> {
                    assertThat(r.value().getFaithfulness()).isNotNull();
                    assertThat(r.value().getScoredAt()).isNotNull();
                });
                assertThat(scored.stream().filter(r -> r.value().getNovelty() != null))
                        .hasSizeGreaterThan(scored.size() / 2);

                List<ConsumerRecord<String, DatasetReport>> reports = read(
                        kafka,
                        Topics.REPORTS.name(),
                        serdes.value(Topics.REPORTS).deserializer(),
                        records -> records.stream()
                                .anyMatch(r -> r.key().equals("starved")
                                        && r.value().getCurated()
                                                == latest(statuses, "r-steer").getCurated()
                                        && r.value().getCumulative().getSamples()
                                                == latest(statuses, "r-steer").getCurated()),
                        Duration.ZERO);
                DatasetReport report = reports.stream()
                        .filter(r -> r.key().equals("starved"))
                        .reduce((a, b) -> b)
                        .orElseThrow()
                        .value();
                assertThat(report.getRequested()).isEqualTo(400);
                assertThat(report.getCumulative().getDistinct2()).isBetween(0.0, 1.0);
                assertThat(report.getCumulative().getVendiScore()).isGreaterThan(1.0);
                assertThat(report.getCumulative().getMeanPairwiseCosine()).isBetween(-1.0, 1.0);
                assertThat(report.getCumulative().getSelfBleu()).isBetween(0.0, 1.0);
                assertThat(report.getCumulative().getCompressionRatio()).isGreaterThan(1.0);
                assertThat(report.getRecent()).isNotNull();
                assertThat(report.getFaithfulness().getCount()).isPositive();

                List<ConsumerRecord<String, SteeringUpdate>> steering = read(
                        kafka,
                        Topics.STEERING.name(),
                        serdes.value(Topics.STEERING).deserializer(),
                        records -> records.stream().anyMatch(r -> r.key().equals("starved")),
                        Duration.ZERO);
                assertThat(steering.stream()
                                .filter(r -> r.key().equals("starved"))
                                .findFirst()
                                .orElseThrow()
                                .value()
                                .getAttributeWeights()
                                .get("topic")
                                .get("garden"))
                        .isGreaterThan(0.05);

                List<ConsumerRecord<String, ConditionTuple>> conditions = read(
                        kafka,
                        Topics.CONDITIONS.name(),
                        serdes.value(Topics.CONDITIONS).deserializer(),
                        records -> records.stream()
                                        .filter(r -> r.value().getRequestId().equals("r-steer"))
                                        .count()
                                >= 400,
                        Duration.ZERO);
                double before = share(conditions, false);
                double after = share(conditions, true);
                System.out.printf(
                        "Steering: share of the starved values (phones, garden) in planned conditions %.3f before"
                                + " the first update, %.3f after (%d / %d conditions steered)%n",
                        before,
                        after,
                        conditions.stream()
                                .filter(r -> r.value().getRequestId().equals("r-steer")
                                        && r.value().getSteeringVersion() != null)
                                .count(),
                        400);
                assertThat(after)
                        .as("steering shifts planning towards the starved values")
                        .isGreaterThan(2 * before);
                assertThat(List.of(g, c, e)).allMatch(StreamsApp::isHealthy);
            }
        }
    }

    /** A weighted request whose weights starve two of three topics; the evaluator wants 50 per cell. */
    private static GenerationRequest starvedRequest(String id, int count) {
        GenerationRequest r = TestRecords.request(id);
        r.setDataset("starved");
        r.setCount(count);
        r.setConditions(null);
        r.setSamplingMode("weighted");
        r.setSteps(List.of());
        r.getTask().setInstructionTemplate("Write a short review about {{ topic }}.");
        r.setChainOfThought(false);
        r.setDemonstrations(0);
        r.setAttributes(List.of(Attribute.newBuilder()
                .setName("topic")
                .setValues(List.of(
                        new AttributeValue("books", 0.9),
                        new AttributeValue("phones", 0.05),
                        new AttributeValue("garden", 0.05)))
                .build()));
        r.setEvaluation(EvaluationSettings.newBuilder().setTargetPerCell(50).build());
        return r;
    }

    private static double share(List<ConsumerRecord<String, ConditionTuple>> conditions, boolean steered) {
        List<ConditionTuple> subset = conditions.stream()
                .map(ConsumerRecord::value)
                .filter(c -> c.getRequestId().equals("r-steer") && (c.getSteeringVersion() != null) == steered)
                .toList();
        assertThat(subset)
                .as(steered ? "steered conditions" : "unsteered conditions")
                .isNotEmpty();
        return subset.stream()
                        .filter(c -> !c.getAttributes().get("topic").equals("books"))
                        .count()
                / (double) subset.size();
    }

    private static RequestStatus latest(List<ConsumerRecord<String, RequestStatus>> records, String id) {
        RequestStatus last = null;
        for (ConsumerRecord<String, RequestStatus> r : records) {
            if (r.key().equals(id)) {
                last = r.value();
            }
        }
        return last;
    }

    private static <V> List<ConsumerRecord<String, V>> read(
            EmbeddedKafka kafka,
            String topic,
            Deserializer<V> values,
            Predicate<List<ConsumerRecord<String, V>>> done,
            Duration settle) {
        return TopicReader.readUntil(
                kafka.bootstrapServers(), topic, new StringDeserializer(), values, done, TIMEOUT, settle);
    }

    private SynthConfig config(Map<String, Object> defaults, EmbeddedKafka kafka, EmbeddedPlatform registry) {
        Map<String, Object> props = new HashMap<>(defaults);
        props.put(SynthConfig.BOOTSTRAP_SERVERS.key(), kafka.bootstrapServers());
        props.put(SynthConfig.SCHEMA_REGISTRY_URL.key(), registry.registryUrl());
        props.put(SynthConfig.STATE_DIR.key(), stateDir.toString());
        props.put(SynthConfig.HTTP_PORT.key(), 0);
        props.put(SynthConfig.HTTP_HOST.key(), "127.0.0.1");
        props.put(SynthConfig.TOPIC_PARTITIONS.key(), 3);
        // A slow-ish simulator with few calls in flight, so that planning is paced by completions
        // and the evaluator's steering arrives while most conditions are still to be planned.
        props.put(LlmSettings.SIM_LATENCY_MEDIAN_MS.key(), 40L);
        props.put(LlmSettings.MAX_IN_FLIGHT.key(), 4);
        props.put(LlmSettings.SIM_DUPLICATE_RATE.key(), 0.05);
        props.put(LlmSettings.SIM_MALFORMED_RATE.key(), 0.02);
        // Planning at most 5 tuples per request per 50 ms tick (100/s) keeps the planner from running
        // far ahead of generation, so steering shapes most of the request.
        props.put(GeneratorConfig.PLAN_BATCH.key(), 5);
        props.put(EvaluatorConfig.REPORT_INTERVAL_MS.key(), 500L);
        props.put(EvaluatorConfig.STEERING_INTERVAL_MS.key(), 1000L);
        props.put(EvaluatorConfig.STEERING_MIN_SAMPLES.key(), 20);
        props.put(EvaluatorConfig.RECENT_SIZE.key(), 50);
        props.put(
                EvaluatorConfig.NATIVE_CACHE_DIR.key(),
                Path.of("target", "native-cache").toString());
        return new SynthConfig(GeneratorConfig.definition(), props);
    }
}
