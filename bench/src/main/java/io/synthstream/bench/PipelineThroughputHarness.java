package io.synthstream.bench;

import io.synthstream.avro.RequestStatus;
import io.synthstream.common.app.StreamsApp;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.topics.TopicAdmin;
import io.synthstream.common.topics.Topics;
import io.synthstream.curator.app.CuratorApp;
import io.synthstream.curator.config.CuratorConfig;
import io.synthstream.curator.topology.CuratorTopology;
import io.synthstream.evaluator.app.EvaluatorApp;
import io.synthstream.evaluator.config.EvaluatorConfig;
import io.synthstream.evaluator.topology.EvaluatorTopology;
import io.synthstream.generator.app.GeneratorApp;
import io.synthstream.generator.config.GeneratorConfig;
import io.synthstream.generator.topology.GeneratorTopology;
import io.synthstream.local.EmbeddedKafka;
import io.synthstream.local.EmbeddedPlatform;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * The whole pipeline, generator → curator → evaluator, on the embedded platform with the SIMULATOR
 * at zero latency (the model is never the bottleneck: figures are the pipeline's own, and
 * simulator results): one request of N sentiment samples, after an unmeasured warm-up request.
 * Prints samples/s end to end (planned samples over the time from submit to the ledger's {@code
 * complete}) and per stage (each stage's output records over the time between its first and its
 * last output, from the topics' end offsets sampled every 2 s), and, every {@link #LIVE_EVERY},
 * the live heap: the heap in use right after a full collection the harness asks for ({@code
 * System.gc()}, a pause of a few hundred ms a minute), so that a heap that grows with the dataset
 * shows. (The JVM's own "after the last GC" figure is no measure of it: with G1 the old
 * generation's figure changes only at a mixed or full collection, which a run may not have for
 * many minutes.) At the end it prints the size of every app's state directory. Everything (broker, registry, three apps) shares one JVM and 2 cores.
 *
 * <p>Run: {@code java -Xmx2g -cp bench/target/benchmarks.jar
 * io.synthstream.bench.PipelineThroughputHarness [samples] [embeddings: none|minilm] [semantic
 * dedup: true|false]} (defaults 20000, none, false). The embeddings are the evaluator's; semantic
 * dedup makes the curator embed (once, and the evaluator reuses the vector).
 */
public final class PipelineThroughputHarness {
    private static final Duration TIMEOUT = Duration.ofHours(3);
    private static final List<String> STAGES = List.of("generator", "curator", "evaluator", "dataset");
    private static final Duration LIVE_EVERY = Duration.ofSeconds(60);

    private PipelineThroughputHarness() {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        String embeddings = args.length > 1 ? args[1] : "none";
        boolean semantic = args.length > 2 && Boolean.parseBoolean(args[2]);
        Path state = Files.createTempDirectory("synth-bench-pipeline");
        try (EmbeddedPlatform platform = EmbeddedPlatform.ephemeral()) {
            EmbeddedKafka kafka = platform.kafka();
            TopicAdmin.ensureTopics(kafka.admin(), Topics.ALL, 6, Optional.empty());
            Map<String, Object> common = new HashMap<>();
            common.put(LlmSettings.SIM_LATENCY_MEDIAN_MS.key(), 0L);
            common.put(GeneratorConfig.MAX_COUNT.key(), Math.max(count, 1_000_000));
            common.put(EvaluatorConfig.EMBEDDINGS.key(), embeddings);
            List<StreamsApp> apps = new ArrayList<>();
            try {
                SynthConfig generator = QualityHarness.config(
                        GeneratorConfig.definition(), GeneratorApp.DEFAULTS, platform, "bench-p-gen", state, common);
                SynthConfig curator = QualityHarness.config(
                        CuratorConfig.definition(), CuratorApp.DEFAULTS, platform, "bench-p-cur", state, common);
                SynthConfig evaluator = QualityHarness.config(
                        EvaluatorConfig.definition(), EvaluatorApp.DEFAULTS, platform, "bench-p-eval", state, common);
                apps.add(StreamsApp.start(
                        generator, owner -> GeneratorTopology.build(generator, owner), GeneratorTopology.TOPICS));
                apps.add(StreamsApp.start(
                        curator, owner -> CuratorTopology.build(curator, owner), CuratorTopology.topics(curator)));
                apps.add(StreamsApp.start(
                        evaluator, owner -> EvaluatorTopology.build(evaluator, owner), EvaluatorTopology.TOPICS));
                SynthSerdes serdes = SynthSerdes.from(evaluator);
                System.out.printf(
                        Locale.ROOT,
                        "SIMULATOR at zero latency: %,d samples, evaluator embeddings %s, semantic dedup %s%n",
                        count,
                        embeddings,
                        semantic);
                run(kafka, serdes, "p-warm-up", Math.min(count, 500), semantic, false);
                double curatorRate = run(kafka, serdes, "p-measured", count, semantic, true);
                if (semantic) {
                    double alone = standaloneEmbedding(kafka, serdes, "p-measured", state.resolve("native"));
                    System.out.printf(
                            Locale.ROOT,
                            "curator's embedding stage %.0f samples/s vs MiniLM alone on the same texts, one thread,"
                                    + " nothing else running %.0f texts/s: ratio %.2f%n",
                            curatorRate,
                            alone,
                            curatorRate / alone);
                }
                try (Stream<Path> dirs = Files.list(state)) {
                    for (Path dir : dirs.sorted().toList()) {
                        System.out.printf(Locale.ROOT, "state %-14s %,8.1f MB%n", dir.getFileName(), size(dir) / 1e6);
                    }
                }
            } finally {
                for (int i = apps.size() - 1; i >= 0; i--) {
                    apps.get(i).close();
                }
            }
        }
    }

    /** Runs one request; returns the curator's records/s while it ran. */
    private static double run(
            EmbeddedKafka kafka, SynthSerdes serdes, String id, int count, boolean semantic, boolean print)
            throws Exception {
        String request = SentimentRequest.json(id, count, "{\"judge_enabled\": true}", "{}");
        if (semantic) {
            request = request.substring(0, request.lastIndexOf('}')) + ", \"curation\": {\"semantic_dedup\": true}}";
        }
        Admin admin = kafka.admin();
        long[] before = outputs(admin);
        long[] first = new long[STAGES.size()];
        long[] last = new long[STAGES.size()];
        long[] seen = before.clone();
        long start = System.nanoTime();
        SentimentRequest.submit(kafka.bootstrapServers(), id, request);
        long lastSample = 0;
        long lastLive = start;
        long live = print ? liveHeap() : 0;
        long liveMin = Long.MAX_VALUE;
        long liveMax = 0;
        long liveSamples = 0;
        RequestStatus done = null;
        while (System.nanoTime() - start < TIMEOUT.toNanos()) {
            Thread.sleep(2_000);
            long now = System.nanoTime();
            long[] out = outputs(admin);
            for (int s = 0; s < out.length; s++) {
                if (out[s] > seen[s]) {
                    if (first[s] == 0) {
                        first[s] = now;
                    }
                    last[s] = now;
                    seen[s] = out[s];
                }
            }
            if (print && now - lastLive >= LIVE_EVERY.toNanos()) {
                lastLive = now;
                live = liveHeap();
                if (out[0] - before[0] >= count / 10) { // past the first tenth: the apps are warm
                    liveMin = Math.min(liveMin, live);
                    liveMax = Math.max(liveMax, live);
                    liveSamples++;
                }
            }
            if (print && now - lastSample >= 10e9) {
                lastSample = now;
                System.out.printf(
                        Locale.ROOT,
                        "%6.0f s  raw %,9d  curated+rejected %,9d  scored %,9d  dataset %,9d  live heap %,6.0f MB%n",
                        (now - start) / 1e9,
                        out[0] - before[0],
                        out[1] - before[1],
                        out[2] - before[2],
                        out[3] - before[3],
                        live / 1e6);
            }
            if (out[2] - before[2] >= count * 0.9) { // nearly all scored: from now on, ask the ledger
                Optional<RequestStatus> status = status(kafka, serdes, id);
                if (status.isPresent() && status.get().getComplete()) {
                    done = status.get();
                    break;
                }
            }
        }
        if (done == null) {
            throw new IllegalStateException(id + " did not complete in " + TIMEOUT);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!print) {
            return 0;
        }
        long[] out = outputs(admin);
        System.out.printf(
                Locale.ROOT,
                "%s: planned %,d, accepted %,d in %.1f s: %.0f samples/s end to end%n",
                id,
                done.getPlanned(),
                done.getAccepted(),
                seconds,
                done.getPlanned() / seconds);
        for (int s = 0; s < STAGES.size(); s++) {
            double active = Math.max(2.0, (last[s] - first[s]) / 1e9);
            System.out.printf(
                    Locale.ROOT,
                    "  %-9s %,9d records, %.0f records/s while it ran (%.0f s)%n",
                    STAGES.get(s),
                    out[s] - before[s],
                    (out[s] - before[s]) / active,
                    active);
        }
        System.out.printf(
                Locale.ROOT,
                "  live heap every %d s past the first tenth of the samples: %,.0f to %,.0f MB (%d samples);"
                        + " at the end %,.0f MB%n",
                LIVE_EVERY.toSeconds(),
                liveSamples == 0 ? 0 : liveMin / 1e6,
                liveMax / 1e6,
                liveSamples,
                liveHeap() / 1e6);
        return (out[1] - before[1]) / Math.max(2.0, (last[1] - first[1]) / 1e9);
    }

    /**
     * Texts/s of MiniLM alone (one thread, as the curator's one embedding thread) on the texts of the
     * request's curated samples, once the pipeline is idle: the standalone bound of the stage.
     */
    private static double standaloneEmbedding(EmbeddedKafka kafka, SynthSerdes serdes, String id, Path cache) {
        List<String> texts = new ArrayList<>();
        TopicReads.read(kafka.bootstrapServers(), serdes, Topics.SAMPLES_CURATED, s -> {
            if (s != null && s.getRequestId().equals(id) && texts.size() < 2_000) {
                texts.add(s.getFields().get("text")); // the dedup text of a classification sample
            }
        });
        return CuratorThroughputHarness.standaloneEmbedding(texts, cache);
    }

    /** Records on each stage's output topics: raw; curated + rejected; scored; dataset. */
    private static long[] outputs(Admin admin) throws Exception {
        return new long[] {
            end(admin, Topics.SAMPLES_RAW.name()),
            end(admin, Topics.SAMPLES_CURATED.name()) + end(admin, Topics.SAMPLES_REJECTED.name()),
            end(admin, Topics.SAMPLES_SCORED.name()),
            end(admin, Topics.DATASET.name())
        };
    }

    private static long end(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < 6; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        return admin.listOffsets(latest).all().get().values().stream()
                .mapToLong(info -> info.offset())
                .sum();
    }

    private static Optional<RequestStatus> status(EmbeddedKafka kafka, SynthSerdes serdes, String id) {
        RequestStatus[] latest = new RequestStatus[1];
        TopicReads.read(kafka.bootstrapServers(), serdes, Topics.REQUEST_STATUS, s -> {
            if (s != null && s.getRequestId().equals(id)) {
                latest[0] = s;
            }
        });
        return Optional.ofNullable(latest[0]);
    }

    /** The heap in use right after a full collection: what the JVM's objects hold (everything in one JVM). */
    static long liveHeap() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
    }
}
