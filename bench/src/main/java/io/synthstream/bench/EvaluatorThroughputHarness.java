package io.synthstream.bench;

import io.synthstream.common.app.StreamsApp;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.topics.TopicAdmin;
import io.synthstream.common.topics.Topics;
import io.synthstream.embedding.Embeddings;
import io.synthstream.evaluator.config.EvaluatorConfig;
import io.synthstream.evaluator.topology.EvaluatorTopology;
import io.synthstream.local.EmbeddedKafka;
import io.synthstream.local.EmbeddedPlatform;
import io.synthstream.schemas.serde.SpecificAvroSerializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Evaluator throughput (curated samples in, scored samples out, per second) on the embedded
 * broker, exactly-once, one stream thread, 6 partitions: once without embeddings and once with
 * all-MiniLM-L6-v2 in-process, over the same input. The judge is off, so the figure is the
 * evaluator's own cost (the judge is bound by LLM latency, which the generator harness measures);
 * the whole topology runs: adherence, ledger, dataset stage, reports.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.synthstream.bench.EvaluatorThroughputHarness
 * [samples] [embedding threads]} (defaults 3000 and 1).
 */
public final class EvaluatorThroughputHarness {
    private static final int PARTITIONS = 6;
    private static final Duration TIMEOUT = Duration.ofMinutes(15);

    private EvaluatorThroughputHarness() {}

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 3_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        Path stateDir = Files.createTempDirectory("synth-bench-state");
        try (EmbeddedPlatform platform = EmbeddedPlatform.ephemeral()) {
            EmbeddedKafka kafka = platform.kafka();
            TopicAdmin.ensureTopics(kafka.admin(), Topics.ALL, PARTITIONS, Optional.empty());
            SynthConfig none = config(kafka, platform, "bench-eval-none", stateDir, "none", threads);
            SynthConfig minilm = config(kafka, platform, "bench-eval-minilm", stateDir, "minilm", threads);
            produce(kafka, SynthSerdes.from(none), samples);
            System.out.printf(Locale.ROOT, "produced %,d curated samples of about 400 bytes%n", samples);

            double without = run(kafka, none, samples);
            double with = run(kafka, minilm, samples);
            System.out.printf(
                    Locale.ROOT,
                    "evaluator without embeddings %,.0f samples/s; with MiniLM embeddings (%d thread%s) %,.0f"
                            + " samples/s; ratio %.3f%n",
                    without,
                    threads,
                    threads == 1 ? "" : "s",
                    with,
                    with / without);
        }
    }

    private static SynthConfig config(
            EmbeddedKafka kafka, EmbeddedPlatform registry, String app, Path state, String embeddings, int threads) {
        Map<String, Object> props = CuratorThroughputHarness.platformProps(kafka, registry, app, state);
        props.put(EvaluatorConfig.JUDGE_ENABLED.key(), false);
        props.put(EvaluatorConfig.EMBEDDINGS.key(), embeddings);
        props.put(EvaluatorConfig.EMBEDDING_THREADS.key(), threads);
        return new SynthConfig(EvaluatorConfig.definition(), props);
    }

    private static double run(EmbeddedKafka kafka, SynthConfig config, int samples) throws Exception {
        EvaluatorConfig evaluator = EvaluatorConfig.from(config);
        try (LlmRuntime runtime = LlmSettings.runtime(config);
                Embeddings embeddings = EvaluatorTopology.embeddings(evaluator, runtime);
                KafkaConsumer<byte[], byte[]> counter =
                        CuratorThroughputHarness.counter(kafka, List.of(Topics.SAMPLES_SCORED.name()))) {
            StreamsApp app =
                    StreamsApp.start(config, EvaluatorTopology.build(config, runtime, embeddings, false), List.of());
            try {
                return CuratorThroughputHarness.measure(app, counter, 0, samples, config.applicationId(), "samples/s");
            } finally {
                app.close();
            }
        }
    }

    private static void produce(EmbeddedKafka kafka, SynthSerdes serdes, int samples) {
        List<String> texts = TextCorpus.texts(11, samples, 400);
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers(),
                        ProducerConfig.LINGER_MS_CONFIG,
                        20),
                Topics.SAMPLES_CURATED.keySerde().serializer(),
                new SpecificAvroSerializer<SpecificRecord>(serdes.registry(), true))) {
            var spec = CuratorThroughputHarness.spec();
            spec.setCount(samples); // the ledger balances: every sample is curated
            List<ProducerRecord<String, SpecificRecord>> records = new java.util.ArrayList<>();
            records.add(new ProducerRecord<>(Topics.SPECS.name(), "r-bench", spec));
            for (int i = 0; i < samples; i++) {
                String id = "s-" + i;
                records.add(new ProducerRecord<>(
                        Topics.SAMPLES_CURATED.name(), id, CuratorThroughputHarness.sample(id, texts.get(i))));
            }
            InputWrites.sendAll(producer, records);
        }
    }
}
