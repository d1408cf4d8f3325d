package io.synthstream.bench;

import io.synthstream.avro.CurationSettings;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.GenerationTrace;
import io.synthstream.avro.ModelParams;
import io.synthstream.avro.Sample;
import io.synthstream.avro.TaskSpec;
import io.synthstream.common.app.StreamsApp;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.streams.DecodingSource;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.topics.Topics;
import io.synthstream.curator.topology.CuratorTopology;
import io.synthstream.embedding.MiniLmEmbedder;
import io.synthstream.local.EmbeddedKafka;
import io.synthstream.local.EmbeddedPlatform;
import io.synthstream.schemas.serde.SpecificAvroSerializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Produced;

/**
 * Records/s of the whole curator topology divided by records/s of a pass-through topology (decode
 * and copy), each on a fresh embedded broker, same input, same settings (exactly-once, one stream
 * thread, 6 partitions). Each app first works through {@code warm-up} samples untimed, so that the
 * JIT has compiled its paths (on 2 cores the compiler otherwise takes about half the CPU for the
 * first 20 s); once their outputs are committed the app is paused, the next {@code samples} are
 * written, and the clock runs from its resume until their outputs are committed, so it covers all
 * of their work. (Starting the clock at the warm-up's last output instead let the curator screen
 * timed samples ahead of its dedup decisions before the clock started.) With a warm-up of 0 all
 * the input is written first and the clock starts when the app is RUNNING. Each app also prints
 * its stream threads' process, punctuate, poll and commit ratios.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.synthstream.bench.CuratorThroughputHarness
 * [samples] [warm-up]} (defaults 20000 and 20000).
 *
 * <p>With {@code -Dsynth.bench.semantic=true} the request asks for semantic dedup, so the curator
 * embeds every sample with in-process MiniLM ({@code curator.embedding.threads}, default 1); the
 * harness then also embeds the timed texts with MiniLM alone on one thread in the same JVM, the
 * broker idle, and prints the embedding stage's records/s over that standalone bound (use a few
 * thousand samples and no warm-up: MiniLM does 30-120 texts/s here). The bench texts are random
 * letter strings, which all embed alike, so the threshold is 1: the buckets, claims and cosine
 * checks all run, but no claim waits for the fate of a near-identical vector, and the figure is the
 * embedding stage's, not that of a chain of semantic duplicates each waiting for the one before.
 *
 * <p>{@code -Dsynth.bench.dedup=exact} or {@code none} asks for exact dedup only, or none: the
 * curator's screening and framework without (part of) the dedup round trip, a bound on what any
 * change to the bucket owners can reach.
 *
 * <p>{@code -Dsynth.bench.inMemoryStores=true} builds the curator with in-memory stores (still
 * changelogged): how much RocksDB costs.
 */
public final class CuratorThroughputHarness {
    private static final int PARTITIONS = 6;
    private static final Duration TIMEOUT = Duration.ofMinutes(15);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);
    private static final boolean SEMANTIC = Boolean.getBoolean("synth.bench.semantic");
    /** An experiment: the curator's stores in memory (still changelogged) instead of RocksDB. */
    private static final boolean IN_MEMORY_STORES = Boolean.getBoolean("synth.bench.inMemoryStores");
    /**
     * Which dedup the request asks for: {@code all} (exact and near, the default), {@code exact}, or
     * {@code none}, which measures what screening and the framework cost with no dedup round trip.
     */
    private static final String DEDUP = System.getProperty("synth.bench.dedup", "all");

    private CuratorThroughputHarness() {}

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        Path stateDir = Files.createTempDirectory("synth-bench-state");
        List<String> texts = texts(warmup + samples);
        System.out.printf(
                Locale.ROOT,
                "%,d samples of about 400 bytes (%,d warm-up, %,d timed), each app on a fresh broker%n",
                warmup + samples,
                warmup,
                samples);
        // With semantic dedup the standalone embedding is the baseline, not the pass-through.
        double passThrough = SEMANTIC
                ? Double.NaN
                : onFreshPlatform(stateDir, "bench-passthrough", (platform, config) -> {
                    return run(platform.kafka(), config, passThrough(config), texts, warmup, samples);
                });
        double curator = onFreshPlatform(stateDir, "bench-curator", (platform, config) -> {
            Topology topology = IN_MEMORY_STORES
                    ? CuratorTopology.build(config, java.time.Clock.systemUTC(), true)
                    : CuratorTopology.build(config);
            double rate = run(platform.kafka(), config, topology, texts, warmup, samples);
            if (SEMANTIC) {
                printSemanticOutcomes(platform, SynthSerdes.from(config));
            }
            return rate;
        });
        if (!SEMANTIC) {
            System.out.printf(
                    Locale.ROOT,
                    "pass-through %,.0f records/s; curator %,.0f records/s; ratio %.3f%n",
                    passThrough,
                    curator,
                    curator / passThrough);
        } else {
            double alone = standaloneEmbedding(texts.subList(warmup, warmup + samples), stateDir.resolve("native"));
            System.out.printf(
                    Locale.ROOT,
                    "MiniLM alone on the timed texts, one thread: %,.0f texts/s; the curator's embedding stage"
                            + " %,.0f records/s: ratio %.3f%n",
                    alone,
                    curator,
                    curator / alone);
        }
    }

    /** One app's run on a platform of its own. */
    private interface AppRun {
        double run(EmbeddedPlatform platform, SynthConfig config) throws Exception;
    }

    /**
     * Runs {@code body} on a fresh embedded platform with the app's topics made, so that each app
     * sees the same input on a broker that holds nothing else.
     */
    private static double onFreshPlatform(Path stateDir, String app, AppRun body) throws Exception {
        try (EmbeddedPlatform platform = EmbeddedPlatform.ephemeral()) {
            SynthConfig config = config(platform.kafka(), platform, app, stateDir);
            io.synthstream.common.topics.TopicAdmin.ensureTopics(
                    platform.kafka().admin(), Topics.ALL, PARTITIONS, Optional.empty());
            io.synthstream.common.topics.TopicAdmin.ensureTopics(
                    platform.kafka().admin(), CuratorTopology.topics(config), PARTITIONS, Optional.empty());
            return body.run(platform, config);
        }
    }

    /** Prints the semantic_dedup marks of the curated samples and the rejections by reason. */
    private static void printSemanticOutcomes(EmbeddedPlatform platform, SynthSerdes serdes) {
        String bootstrap = platform.kafka().bootstrapServers();
        Map<String, Integer> marks = new java.util.TreeMap<>();
        TopicReads.read(bootstrap, serdes, Topics.SAMPLES_CURATED, sample -> {
            if (sample != null && sample.getCuration() != null) {
                marks.merge(String.valueOf(sample.getCuration().getSemanticDedup()), 1, Integer::sum);
            }
        });
        System.out.println("curated samples by semantic_dedup mark: " + marks);
        Map<String, Integer> reasons = new java.util.TreeMap<>();
        TopicReads.read(bootstrap, serdes, Topics.SAMPLES_REJECTED, rejection -> {
            if (rejection != null) {
                reasons.merge(
                        rejection.getReason().name()
                                + (rejection.getSimilarity() == null
                                        ? ""
                                        : String.format(Locale.ROOT, "@%.3f", rejection.getSimilarity())),
                        1,
                        Integer::sum);
            }
        });
        System.out.println("rejections by reason: " + reasons);
    }

    private static SynthConfig config(EmbeddedKafka kafka, EmbeddedPlatform registry, String app, Path state) {
        return new SynthConfig(SynthConfig.baseDefinition(), platformProps(kafka, registry, app, state));
    }

    /**
     * The settings every harness app needs on the embedded platform (no HTTP endpoint), plus any extra
     * Streams settings given as {@code -Dsynth.bench.streams=commit.interval.ms=1000,...}, and
     * SynthStream settings as {@code -Dsynth.bench.settings=curator.dedup.hold.ms=0,...}.
     */
    static Map<String, Object> platformProps(EmbeddedKafka kafka, EmbeddedPlatform registry, String app, Path state) {
        Map<String, Object> props = new HashMap<>();
        props.put(SynthConfig.APPLICATION_ID.key(), app);
        props.put(SynthConfig.BOOTSTRAP_SERVERS.key(), kafka.bootstrapServers());
        props.put(SynthConfig.SCHEMA_REGISTRY_URL.key(), registry.registryUrl());
        props.put(SynthConfig.STATE_DIR.key(), state.resolve(app).toString());
        props.put(SynthConfig.TOPIC_PARTITIONS.key(), PARTITIONS);
        props.put(SynthConfig.HTTP_PORT.key(), -1);
        for (String setting : System.getProperty("synth.bench.streams", "").split(",")) {
            if (setting.contains("=")) {
                String[] kv = setting.split("=", 2);
                props.put(SynthConfig.STREAMS_PREFIX + kv[0].strip(), kv[1].strip());
            }
        }
        for (String setting : System.getProperty("synth.bench.settings", "").split(",")) {
            if (setting.contains("=")) {
                String[] kv = setting.split("=", 2);
                props.put(kv[0].strip(), kv[1].strip());
            }
        }
        return props;
    }

    /** The baseline: decode each raw sample and copy it to the curated topic. */
    private static Topology passThrough(SynthConfig config) {
        SynthSerdes serdes = SynthSerdes.from(config);
        StreamsBuilder builder = new StreamsBuilder();
        DecodingSource.stream(builder, Topics.SAMPLES_RAW, serdes, config.applicationId())
                .to(
                        Topics.SAMPLES_CURATED.name(),
                        Produced.with(Topics.SAMPLES_CURATED.keySerde(), serdes.value(Topics.SAMPLES_CURATED))
                                .withName("copy"));
        return builder.build();
    }

    /**
     * Runs one app over the input and returns input records per second. With a warm-up, the app
     * first works through the warm-up samples, is paused once their outputs are all committed, and
     * the timed samples are written while it is paused; the clock starts when it resumes and stops
     * when the last timed output is committed, so it covers all of their work, whatever a stage
     * does before its outputs appear (the curator's dedup round trip screens ahead of its
     * decisions). Without a warm-up, all the input is written first and the clock starts when the
     * app is RUNNING.
     */
    private static double run(
            EmbeddedKafka kafka, SynthConfig config, Topology topology, List<String> texts, int warmup, int samples)
            throws Exception {
        SynthSerdes serdes = SynthSerdes.from(config);
        List<String> outputs = List.of(Topics.SAMPLES_CURATED.name(), Topics.SAMPLES_REJECTED.name());
        produce(kafka, serdes, texts, 0, warmup == 0 ? samples : warmup);
        try (KafkaConsumer<byte[], byte[]> counter = counter(kafka, outputs)) {
            StreamsApp app = StreamsApp.start(config, topology, List.of());
            try {
                if (warmup == 0) {
                    return measure(app, counter, 0, samples, config.applicationId(), "records/s");
                }
                awaitOutputs(app, counter, warmup, config.applicationId());
                app.streams().pause();
                produce(kafka, serdes, texts, warmup, warmup + samples);
                app.streams().resume();
                return measure(app, counter, 0, samples, config.applicationId(), "records/s");
            } finally {
                app.close();
            }
        }
    }

    /**
     * Waits until the app is RUNNING and at least {@code count} outputs are committed; returns how
     * many were counted (the last poll may bring more).
     */
    private static long awaitOutputs(StreamsApp app, KafkaConsumer<byte[], byte[]> counter, int count, String name)
            throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (app.state() != KafkaStreams.State.RUNNING) {
            check(deadline, "RUNNING");
            Thread.sleep(10);
        }
        long counted = 0;
        while (counted < count) {
            check(deadline, counted + " of " + count + " warm-up outputs of " + name);
            counted += counter.poll(Duration.ofMillis(5)).count();
        }
        return counted;
    }

    /**
     * Waits until {@code app} is RUNNING and has produced {@code warmup} outputs, then counts
     * outputs until {@code samples} more arrived; prints and returns inputs per second over those.
     */
    static double measure(
            StreamsApp app, KafkaConsumer<byte[], byte[]> counter, int warmup, int samples, String name, String unit)
            throws InterruptedException {
        long counted = awaitOutputs(app, counter, warmup, name);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        // Outputs past the warm-up that came with its last poll were made before the clock started.
        long started = System.nanoTime();
        long timedFrom = counted;
        long nextReport = started + PROGRESS_EVERY.toNanos();
        while (counted < warmup + samples) {
            check(deadline, (counted - warmup) + " of " + samples + " outputs");
            counted += counter.poll(Duration.ofMillis(100)).count();
            if (System.nanoTime() >= nextReport) {
                System.out.printf(
                        Locale.ROOT,
                        "  %s: %,d of %,d after %.1f s%n",
                        name,
                        counted - timedFrom,
                        samples,
                        (System.nanoTime() - started) / 1e9);
                nextReport += PROGRESS_EVERY.toNanos();
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long timed = counted - timedFrom;
        System.out.printf(
                Locale.ROOT, "%-18s %,d samples in %.2f s: %,.0f %s%n", name, timed, seconds, timed / seconds, unit);
        System.out.println("  " + name + " stream threads: " + threadRatios(app.streams()));
        return timed / seconds;
    }

    /**
     * Where the stream threads spent their time over the last metrics window (Kafka Streams'
     * {@code stream-thread-metrics}: the ratios of process, punctuate, poll and commit), so a run
     * shows whether a stage is bound by its work or by waits.
     */
    static Map<String, String> threadRatios(KafkaStreams streams) {
        Map<String, String> ratios = new java.util.TreeMap<>();
        streams.metrics().forEach((metricName, metric) -> {
            if (metricName.group().equals("stream-thread-metrics")
                    && metricName.name().endsWith("-ratio")) {
                ratios.merge(
                        metricName.name(),
                        String.format(Locale.ROOT, "%.2f", ((Number) metric.metricValue()).doubleValue()),
                        (a, b) -> a + "/" + b);
            }
        });
        return ratios;
    }

    /** A read_committed consumer of the outputs, positioned at their current ends. */
    static KafkaConsumer<byte[], byte[]> counter(EmbeddedKafka kafka, List<String> topics) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }

    /**
     * Texts/s of MiniLM alone, one thread, on {@code texts} (after embedding the first 100 untimed):
     * the standalone bound of an embedding stage with one embedding thread.
     */
    static double standaloneEmbedding(List<String> texts, Path cache) {
        try (MiniLmEmbedder model = MiniLmEmbedder.load(cache)) {
            texts.stream().limit(100).forEach(model::embed);
            long start = System.nanoTime();
            texts.forEach(model::embed);
            return texts.size() / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** The bench texts in order: every tenth repeats the text five before it, so dedup has work to do. */
    private static List<String> texts(int samples) {
        List<String> texts = TextCorpus.texts(7, samples, 400);
        List<String> sent = new ArrayList<>(samples);
        for (int i = 0; i < samples; i++) {
            sent.add(i % 10 == 9 ? texts.get(i - 5) : texts.get(i));
        }
        return sent;
    }

    /** Writes samples {@code from} (inclusive) to {@code to} (exclusive), and the spec with the first. */
    private static void produce(EmbeddedKafka kafka, SynthSerdes serdes, List<String> texts, int from, int to) {
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers(),
                        ProducerConfig.LINGER_MS_CONFIG,
                        20),
                Topics.SAMPLES_RAW.keySerde().serializer(),
                new SpecificAvroSerializer<SpecificRecord>(serdes.registry(), true))) {
            List<ProducerRecord<String, SpecificRecord>> records = new ArrayList<>();
            if (from == 0) {
                records.add(new ProducerRecord<>(Topics.SPECS.name(), "r-bench", spec()));
            }
            for (int i = from; i < to; i++) {
                String id = "s-" + i;
                records.add(new ProducerRecord<>(Topics.SAMPLES_RAW.name(), id, sample(id, texts.get(i))));
            }
            InputWrites.sendAll(producer, records);
        }
    }

    static GenerationRequest spec() {
        return GenerationRequest.newBuilder()
                .setRequestId("r-bench")
                .setDataset("bench")
                .setCreatedAt(Instant.now())
                .setTask(TaskSpec.newBuilder()
                        .setKind("classification")
                        .setLabels(List.of("positive", "negative"))
                        .build())
                .setCount(1)
                .setModel(ModelParams.newBuilder().build())
                .setCuration(
                        SEMANTIC
                                ? CurationSettings.newBuilder()
                                        .setSemanticDedup(true)
                                        .setSemanticThreshold(1.0)
                                        .build()
                                : DEDUP.equals("all")
                                        ? null
                                        : CurationSettings.newBuilder()
                                                .setNearDedup(false)
                                                .setExactDedup(DEDUP.equals("exact"))
                                                .build())
                .build();
    }

    static Sample sample(String id, String text) {
        return Sample.newBuilder()
                .setSampleId(id)
                .setRequestId("r-bench")
                .setDataset("bench")
                .setConditionId("c")
                .setConditionIndex(0)
                .setTaskKind("classification")
                .setFields(Map.of("text", text, "label", "positive"))
                .setTrace(GenerationTrace.newBuilder()
                        .setProvider("simulated")
                        .setModel("sim")
                        .setSimulated(true)
                        .setTemplateVersion("v1")
                        .build())
                .setCreatedAt(Instant.now())
                .build();
    }

    static void check(long deadline, String waitingFor) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("Timed out waiting for " + waitingFor);
        }
    }
}
