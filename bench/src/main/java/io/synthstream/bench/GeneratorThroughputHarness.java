package io.synthstream.bench;

import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.SeedRecord;
import io.synthstream.common.app.StreamsApp;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.json.AvroJson;
import io.synthstream.common.llm.LlmProvider;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.common.streams.DecodingSource;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.topics.TopicSpec;
import io.synthstream.common.topics.Topics;
import io.synthstream.generator.config.GeneratorConfig;
import io.synthstream.generator.logic.Planner;
import io.synthstream.generator.logic.PromptBuilder;
import io.synthstream.generator.logic.StepPlan;
import io.synthstream.generator.topology.GeneratorTopology;
import io.synthstream.local.EmbeddedPlatform;
import io.synthstream.local.FakeOpenAiServer;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * Generator throughput against the fake OpenAI-compatible server with lognormal latency, as a
 * share of the Little's-law bound (in-flight limit / mean latency), side by side with a naive
 * topology that calls the same server synchronously inside {@code process()}. Both run on the
 * same embedded broker with exactly-once and one stream thread. The rate is taken from the 10th
 * to the last sample read (read_committed), so start-up does not count.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.synthstream.bench.GeneratorThroughputHarness
 * [samples] [inFlight] [medianMs] [sigma]} (defaults 4000, 64, 200, 0.5); {@code
 * -Dsynth.bench.keep=false} runs it without keeping replies on {@code synth.llm-responses}.
 */
public final class GeneratorThroughputHarness {
    private static final TopicSpec<String, ConditionTuple> NAIVE_IN = new TopicSpec<>(
            "bench.naive.conditions", Serdes.String(), ConditionTuple.class, false, "Naive harness input.");
    private static final String NAIVE_OUT = "bench.naive.samples";

    private GeneratorThroughputHarness() {}

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 4000;
        int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        long median = args.length > 2 ? Long.parseLong(args[2]) : 200;
        double sigma = args.length > 3 ? Double.parseDouble(args[3]) : 0.5;
        int naiveSamples = Math.max(20, Math.min(samples, 80));
        double meanLatencyMs = median * Math.exp(sigma * sigma / 2);
        double bound = inFlight / (meanLatencyMs / 1000);
        System.out.printf(
                Locale.ROOT,
                "Fake server latency lognormal(median %d ms, sigma %.2f): mean %.1f ms; in-flight limit %d;"
                        + " Little's-law bound %.1f samples/s%n",
                median,
                sigma,
                meanLatencyMs,
                inFlight,
                bound);
        try (EmbeddedPlatform platform = EmbeddedPlatform.ephemeral();
                FakeOpenAiServer server = FakeOpenAiServer.start(
                        FakeOpenAiServer.Settings.instant().withLatency(Duration.ofMillis(median), sigma), 0)) {
            Map<String, Object> props = new HashMap<>();
            props.put(SynthConfig.BOOTSTRAP_SERVERS.key(), platform.bootstrapServers());
            props.put(SynthConfig.SCHEMA_REGISTRY_URL.key(), platform.registryUrl());
            props.put(SynthConfig.HTTP_PORT.key(), -1);
            props.put(
                    SynthConfig.STATE_DIR.key(),
                    Files.createTempDirectory("synth-bench-gen").toString());
            props.put(LlmSettings.BASE_URL.key(), server.baseUrl());
            props.put(LlmSettings.MODEL.key(), "fake-model");
            props.put(LlmSettings.MAX_IN_FLIGHT.key(), inFlight);
            props.put(LlmSettings.TIMEOUT_MS.key(), 30_000L);
            // -Dsynth.bench.keep=false: replies not kept on synth.llm-responses, to measure what keeping costs
            props.put(
                    LlmSettings.KEEP_RESPONSES.key(),
                    Boolean.parseBoolean(System.getProperty("synth.bench.keep", "true")));
            // The generator runs alone here: no evaluator keeps the ledger that paces planning.
            props.put(GeneratorConfig.PLAN_AHEAD.key(), 0);

            props.put(SynthConfig.APPLICATION_ID.key(), "bench-generator");
            SynthConfig config = new SynthConfig(GeneratorConfig.definition(), props);
            double async;
            double seeded;
            try (LlmRuntime runtime = LlmSettings.runtime(config);
                    StreamsApp app = StreamsApp.start(
                            config, GeneratorTopology.build(config, runtime, false), GeneratorTopology.TOPICS)) {
                submit(platform, request("bench-async", samples));
                async = rate(platform, Topics.SAMPLES_RAW.name(), 0, samples);
                // The same app and runtime, side by side: a seeded request, one sample per seed.
                publishSeeds(platform, config, "bench-seeded", samples);
                submit(platform, seededRequest("bench-seeded", samples));
                seeded = rate(platform, Topics.SAMPLES_RAW.name(), samples, samples);
            }

            props.put(SynthConfig.APPLICATION_ID.key(), "bench-naive");
            SynthConfig naiveConfig = new SynthConfig(GeneratorConfig.definition(), props);
            GenerationRequest naiveRequest = AvroJson.read(
                    new com.fasterxml.jackson.databind.ObjectMapper().readTree(request("bench-naive", naiveSamples)),
                    GenerationRequest.class);
            double naive;
            try (LlmProvider provider = LlmSettings.provider(naiveConfig);
                    StreamsApp app = StreamsApp.start(
                            naiveConfig,
                            naive(naiveConfig, provider, naiveRequest),
                            List.of(
                                    NAIVE_IN,
                                    new TopicSpec<>(
                                            NAIVE_OUT,
                                            Serdes.String(),
                                            String.class,
                                            false,
                                            "Naive harness output.")))) {
                produceConditions(platform, naiveConfig, naiveRequest);
                naive = rate(platform, NAIVE_OUT, 0, naiveSamples);
            }
            System.out.printf(
                    Locale.ROOT,
                    "async pending-store runtime: %.1f samples/s = %.2f of the bound (%d samples)%n",
                    async,
                    async / bound,
                    samples);
            System.out.printf(
                    Locale.ROOT,
                    "naive synchronous call in process(): %.1f samples/s = %.3f of the bound (%d samples)%n",
                    naive,
                    naive / bound,
                    naiveSamples);
            System.out.printf(Locale.ROOT, "async / naive: %.1fx%n", async / naive);
            System.out.printf(
                    Locale.ROOT,
                    "seeded request (%d seeds on synth.seeds, 1 sample each): %.1f samples/s = %.2f of the bound;"
                            + " seeded / unseeded: %.2f%n",
                    samples,
                    seeded,
                    seeded / bound,
                    seeded / async);
        }
    }

    /** The naive baseline: the same prompt, one blocking call per record on the stream thread. */
    private static Topology naive(SynthConfig config, LlmProvider provider, GenerationRequest spec) {
        SynthSerdes serdes = SynthSerdes.from(config);
        List<StepPlan> steps = StepPlan.of(spec);
        StreamsBuilder builder = new StreamsBuilder();
        DecodingSource.stream(builder, NAIVE_IN, serdes, config.applicationId())
                .mapValues(
                        (key, condition) -> {
                            LlmRequest request = PromptBuilder.build(
                                    spec, condition, steps, 0, Map.of(), provider.structuredOutput(), key);
                            return provider.complete(request, Duration.ofSeconds(30))
                                    .join()
                                    .content();
                        },
                        Named.as("naive-call"))
                .to(NAIVE_OUT, Produced.with(Serdes.String(), Serdes.String()).withName("naive-write"));
        return builder.build();
    }

    private static String request(String id, int count) {
        return """
                {"request_id": "%s", "dataset": "bench", "created_at": 0,
                 "task": {"kind": "classification", "labels": ["positive", "negative"]},
                 "count": %d,
                 "attributes": [{"name": "product", "values": [{"value": "phone"}, {"value": "laptop"}]}]}
                """.formatted(id, count);
    }

    /** A request grounded in seeds published by {@link #publishSeeds}: one rewrite per seed. */
    private static String seededRequest(String id, int seeds) {
        return """
                {"request_id": "%s", "dataset": "bench", "created_at": 0,
                 "task": {"kind": "custom", "instruction_template": "Rewrite this review: {{ seed.text }}",
                          "output_fields": [{"name": "text", "type": "string"}]},
                 "count": %d, "model": {},
                 "seeds": {"source": "file", "file": "bench.jsonl", "expected": %d, "cross_attributes": false}}
                """.formatted(id, seeds, seeds);
    }

    /** {@code n} seeds of about 300 characters each on synth.seeds, as synth submit --seeds writes them. */
    private static void publishSeeds(EmbeddedPlatform platform, SynthConfig config, String requestId, int n) {
        SynthSerdes serdes = SynthSerdes.from(config);
        try (KafkaProducer<String, SeedRecord> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()),
                new StringSerializer(),
                serdes.value(Topics.SEEDS).serializer())) {
            List<String> texts = TextCorpus.texts(7, n, 300);
            List<ProducerRecord<String, SeedRecord>> records = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                String text = texts.get(i);
                records.add(new ProducerRecord<>(
                        Topics.SEEDS.name(),
                        requestId,
                        SeedRecord.newBuilder()
                                .setRequestId(requestId)
                                .setSeedId(Integer.toString(i + 1))
                                .setSource("file:bench.jsonl")
                                .setFields(Map.of("text", text))
                                .setCreatedAt(Instant.now())
                                .build()));
            }
            InputWrites.sendAll(producer, records);
        }
    }

    private static void submit(EmbeddedPlatform platform, String json) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()),
                new StringSerializer(),
                new StringSerializer())) {
            String id = json.substring(json.indexOf(": \"") + 3, json.indexOf("\","));
            producer.send(new ProducerRecord<>(Topics.REQUESTS_JSON.name(), id, json));
        }
    }

    private static void produceConditions(EmbeddedPlatform platform, SynthConfig config, GenerationRequest spec) {
        SynthSerdes serdes = SynthSerdes.from(config);
        try (KafkaProducer<String, ConditionTuple> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers()),
                new StringSerializer(),
                serdes.value(NAIVE_IN).serializer())) {
            List<ProducerRecord<String, ConditionTuple>> records = new java.util.ArrayList<>();
            for (long i = 0; i < spec.getCount(); i++) {
                ConditionTuple tuple = Planner.plan(spec, i, null, Instant.now());
                records.add(new ProducerRecord<>(NAIVE_IN.name(), tuple.getConditionId(), tuple));
            }
            InputWrites.sendAll(producer, records);
        }
    }

    /**
     * Samples/s between the 10th and the last of {@code expected} records after the first {@code
     * skip} (those of an earlier run on the topic), with progress output.
     */
    private static double rate(EmbeddedPlatform platform, String topic, int skip, int wanted) {
        int expected = skip + wanted;
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + topic + "-" + java.util.UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<Long> arrivals = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
        long lastReport = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (arrivals.size() < expected) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Timed out with " + arrivals.size() + " of " + expected);
                }
                for (ConsumerRecord<byte[], byte[]> ignored : consumer.poll(Duration.ofMillis(100))) {
                    arrivals.add(System.nanoTime());
                }
                if (System.nanoTime() - lastReport > 5_000_000_000L) {
                    lastReport = System.nanoTime();
                    System.out.printf("  %s: %d / %d%n", topic, arrivals.size(), expected);
                }
            }
        }
        int from = skip + Math.max(1, wanted / 10);
        double seconds = (arrivals.get(expected - 1) - arrivals.get(from - 1)) / 1e9;
        return (expected - from) / seconds;
    }
}
