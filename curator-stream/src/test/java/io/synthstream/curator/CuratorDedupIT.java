package io.synthstream.curator;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Rejection;
import io.synthstream.avro.RejectionReason;
import io.synthstream.avro.Sample;
import io.synthstream.avro.TaskSpec;
import io.synthstream.common.app.StreamsApp;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.testing.TopicReader;
import io.synthstream.common.topics.Topics;
import io.synthstream.curator.app.CuratorApp;
import io.synthstream.curator.config.CuratorConfig;
import io.synthstream.curator.logic.BandBuckets;
import io.synthstream.curator.logic.CurationThresholds;
import io.synthstream.curator.logic.Jaccard;
import io.synthstream.curator.logic.MinHasher;
import io.synthstream.curator.processor.CuratorStores;
import io.synthstream.curator.topology.CuratorTopology;
import io.synthstream.local.EmbeddedKafka;
import io.synthstream.local.EmbeddedPlatform;
import io.synthstream.schemas.TestRecords;
import io.synthstream.schemas.serde.SpecificAvroSerializer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Global dedup on a real broker with 6 partitions: the same corpus with planted exact and near
 * duplicates is curated by one instance and, on a fresh cluster, by two instances of the app; the
 * curated sets must be equal, and near-duplicate detection is scored against exact-Jaccard ground
 * truth.
 */
class CuratorDedupIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int PARTITIONS = 6;
    private static final DedupCorpus CORPUS = new DedupCorpus(11, 240, 120, 20);
    /** Similarity from which a duplicate is clear of the LSH threshold region. */
    private static final double CLEAR_DUPLICATE = 0.85;

    @TempDir
    Path stateDir;

    /** What one run produced. */
    private record Result(Set<String> curated, Map<String, Rejection> rejected, Set<String> tasksPerInstance) {}

    @Test
    void shouldCurateTheSameSetWithOneOrTwoInstancesAndFindPlantedDuplicates() throws Exception {
        Result single = run(1);
        Result pair = run(2);

        assertThat(pair.tasksPerInstance()).as("both instances owned tasks").hasSize(2);
        assertThat(pair.curated()).isEqualTo(single.curated());
        assertThat(pair.rejected().keySet()).isEqualTo(single.rejected().keySet());

        double threshold = CurationThresholds.DEFAULTS.nearDupThreshold();
        Map<String, Double> truth = CORPUS.trueDuplicates(threshold);
        Set<String> predicted = pair.rejected().entrySet().stream()
                .filter(e -> e.getValue().getReason() == RejectionReason.EXACT_DUPLICATE
                        || e.getValue().getReason() == RejectionReason.NEAR_DUPLICATE)
                .map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
        Map<String, Double> clear = CORPUS.trueDuplicates(CLEAR_DUPLICATE);
        long truePositives = predicted.stream().filter(truth::containsKey).count();
        double precision = predicted.isEmpty() ? 1.0 : (double) truePositives / predicted.size();
        double recall = truth.isEmpty() ? 1.0 : (double) truePositives / truth.size();
        double clearRecall = clear.isEmpty()
                ? 1.0
                : (double) clear.keySet().stream().filter(predicted::contains).count() / clear.size();
        System.out.printf(
                Locale.ROOT,
                "CURATOR DEDUP: %d originals, %d planted (%d true duplicates at Jaccard >= %.2f, %d at >= %.2f);"
                        + " curated %d, rejected %d; precision %.3f, recall %.3f (at >= %.2f: %.3f)%n",
                CORPUS.originals.size(),
                CORPUS.planted.size(),
                truth.size(),
                threshold,
                clear.size(),
                CLEAR_DUPLICATE,
                pair.curated().size(),
                pair.rejected().size(),
                precision,
                recall,
                CLEAR_DUPLICATE,
                clearRecall);
        for (DedupCorpus.Doc doc : CORPUS.planted) {
            boolean isTrue = truth.containsKey(doc.id());
            if (isTrue != predicted.contains(doc.id())) {
                System.out.printf(
                        Locale.ROOT,
                        "  miss: %s (%s) closest Jaccard %.3f, predicted %s%n",
                        doc.id(),
                        doc.kind(),
                        CORPUS.closestOriginal(doc).getValue(),
                        predicted.contains(doc.id()));
            }
        }
        // Near the threshold LSH finds a pair with probability 1 - (1 - J^8)^14 (0.77 at J = 0.75),
        // and the estimate has a standard error of about 0.04: misses there are expected.
        assertThat(precision).isGreaterThanOrEqualTo(0.9);
        assertThat(recall).isGreaterThanOrEqualTo(0.8);
        assertThat(clearRecall).isGreaterThanOrEqualTo(0.97);
        assertThat(single.curated())
                .containsAll(CORPUS.originals.stream().map(DedupCorpus.Doc::id).toList());
        for (Rejection rejection : pair.rejected().values()) {
            assertThat(rejection.getDupOf()).as(rejection.getSampleId()).startsWith("o-");
        }
    }

    /**
     * The whole corpus and its chains as one burst, shuffled so that a planted copy often comes
     * before its original, on partitions of its own: one instance twice and two instances twice
     * must decide every sample the same way (same fate, same {@code dup_of}), no two kept samples
     * may share a band key and pass the Jaccard check, and every {@code dup_of} must name a kept
     * sample (the chains' middle links test this). Record timestamps are the shuffled order, 1 ms
     * apart, so the earlier of two near duplicates is the one kept.
     */
    @Test
    void aBurstIsDecidedTheSameWayEveryTimeWithOneOrTwoInstances() throws Exception {
        List<DedupCorpus.Doc> burst = new ArrayList<>(CORPUS.originals);
        burst.addAll(CORPUS.planted);
        burst.addAll(CORPUS.chains);
        java.util.Collections.shuffle(burst, new java.util.Random(7));
        Map<String, String> first = null;
        for (int instances : new int[] {1, 1, 2, 2}) {
            Result result = run(instances, List.of(burst));
            Map<String, String> fates = new TreeMap<>();
            result.curated().forEach(id -> fates.put(id, "kept"));
            result.rejected().forEach((id, r) -> fates.put(id, r.getReason() + " of " + r.getDupOf()));
            assertThat(fates).as("every sample decided").hasSize(burst.size());
            assertNoKeptPairSharesABand(burst, result.curated());
            printScores("burst, " + instances + " instance(s)", burst, result);
            assertThat(result.rejected().values())
                    .filteredOn(r -> r.getDupOf() != null)
                    .allSatisfy(r -> assertThat(result.curated())
                            .as("the dup_of of %s", r.getSampleId())
                            .contains(r.getDupOf()));
            if (first == null) {
                first = fates;
            } else {
                Map<String, String> expected = first;
                List<String> differing = fates.keySet().stream()
                        .filter(id -> !fates.get(id).equals(expected.get(id)))
                        .map(id -> id + ": " + expected.get(id) + " / " + fates.get(id))
                        .toList();
                assertThat(differing)
                        .as(instances + " instance(s): decisions that differ from the first run")
                        .isEmpty();
            }
        }
    }

    /**
     * Semantic dedup decides a burst the same way with one and with two instances: the texts of the
     * paraphrase set ({@code paraphrases.tsv}: reworded pairs and hard negatives) in one shuffled
     * burst over 6 partitions, embedded by each instance's own MiniLM. Every rejection names a kept
     * sample, and no hard negative is rejected as a duplicate of the text it contradicts.
     */
    @Test
    void semanticDedupDecidesABurstTheSameWayWithOneOrTwoInstances() throws Exception {
        Map<String, DedupCorpus.Doc> byText = new java.util.LinkedHashMap<>();
        List<String[]> negatives = new ArrayList<>();
        for (String line : new String(
                        CuratorDedupIT.class
                                .getResourceAsStream("/paraphrases.tsv")
                                .readAllBytes(),
                        java.nio.charset.StandardCharsets.UTF_8)
                .split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            for (String text : new String[] {f[2], f[3]}) {
                byText.computeIfAbsent(text, t -> new DedupCorpus.Doc("p-" + byText.size(), t, f[1], null));
            }
            if (f[1].equals("neg")) {
                negatives.add(
                        new String[] {byText.get(f[2]).id(), byText.get(f[3]).id()});
            }
        }
        List<DedupCorpus.Doc> burst = new ArrayList<>(byText.values());
        java.util.Collections.shuffle(burst, new java.util.Random(5));
        GenerationRequest request = spec();
        request.setCuration(io.synthstream.avro.CurationSettings.newBuilder()
                .setSemanticDedup(true)
                .build());
        Map<String, String> first = null;
        for (int instances : new int[] {1, 2}) {
            Result result = run(instances, List.of(burst), request);
            Map<String, String> fates = new TreeMap<>();
            result.curated().forEach(id -> fates.put(id, "kept"));
            result.rejected().forEach((id, r) -> fates.put(id, r.getReason() + " of " + r.getDupOf()));
            assertThat(fates).as("every sample decided").hasSize(burst.size());
            System.out.printf(
                    "semantic burst, %d instance(s): %d texts, %d kept, %d rejected as semantic duplicates%n",
                    instances,
                    burst.size(),
                    result.curated().size(),
                    result.rejected().values().stream()
                            .filter(r -> r.getReason() == io.synthstream.avro.RejectionReason.SEMANTIC_DUPLICATE)
                            .count());
            assertThat(result.rejected().values())
                    .as("semantic rejections name a kept sample, with the cosine")
                    .isNotEmpty()
                    .allSatisfy(r -> {
                        assertThat(result.curated()).contains(r.getDupOf());
                        assertThat(r.getSimilarity()).isGreaterThanOrEqualTo(0.8);
                    });
            for (String[] pair : negatives) {
                assertThat(fates.get(pair[0]) + " / " + fates.get(pair[1]))
                        .as("hard negative pair %s", List.of(pair))
                        .doesNotContain("of " + pair[0])
                        .doesNotContain("of " + pair[1]);
            }
            if (first == null) {
                first = fates;
            } else {
                assertThat(fates).as("two instances decide as one did").isEqualTo(first);
            }
        }
    }

    /** Fails when two kept samples share a band key and their signatures pass the default threshold. */
    private static void assertNoKeptPairSharesABand(List<DedupCorpus.Doc> docs, Set<String> kept) {
        MinHasher minHasher = MinHasher.defaults();
        double threshold = CurationThresholds.DEFAULTS.nearDupThreshold();
        List<String> ids = new ArrayList<>();
        List<long[]> signatures = new ArrayList<>();
        List<Set<String>> bands = new ArrayList<>();
        for (DedupCorpus.Doc doc : docs) {
            if (kept.contains(doc.id())) {
                long[] signature = minHasher.signature(DedupCorpus.shingles(doc.text()));
                ids.add(doc.id());
                signatures.add(signature);
                bands.add(new java.util.HashSet<>(minHasher.bandKeys(signature)));
            }
        }
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            for (int j = i + 1; j < ids.size(); j++) {
                if (!java.util.Collections.disjoint(bands.get(i), bands.get(j))
                        && BandBuckets.similarity(
                                        BandBuckets.pack(signatures.get(i)), BandBuckets.pack(signatures.get(j)))
                                >= threshold) {
                    pairs.add(ids.get(i) + "~" + ids.get(j));
                }
            }
        }
        assertThat(pairs)
                .as("kept pairs that share a band and pass the Jaccard check")
                .isEmpty();
    }

    /**
     * Prints precision (rejections whose pair is truly similar) and recall (truly similar
     * original/copy pairs of which one was rejected) at two Jaccard levels, and how many
     * rejections name a sample that was itself rejected.
     */
    private static void printScores(String label, List<DedupCorpus.Doc> docs, Result result) {
        Map<String, String> texts = new HashMap<>();
        docs.forEach(doc -> texts.put(doc.id(), doc.text()));
        List<Rejection> duplicates = result.rejected().values().stream()
                .filter(r -> r.getReason() == RejectionReason.EXACT_DUPLICATE
                        || r.getReason() == RejectionReason.NEAR_DUPLICATE)
                .toList();
        StringBuilder line = new StringBuilder("CURATOR DEDUP " + label + ":");
        for (double level : new double[] {0.7, 0.85}) {
            long precise = duplicates.stream()
                    .filter(r -> Jaccard.exact(
                                    DedupCorpus.shingles(texts.get(r.getSampleId())),
                                    DedupCorpus.shingles(texts.get(r.getDupOf())))
                            >= Math.min(level, 0.5))
                    .count();
            int pairs = 0;
            int found = 0;
            for (DedupCorpus.Doc doc : CORPUS.planted) {
                double jaccard = Jaccard.exact(
                        DedupCorpus.shingles(doc.text()), DedupCorpus.shingles(texts.get(doc.sourceId())));
                if (jaccard >= level) {
                    pairs++;
                    if (!result.curated().contains(doc.id())
                            || !result.curated().contains(doc.sourceId())) {
                        found++;
                    }
                }
            }
            line.append(String.format(
                    Locale.ROOT,
                    " J>=%.2f: recall %d/%d = %.3f;",
                    level,
                    found,
                    pairs,
                    pairs == 0 ? 1.0 : (double) found / pairs));
            if (level == 0.7) {
                line.append(String.format(Locale.ROOT, " precision (pair J>=0.5) %d/%d;", precise, duplicates.size()));
            }
        }
        long namingRejected = duplicates.stream()
                .filter(r -> !result.curated().contains(r.getDupOf()))
                .count();
        line.append(" dup_of naming a rejected sample: ").append(namingRejected);
        System.out.println(line);
    }

    /**
     * The first instance screens every sample but never decides one: either its raw tasks never
     * send their claims (an hour's linger: the samples wait in curator-pending with their claims
     * lost), or its owner tasks hold the claims they received for a minute (in curator-held-claims).
     * It stops, and a second instance with fresh local state restores everything from the
     * changelogs, claims the waiting samples again, releases the held claims, and decides each
     * sample exactly once.
     */
    @ParameterizedTest
    @ValueSource(strings = {"origin", "owner"})
    void shouldDecideSamplesLeftWaitingByAStoppedInstanceExactlyOnce(String waitingAt) throws Exception {
        List<DedupCorpus.Doc> docs = new ArrayList<>(CORPUS.originals.subList(0, 80));
        CORPUS.planted.stream()
                .filter(doc -> doc.kind().equals("exact"))
                .filter(doc -> Integer.parseInt(doc.sourceId().substring(2)) < 80)
                .forEach(docs::add);
        try (EmbeddedPlatform platform = EmbeddedPlatform.ephemeral()) {
            EmbeddedKafka kafka = platform.kafka();
            SynthConfig holding = config(
                    kafka,
                    platform,
                    0,
                    waitingAt.equals("origin")
                            ? Map.of(
                                    CuratorConfig.CLAIM_LINGER_MS.key(),
                                    3_600_000L,
                                    CuratorConfig.CLAIM_BATCH_MAX.key(),
                                    1_000)
                            : Map.of(CuratorConfig.DEDUP_HOLD_MS.key(), 60_000L));
            SynthSerdes serdes = SynthSerdes.from(holding);
            StreamsApp first =
                    StreamsApp.start(holding, CuratorTopology.build(holding), CuratorTopology.topics(holding));
            try {
                awaitRunningWithTasks(List.of(first));
                produce(kafka, serdes, docs);
                awaitConsumed(kafka, holding.applicationId(), docs.size());
                if (waitingAt.equals("owner")) {
                    awaitRecords(kafka, holding.applicationId() + "-" + CuratorStores.HELD_CLAIMS + "-changelog");
                }
                assertThat(readIds(kafka, Topics.SAMPLES_CURATED.name(), serdes))
                        .isEmpty();
                assertThat(readIds(kafka, Topics.SAMPLES_REJECTED.name(), serdes))
                        .isEmpty();
            } finally {
                first.close();
            }

            SynthConfig resuming = config(kafka, platform, 1, Map.of());
            StreamsApp second =
                    StreamsApp.start(resuming, CuratorTopology.build(resuming), CuratorTopology.topics(resuming));
            try {
                awaitDecisions(kafka, serdes, docs.size());
            } finally {
                second.close();
            }
            List<String> curated = readKeys(kafka, Topics.SAMPLES_CURATED.name());
            List<ConsumerRecord<String, Rejection>> rejected = readRejected(kafka, serdes);
            List<String> decided = new ArrayList<>(curated);
            rejected.forEach(r -> decided.add(r.key()));
            assertThat(decided)
                    .as("every sample decided exactly once")
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(
                            docs.stream().map(DedupCorpus.Doc::id).toList());
            // One of each original and its restyled copy is kept (whichever claim reached the
            // exact bucket first), the other is rejected as its exact duplicate.
            Map<String, String> textOf = new HashMap<>();
            docs.forEach(doc -> textOf.put(doc.id(), doc.sourceId() == null ? doc.id() : doc.sourceId()));
            assertThat(curated).hasSize(80);
            assertThat(curated.stream().map(textOf::get).toList()).doesNotHaveDuplicates();
            for (ConsumerRecord<String, Rejection> rejection : rejected) {
                assertThat(rejection.value().getReason()).isEqualTo(RejectionReason.EXACT_DUPLICATE);
                assertThat(curated).contains(rejection.value().getDupOf());
                assertThat(textOf.get(rejection.value().getDupOf())).isEqualTo(textOf.get(rejection.key()));
            }
        }
    }

    /** The corpus as the paced test sends it: the originals, and once they are decided the planted ones. */
    private Result run(int instances) throws Exception {
        return run(instances, List.of(CORPUS.originals, CORPUS.planted));
    }

    /**
     * Curates the waves of docs on a fresh cluster with {@code instances} instances: each wave is
     * sent at once, stamped 1 ms apart in its order, and decided before the next one is sent.
     */
    private Result run(int instances, List<List<DedupCorpus.Doc>> waves) throws Exception {
        return run(instances, waves, spec());
    }

    private Result run(int instances, List<List<DedupCorpus.Doc>> waves, GenerationRequest request) throws Exception {
        try (EmbeddedPlatform platform = EmbeddedPlatform.ephemeral()) {
            EmbeddedKafka kafka = platform.kafka();
            List<StreamsApp> apps = new ArrayList<>();
            SynthSerdes serdes = null;
            try {
                for (int i = 0; i < instances; i++) {
                    SynthConfig config = config(kafka, platform, i);
                    serdes = SynthSerdes.from(config);
                    apps.add(StreamsApp.start(config, CuratorTopology.build(config), CuratorTopology.topics(config)));
                }
                awaitRunningWithTasks(apps);
                Set<String> tasksPerInstance = new TreeSet<>();
                for (StreamsApp app : apps) {
                    app.streams().metadataForLocalThreads().forEach(thread -> {
                        if (!thread.activeTasks().isEmpty()) {
                            tasksPerInstance.add(thread.threadName().replaceAll("-StreamThread.*", ""));
                        }
                    });
                }

                try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(
                        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                        Topics.SAMPLES_RAW.keySerde().serializer(),
                        new SpecificAvroSerializer<SpecificRecord>(serdes.registry(), true))) {
                    producer.send(new ProducerRecord<>(Topics.SPECS.name(), "r-it", request));
                    producer.flush();
                    int sent = 0;
                    long stamp = System.currentTimeMillis();
                    for (List<DedupCorpus.Doc> wave : waves) {
                        for (DedupCorpus.Doc doc : wave) {
                            producer.send(new ProducerRecord<>(
                                    Topics.SAMPLES_RAW.name(), null, stamp++, doc.id(), sample(doc)));
                        }
                        producer.flush();
                        sent += wave.size();
                        awaitDecisions(kafka, serdes, sent);
                    }
                }
                Map<String, Set<String>> decided = awaitDecisions(
                        kafka, serdes, waves.stream().mapToInt(List::size).sum());
                Map<String, Rejection> rejected = new HashMap<>();
                readRejected(kafka, serdes).forEach(r -> rejected.put(r.key(), r.value()));
                return new Result(decided.get("curated"), rejected, tasksPerInstance);
            } finally {
                apps.forEach(StreamsApp::close);
            }
        }
    }

    private SynthConfig config(EmbeddedKafka kafka, EmbeddedPlatform registry, int instance) {
        return config(kafka, registry, instance, Map.of());
    }

    private SynthConfig config(
            EmbeddedKafka kafka, EmbeddedPlatform registry, int instance, Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>(CuratorApp.DEFAULTS);
        props.putAll(overrides);
        props.put(SynthConfig.BOOTSTRAP_SERVERS.key(), kafka.bootstrapServers());
        props.put(SynthConfig.SCHEMA_REGISTRY_URL.key(), registry.registryUrl());
        props.put(
                SynthConfig.STATE_DIR.key(),
                stateDir.resolve(kafka.bootstrapServers().replace(':', '_') + "-" + instance)
                        .toString());
        props.put(SynthConfig.TOPIC_PARTITIONS.key(), PARTITIONS);
        props.put(SynthConfig.HTTP_PORT.key(), -1);
        return new SynthConfig(SynthConfig.baseDefinition(), props);
    }

    private static void produce(EmbeddedKafka kafka, SynthSerdes serdes, List<DedupCorpus.Doc> docs) {
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                Topics.SAMPLES_RAW.keySerde().serializer(),
                new SpecificAvroSerializer<SpecificRecord>(serdes.registry(), true))) {
            producer.send(new ProducerRecord<>(Topics.SPECS.name(), "r-it", spec()));
            for (DedupCorpus.Doc doc : docs) {
                producer.send(new ProducerRecord<>(Topics.SAMPLES_RAW.name(), doc.id(), sample(doc)));
            }
        }
    }

    /** Waits until a topic holds a committed record. */
    private static void awaitRecords(EmbeddedKafka kafka, String topic) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (readKeys(kafka, topic).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("nothing on " + topic + " after " + TIMEOUT);
            }
            Thread.sleep(200);
        }
    }

    /** Waits until the app has committed its consumption of {@code count} raw samples. */
    private static void awaitConsumed(EmbeddedKafka kafka, String applicationId, int count) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            long consumed = kafka
                    .admin()
                    .listConsumerGroupOffsets(applicationId)
                    .partitionsToOffsetAndMetadata()
                    .get()
                    .entrySet()
                    .stream()
                    .filter(e -> e.getKey().topic().equals(Topics.SAMPLES_RAW.name()) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset())
                    .sum();
            if (consumed >= count) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "only " + consumed + " of " + count + " raw samples consumed after " + TIMEOUT);
            }
            Thread.sleep(200);
        }
    }

    private static GenerationRequest spec() {
        GenerationRequest spec = TestRecords.request("r-it");
        spec.setDataset("it");
        spec.setTask(TaskSpec.newBuilder(spec.getTask())
                .setOutputFields(List.of())
                .setInstructionTemplate("Write a product review.")
                .build());
        spec.setExamples(List.of());
        spec.setCuration(null);
        return spec;
    }

    private static Sample sample(DedupCorpus.Doc doc) {
        Sample sample = TestRecords.sample(doc.id());
        sample.setRequestId("r-it");
        sample.setDataset("it");
        sample.setCuration(null);
        sample.setFields(Map.of("text", doc.text(), "label", "positive"));
        return sample;
    }

    private static void awaitRunningWithTasks(List<StreamsApp> apps) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            boolean ready = apps.stream()
                    .allMatch(app -> app.state() == KafkaStreams.State.RUNNING
                            && app.streams().metadataForLocalThreads().stream()
                                    .anyMatch(t -> !t.activeTasks().isEmpty()));
            if (ready) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("instances not running with tasks after " + TIMEOUT);
            }
            Thread.sleep(100);
        }
    }

    /** Waits until {@code count} samples are curated or rejected; returns the curated ids. */
    private static Map<String, Set<String>> awaitDecisions(EmbeddedKafka kafka, SynthSerdes serdes, int count)
            throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            Set<String> curated = readIds(kafka, Topics.SAMPLES_CURATED.name(), serdes);
            Set<String> rejected = readIds(kafka, Topics.SAMPLES_REJECTED.name(), serdes);
            if (curated.size() + rejected.size() >= count) {
                return Map.of("curated", curated, "rejected", rejected);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + (curated.size() + rejected.size()) + " of " + count
                        + " samples decided after " + TIMEOUT);
            }
            Thread.sleep(500);
        }
    }

    private static Set<String> readIds(EmbeddedKafka kafka, String topic, SynthSerdes serdes) {
        return new TreeSet<>(readKeys(kafka, topic));
    }

    /** Every key on a topic, repeats included. */
    private static List<String> readKeys(EmbeddedKafka kafka, String topic) {
        return TopicReader.readUntil(
                        kafka.bootstrapServers(),
                        topic,
                        new StringDeserializer(),
                        new StringDeserializer(),
                        records -> true,
                        Duration.ofSeconds(5),
                        Duration.ofMillis(700))
                .stream()
                .map(ConsumerRecord::key)
                .toList();
    }

    private static List<ConsumerRecord<String, Rejection>> readRejected(EmbeddedKafka kafka, SynthSerdes serdes) {
        return TopicReader.readUntil(
                kafka.bootstrapServers(),
                Topics.SAMPLES_REJECTED.name(),
                new StringDeserializer(),
                serdes.value(Topics.SAMPLES_REJECTED).deserializer(),
                records -> true,
                Duration.ofSeconds(5),
                Duration.ofSeconds(1));
    }
}
