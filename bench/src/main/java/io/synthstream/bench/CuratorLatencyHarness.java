package io.synthstream.bench;

import io.synthstream.common.app.StreamsApp;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.topics.TopicAdmin;
import io.synthstream.common.topics.Topics;
import io.synthstream.curator.topology.CuratorTopology;
import io.synthstream.local.EmbeddedKafka;
import io.synthstream.local.EmbeddedPlatform;
import io.synthstream.schemas.serde.SpecificAvroSerializer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;

/**
 * What a sample waits for its curation decision in a paced feed: raw samples are published at a
 * steady rate (every tenth repeats the text of the sample five before it, so it waits for that
 * sample's fate), and a read_committed consumer of the curated and rejected topics notes when
 * each decision becomes visible. Each mode runs on a platform of its own, one after the other:
 * the default settings, then {@code curator.dedup.hold.ms=0} with {@code
 * curator.dedup.fate.wait.ms=0} (decisions on arrival, nobody waits for a fate: the design
 * before order-independent dedup). Prints p50/p95/p99/max per mode, for all samples and for the
 * copies.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.synthstream.bench.CuratorLatencyHarness
 * [samples] [per-second]} (defaults 1500 and 150).
 */
public final class CuratorLatencyHarness {
    private static final int PARTITIONS = 6;
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private CuratorLatencyHarness() {}

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 1_500;
        int perSecond = args.length > 1 ? Integer.parseInt(args[1]) : 150;
        Map<String, Map<String, Object>> modes = new java.util.LinkedHashMap<>();
        modes.put("defaults (hold 1 s, fates)", Map.of());
        modes.put("hold 0, no fate wait", Map.of("curator.dedup.hold.ms", 0, "curator.dedup.fate.wait.ms", 0));
        System.out.printf(
                Locale.ROOT, "%,d samples at %d/s, 10 %% exact copies of the sample five before%n", samples, perSecond);
        for (Map.Entry<String, Map<String, Object>> mode : modes.entrySet()) {
            run(mode.getKey(), mode.getValue(), samples, perSecond);
        }
    }

    private static void run(String name, Map<String, Object> settings, int samples, int perSecond) throws Exception {
        Path stateDir = Files.createTempDirectory("synth-bench-latency");
        try (EmbeddedPlatform platform = EmbeddedPlatform.ephemeral()) {
            EmbeddedKafka kafka = platform.kafka();
            Map<String, Object> props =
                    CuratorThroughputHarness.platformProps(kafka, platform, "bench-latency", stateDir);
            props.putAll(settings);
            SynthConfig config = new SynthConfig(SynthConfig.baseDefinition(), props);
            SynthSerdes serdes = SynthSerdes.from(config);
            TopicAdmin.ensureTopics(kafka.admin(), Topics.ALL, PARTITIONS, Optional.empty());
            TopicAdmin.ensureTopics(kafka.admin(), CuratorTopology.topics(config), PARTITIONS, Optional.empty());
            List<String> texts = TextCorpus.texts(11, samples, 400);
            Map<String, Long> sentAt = new ConcurrentHashMap<>();
            Map<String, Long> latency = new HashMap<>();
            StreamsApp app = StreamsApp.start(config, CuratorTopology.build(config), List.of());
            try (KafkaConsumer<byte[], byte[]> decisions = CuratorThroughputHarness.counter(
                            kafka, List.of(Topics.SAMPLES_CURATED.name(), Topics.SAMPLES_REJECTED.name()));
                    KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(
                            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                            Topics.SAMPLES_RAW.keySerde().serializer(),
                            new SpecificAvroSerializer<SpecificRecord>(serdes.registry(), true))) {
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (app.state() != KafkaStreams.State.RUNNING) {
                    CuratorThroughputHarness.check(deadline, "RUNNING");
                    Thread.sleep(10);
                }
                producer.send(new ProducerRecord<>(Topics.SPECS.name(), "r-bench", CuratorThroughputHarness.spec()));
                producer.flush();
                Thread.sleep(2_000); // the global spec table catches up
                long start = System.nanoTime();
                int sent = 0;
                while (latency.size() < samples) {
                    CuratorThroughputHarness.check(deadline, latency.size() + " of " + samples + " decisions");
                    long due = Math.min(samples, (System.nanoTime() - start) * perSecond / 1_000_000_000L + 1);
                    for (; sent < due; sent++) {
                        String id = "s-" + sent;
                        String text = sent % 10 == 9 ? texts.get(sent - 5) : texts.get(sent);
                        sentAt.put(id, System.nanoTime());
                        producer.send(new ProducerRecord<>(
                                Topics.SAMPLES_RAW.name(), id, CuratorThroughputHarness.sample(id, text)));
                    }
                    for (ConsumerRecord<byte[], byte[]> decision : decisions.poll(Duration.ofMillis(5))) {
                        String id = new String(decision.key(), StandardCharsets.UTF_8);
                        Long at = sentAt.get(id);
                        if (at != null) {
                            latency.putIfAbsent(id, System.nanoTime() - at);
                        }
                    }
                }
            } finally {
                app.close();
            }
            print(name, latency);
        }
    }

    private static void print(String name, Map<String, Long> latency) {
        List<Long> all = new ArrayList<>(latency.values());
        List<Long> copies = new ArrayList<>();
        latency.forEach((id, nanos) -> {
            if (Integer.parseInt(id.substring(2)) % 10 == 9) {
                copies.add(nanos);
            }
        });
        System.out.printf(Locale.ROOT, "%-28s all    %s%n", name, percentiles(all));
        System.out.printf(Locale.ROOT, "%-28s copies %s%n", "", percentiles(copies));
    }

    private static String percentiles(List<Long> nanos) {
        nanos.sort(null);
        return String.format(
                Locale.ROOT,
                "p50 %4d ms  p95 %4d ms  p99 %4d ms  max %4d ms  (%d)",
                at(nanos, 0.50),
                at(nanos, 0.95),
                at(nanos, 0.99),
                nanos.get(nanos.size() - 1) / 1_000_000,
                nanos.size());
    }

    private static long at(List<Long> sorted, double quantile) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(quantile * sorted.size()))) / 1_000_000;
    }
}
