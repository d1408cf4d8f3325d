package io.synthstream.bench;

import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.ScoredSample;
import io.synthstream.common.app.StreamsApp;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.common.llm.SimulatedContent;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigDef;

/**
 * What acting on quality costs and catches, on the whole embedded pipeline with the SIMULATOR
 * (figures are simulator results): a sentiment request for N accepted samples with planted
 * mislabelled and low-quality samples, run side by side with the judge on (gate on its score,
 * relabel from the judge first) and off (relabel from the MiniLM neighbours only). Per run it
 * prints relabel precision and recall against what was planted (the truth comes from {@link
 * SimulatedContent#planted} on the sample id, never from the record), how many planted
 * low-quality samples were accepted, planned vs accepted and surplus (over-generation), and the
 * time from generation ({@code Sample.created_at}) to acceptance ({@code accepted_at}) p50/p99,
 * with the ratio judge on / judge off.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.synthstream.bench.QualityHarness [count]
 * [mislabel rate] [low-quality rate]} (defaults 1000, 0.10, 0.10). The neighbours' levers:
 * {@code -Dsynth.bench.relabel.confidence=0.8} and {@code -Dsynth.bench.knn.k=10} (the request's
 * {@code quality.relabel_confidence} and {@code evaluation.knn_k}); {@code -Dsynth.bench.only=neighbours}
 * runs the judge-off half alone.
 */
public final class QualityHarness {
    private static final Duration TIMEOUT = Duration.ofMinutes(20);

    private QualityHarness() {}

    record Figures(
            int scored,
            int mislabelled,
            int relabeled,
            double precision,
            double recall,
            int lowPlanted,
            int lowAccepted,
            long planned,
            long accepted,
            long surplus,
            long p50,
            long p99,
            double seconds) {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        double mislabel = args.length > 1 ? Double.parseDouble(args[1]) : 0.10;
        double low = args.length > 2 ? Double.parseDouble(args[2]) : 0.10;
        SimulatedContent.Rates rates = new SimulatedContent.Rates(0, 0, 0, 0, mislabel, low);
        Path state = Files.createTempDirectory("synth-bench-quality");
        try (EmbeddedPlatform platform = EmbeddedPlatform.ephemeral()) {
            EmbeddedKafka kafka = platform.kafka();
            TopicAdmin.ensureTopics(kafka.admin(), Topics.ALL, 6, Optional.empty());
            Map<String, Object> sim =
                    Map.of(LlmSettings.SIM_MISLABEL_RATE.key(), mislabel, LlmSettings.SIM_LOW_QUALITY_RATE.key(), low);
            List<StreamsApp> apps = new ArrayList<>();
            try {
                SynthConfig generator = config(
                        GeneratorConfig.definition(), GeneratorApp.DEFAULTS, platform, "bench-q-gen", state, sim);
                SynthConfig curator =
                        config(CuratorConfig.definition(), CuratorApp.DEFAULTS, platform, "bench-q-cur", state, sim);
                SynthConfig evaluator = config(
                        EvaluatorConfig.definition(), EvaluatorApp.DEFAULTS, platform, "bench-q-eval", state, sim);
                apps.add(StreamsApp.start(
                        generator, owner -> GeneratorTopology.build(generator, owner), GeneratorTopology.TOPICS));
                apps.add(StreamsApp.start(curator, CuratorTopology.build(curator), CuratorTopology.topics(curator)));
                apps.add(StreamsApp.start(
                        evaluator, owner -> EvaluatorTopology.build(evaluator, owner), EvaluatorTopology.TOPICS));
                SynthSerdes serdes = SynthSerdes.from(evaluator);
                System.out.printf(
                        Locale.ROOT,
                        "SIMULATOR results: %d accepted sentiment samples wanted per run, %.0f %% mislabelled and"
                                + " %.0f %% low-quality planted%n",
                        count,
                        mislabel * 100,
                        low * 100);
                boolean both = !"neighbours".equals(System.getProperty("synth.bench.only"));
                // A warm-up request first (not measured): the first request of a JVM pays for class
                // loading, JIT and the embedding model's first calls, which would bias the run after it.
                run(kafka, serdes, rates, "q-warm-up", Math.min(count, 100), true);
                Figures off = run(kafka, serdes, rates, "q-neighbours", count, false);
                print("judge off", off);
                Figures on = both ? run(kafka, serdes, rates, "q-judge", count, true) : null;
                if (on != null) {
                    print("judge on ", on);
                }
                if (on == null) {
                    return;
                }
                System.out.printf(
                        Locale.ROOT,
                        "generation -> acceptance p50 ratio judge on / off %.2f, p99 ratio %.2f%n",
                        (double) on.p50() / Math.max(1, off.p50()),
                        (double) on.p99() / Math.max(1, off.p99()));
            } finally {
                for (int i = apps.size() - 1; i >= 0; i--) {
                    apps.get(i).close();
                }
            }
        }
    }

    private static void print(String name, Figures f) {
        System.out.printf(
                Locale.ROOT,
                "%s: %d scored; relabel precision %.3f recall %.3f (%d relabelled, %d planted mislabelled);"
                        + " planted low-quality accepted %d of %d; planned %d, accepted %d, surplus %d;"
                        + " generation -> acceptance p50 %d ms p99 %d ms; %.1f s%n",
                name,
                f.scored(),
                f.precision(),
                f.recall(),
                f.relabeled(),
                f.mislabelled(),
                f.lowAccepted(),
                f.lowPlanted(),
                f.planned(),
                f.accepted(),
                f.surplus(),
                f.p50(),
                f.p99(),
                f.seconds());
    }

    private static Figures run(
            EmbeddedKafka kafka, SynthSerdes serdes, SimulatedContent.Rates rates, String id, int count, boolean judge)
            throws Exception {
        String confidence = System.getProperty("synth.bench.relabel.confidence", "0.8");
        String k = System.getProperty("synth.bench.knn.k", "10");
        String quality = judge
                ? "{\"target\": \"accepted\", \"min_judge_score\": 3, \"relabel\": \"relabel\"}"
                : "{\"target\": \"accepted\", \"relabel\": \"relabel\", \"relabel_confidence\": " + confidence + "}";
        String request =
                SentimentRequest.json(id, count, "{\"judge_enabled\": " + judge + ", \"knn_k\": " + k + "}", quality);
        long start = System.nanoTime();
        SentimentRequest.submit(kafka.bootstrapServers(), id, request);
        RequestStatus done = awaitComplete(kafka, serdes, id, start);
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, ScoredSample> scored = new HashMap<>();
        TopicReads.read(kafka.bootstrapServers(), serdes, Topics.SAMPLES_SCORED, s -> {
            if (s != null && s.getSample().getRequestId().equals(id)) {
                scored.put(s.getSample().getSampleId(), s);
            }
        });
        List<Long> latencies = new ArrayList<>();
        List<Long> toScored = new ArrayList<>();
        List<String> accepted = new ArrayList<>();
        TopicReads.read(kafka.bootstrapServers(), serdes, Topics.DATASET, d -> {
            if (d != null && d.getRequestId().equals(id)) {
                accepted.add(d.getSampleId());
                long created = d.getScored().getSample().getCreatedAt().toEpochMilli();
                latencies.add(d.getAcceptedAt().toEpochMilli() - created);
                toScored.add(d.getScored().getScoredAt().toEpochMilli() - created);
            }
        });
        Collections.sort(toScored);
        System.out.printf(
                Locale.ROOT,
                "  %s: generation -> scored p50 %d ms p99 %d ms (the rest is the dataset stage and the ledger)%n",
                id,
                percentile(toScored, 0.5),
                percentile(toScored, 0.99));
        int mislabelled = 0;
        int relabeled = 0;
        int right = 0;
        for (ScoredSample s : scored.values()) {
            boolean planted = SimulatedContent.MISLABELLED.equals(
                    SimulatedContent.planted(s.getSample().getSampleId() + "/0", rates, true));
            boolean relabel = !"generated".equals(s.getQuality().getLabelSource());
            mislabelled += planted ? 1 : 0;
            relabeled += relabel ? 1 : 0;
            right += planted && relabel ? 1 : 0;
        }
        int lowPlanted = 0;
        for (String sampleId : scored.keySet()) {
            lowPlanted +=
                    SimulatedContent.LOW_QUALITY.equals(SimulatedContent.planted(sampleId + "/0", rates, true)) ? 1 : 0;
        }
        int lowAccepted = 0;
        for (String sampleId : accepted) {
            lowAccepted +=
                    SimulatedContent.LOW_QUALITY.equals(SimulatedContent.planted(sampleId + "/0", rates, true)) ? 1 : 0;
        }
        Collections.sort(latencies);
        return new Figures(
                scored.size(),
                mislabelled,
                relabeled,
                relabeled == 0 ? 0 : (double) right / relabeled,
                mislabelled == 0 ? 0 : (double) right / mislabelled,
                lowPlanted,
                lowAccepted,
                done.getPlanned(),
                done.getAccepted(),
                done.getSurplus(),
                percentile(latencies, 0.5),
                percentile(latencies, 0.99),
                seconds);
    }

    private static long percentile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    private static RequestStatus awaitComplete(EmbeddedKafka kafka, SynthSerdes serdes, String id, long start)
            throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        long lastPrint = 0;
        while (System.nanoTime() < deadline) {
            RequestStatus[] latest = new RequestStatus[1];
            TopicReads.read(kafka.bootstrapServers(), serdes, Topics.REQUEST_STATUS, s -> {
                if (s != null && s.getRequestId().equals(id)) {
                    latest[0] = s;
                }
            });
            if (latest[0] != null && latest[0].getComplete()) {
                return latest[0];
            }
            if (latest[0] != null && System.nanoTime() - lastPrint > 10e9) {
                lastPrint = System.nanoTime();
                System.out.printf(
                        Locale.ROOT,
                        "  %s: %.0f s, planned %d, accepted %d, in flight %d%n",
                        id,
                        (System.nanoTime() - start) / 1e9,
                        latest[0].getPlanned(),
                        latest[0].getAccepted(),
                        latest[0].getInFlight());
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException(id + " did not complete in " + TIMEOUT);
    }

    /** An app's config on the embedded platform, its state under {@code state}, with {@code sim} on top. */
    static SynthConfig config(
            ConfigDef definition,
            Map<String, Object> defaults,
            EmbeddedPlatform platform,
            String app,
            Path state,
            Map<String, Object> sim) {
        Map<String, Object> props = new HashMap<>(defaults);
        props.putAll(CuratorThroughputHarness.platformProps(platform.kafka(), platform, app, state));
        props.put(
                EvaluatorConfig.NATIVE_CACHE_DIR.key(), state.resolve("native").toString());
        props.put(
                CuratorConfig.EMBEDDING.nativeCacheDir().key(),
                state.resolve("native").toString());
        props.putAll(sim);
        return new SynthConfig(definition, props);
    }
}
