package io.synthstream.bench;

import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.RequestStatus;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.topics.TopicAdmin;
import io.synthstream.common.topics.Topics;
import io.synthstream.curator.app.CuratorApp;
import io.synthstream.evaluator.app.EvaluatorApp;
import io.synthstream.evaluator.logic.Ledger;
import io.synthstream.generator.app.GeneratorApp;
import io.synthstream.generator.logic.Ids;
import io.synthstream.local.EmbeddedKafkaCluster;
import io.synthstream.local.EmbeddedPlatform;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A request through generator → curator → evaluator on a three-broker cluster (replication 3,
 * {@code min.insync.replicas=2}) while it breaks: one broker's controlled shutdown, another
 * broker's {@code SIGKILL}, and a {@code kill -9} of one of two generator instances, each brought
 * back after {@link Options#downtime} as a supervisor would. Every broker and app instance is a JVM
 * of its own, so the kills are real; the apps run their production {@code main}s configured by
 * environment only; the LLM is the built-in SIMULATOR (its default rates plant duplicates, refusals
 * and broken replies; 429s and 503s are added). Then, from the topics alone, it checks that every
 * planned sample (derived from {@code synth.conditions}) has exactly one fate — {@code synth.dataset},
 * {@code synth.samples.rejected}, {@code synth.samples.scored} (rejected or surplus) or {@code
 * synth.dlq} — and that the ledger says the same, and prints one summary line.
 *
 * <p>Time to recover, per fault: the longest stretch in which the ledger on {@code
 * synth.request-status} (the pipeline's committed end) did not advance, in the 60 s after the fault
 * (or until the next one). A healthy pipeline advances it several times a second.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.synthstream.bench.BrokerFailureSoak [count]
 * [partitions] [accepted|planned]} (defaults 5000, 3 partitions, accepted: the generator tops up in
 * rounds until that many are accepted). {@code BrokerFailureSoakIT} runs 2000 planned samples.
 */
public final class BrokerFailureSoak {
    private static final Duration STALL_WINDOW = Duration.ofSeconds(60);
    private static final Duration APP_START = Duration.ofMinutes(3);

    private BrokerFailureSoak() {}

    /**
     * @param count accepted samples the request asks for
     * @param latencyMs the simulator's median reply latency
     * @param generatorInFlight LLM calls in flight per generator instance: with the latency, it sets
     *     the pace, which must leave the faults time to happen mid-stream
     * @param downtime how long a stopped broker or killed instance stays down
     * @param targetAccepted the request asks for {@code count} accepted samples (the generator tops
     *     up in rounds) instead of {@code count} planned ones
     * @param faultsAt the share of {@code count} reached when each fault starts (or, when the one
     *     before ends later, then)
     * @param staticMembership each app instance joins its group with a {@code group.instance.id} of
     *     its own, so a restarted one takes its partitions back without a rebalance
     */
    public record Options(
            int count,
            int partitions,
            int latencyMs,
            int generatorInFlight,
            Duration downtime,
            Duration timeout,
            boolean targetAccepted,
            boolean staticMembership,
            List<Double> faultsAt) {
        /** Faults early in the run (from 2 % of the target on), so that a short run still sees all three. */
        public static Options of(int count, int partitions, boolean targetAccepted) {
            return new Options(
                    count,
                    partitions,
                    200,
                    2,
                    Duration.ofSeconds(3),
                    Duration.ofMinutes(20),
                    targetAccepted,
                    false,
                    List.of(0.02, 0.10, 0.20));
        }

        /** The same with each app instance a static group member ({@code streams.group.instance.id}). */
        public Options withStaticMembership() {
            return new Options(
                    count, partitions, latencyMs, generatorInFlight, downtime, timeout, targetAccepted, true, faultsAt);
        }

        /** The same with the faults at these shares of the target (broker stop, broker kill, instance kill). */
        public Options withFaultsAt(double stop, double kill, double instance) {
            return new Options(
                    count,
                    partitions,
                    latencyMs,
                    generatorInFlight,
                    downtime,
                    timeout,
                    targetAccepted,
                    staticMembership,
                    List.of(stop, kill, instance));
        }

        String target() {
            return targetAccepted ? "accepted" : "planned";
        }
    }

    /** One fault: what, when (since the request was sent) and the ledger's longest stall after it. */
    public record Fault(String what, long atMillis, long stallMillis) {}

    /** What the topics and the ledger say once the request completed (or the time ran out). */
    public record Summary(
            String target,
            long requested,
            boolean complete,
            long planned,
            Map<String, Long> outcomes,
            long lost,
            long duplicated,
            long unplanned,
            List<String> ledgerDisagreements,
            List<Fault> faults,
            double seconds) {

        /** Every planned sample has exactly one fate, the ledger agrees, the target was met. */
        public boolean clean() {
            return complete
                    && lost == 0
                    && duplicated == 0
                    && unplanned == 0
                    && ledgerDisagreements.isEmpty()
                    && ("accepted".equals(target) ? outcomes.getOrDefault("accepted", 0L) : planned) == requested;
        }

        public String line() {
            return String.format(
                    Locale.ROOT,
                    "soak: requested %d %s, planned %d, %s | lost %d, duplicated %d, unplanned %d, %s | %s | %s in %.0f s",
                    requested,
                    target,
                    planned,
                    outcomes.entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue())
                            .collect(Collectors.joining(", ")),
                    lost,
                    duplicated,
                    unplanned,
                    ledgerDisagreements.isEmpty()
                            ? "ledger agrees"
                            : "ledger disagrees: " + String.join("; ", ledgerDisagreements),
                    faults.stream()
                            .map(f -> String.format(
                                    Locale.ROOT,
                                    "%s at %.0f s: recovered in %.1f s",
                                    f.what(),
                                    f.atMillis() / 1e3,
                                    f.stallMillis() / 1e3))
                            .collect(Collectors.joining(", ")),
                    complete ? "complete" : "NOT complete",
                    seconds);
        }
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int partitions = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        boolean accepted = args.length <= 2 || !"planned".equals(args[2]);
        Path dir = Files.createTempDirectory("synth-soak-");
        Options options = Options.of(count, partitions, accepted).withFaultsAt(0.10, 0.40, 0.70);
        Summary summary = run(
                Boolean.getBoolean("synth.soak.static") ? options.withStaticMembership() : options, dir, System.out);
        System.out.println(summary.line());
        System.exit(summary.clean() ? 0 : 1);
    }

    /** Runs the soak in {@code dir} (logs of every JVM stay there), printing progress to {@code out}. */
    public static Summary run(Options options, Path dir, PrintStream out) throws Exception {
        out.printf(
                Locale.ROOT,
                "SIMULATOR LLM: %d %s samples on 3 brokers (child JVMs), %d partitions, generator x2,"
                        + " curator, evaluator (child JVMs%s); logs in %s%n",
                options.count(),
                options.target(),
                options.partitions(),
                options.staticMembership() ? ", static members" : "",
                dir);
        try (EmbeddedPlatform platform = EmbeddedPlatform.start(EmbeddedKafkaCluster.startChildJvms(3))) {
            EmbeddedKafkaCluster cluster = platform.cluster();
            String bootstrap = platform.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                TopicAdmin.ensureTopics(admin, Topics.ALL, options.partitions(), Optional.empty());
            }
            Map<String, String> env = new HashMap<>(Map.of(
                    "SYNTH_BOOTSTRAP_SERVERS",
                    bootstrap,
                    "SYNTH_SCHEMA_REGISTRY_URL",
                    platform.registryUrl(),
                    "SYNTH_TOPIC_PARTITIONS",
                    String.valueOf(options.partitions()),
                    "SYNTH_EVALUATOR_EMBEDDINGS",
                    "none",
                    "SYNTH_LLM_SIM_LATENCY_MEDIAN_MS",
                    String.valueOf(options.latencyMs()),
                    "SYNTH_LLM_SIM_RATE_LIMIT_RATE",
                    "0.01",
                    "SYNTH_LLM_SIM_SERVER_ERROR_RATE",
                    "0.02"));
            Map<String, String> generatorEnv = new HashMap<>(env);
            generatorEnv.put("SYNTH_LLM_MAX_IN_FLIGHT", String.valueOf(options.generatorInFlight()));
            List<AppProcess> apps = List.of(
                    new AppProcess(
                            "generator-a", GeneratorApp.class, member(generatorEnv, "generator-a", options), dir),
                    new AppProcess(
                            "generator-b", GeneratorApp.class, member(generatorEnv, "generator-b", options), dir),
                    new AppProcess("curator", CuratorApp.class, member(env, "curator", options), dir),
                    new AppProcess("evaluator", EvaluatorApp.class, member(env, "evaluator", options), dir));
            SynthConfig client = new SynthConfig(
                    SynthConfig.baseDefinition(),
                    Map.of(
                            SynthConfig.BOOTSTRAP_SERVERS.key(),
                            bootstrap,
                            SynthConfig.SCHEMA_REGISTRY_URL.key(),
                            platform.registryUrl(),
                            SynthConfig.APPLICATION_ID.key(),
                            "bench-soak"));
            try (SynthSerdes serdes = SynthSerdes.from(client)) {
                apps.forEach(AppProcess::start);
                for (AppProcess app : apps) {
                    app.awaitRunning(APP_START);
                }
                out.println("apps RUNNING");
                return drive(options, cluster, apps, bootstrap, serdes, out);
            } finally {
                for (AppProcess app : apps) {
                    app.close();
                }
            }
        }
    }

    private static Map<String, String> member(Map<String, String> env, String instance, Options options) {
        Map<String, String> member = new HashMap<>(env);
        if (options.staticMembership()) {
            member.put("SYNTH_STREAMS_GROUP_INSTANCE_ID", instance);
        }
        return member;
    }

    private static Summary drive(
            Options options,
            EmbeddedKafkaCluster cluster,
            List<AppProcess> apps,
            String bootstrap,
            SynthSerdes serdes,
            PrintStream out)
            throws Exception {
        String id = "soak-" + Long.toHexString(System.nanoTime());
        try (LedgerWatch ledger = LedgerWatch.start(bootstrap, serdes, id);
                Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            long start = System.nanoTime();
            SentimentRequest.submit(
                    bootstrap,
                    id,
                    SentimentRequest.json(
                            id,
                            options.count(),
                            "{\"judge_enabled\": true}",
                            "{\"target\": \"" + options.target()
                                    + "\", \"min_judge_score\": 3, \"relabel\": \"relabel\"}"));
            List<Fault> faults = new ArrayList<>();
            List<Long> faultTimes = new ArrayList<>();
            List<Double> at = options.faultsAt();
            List<String> names = List.of("broker 1 controlled shutdown", "broker 2 SIGKILL", "generator-b kill -9");
            long deadline = start + options.timeout().toNanos();
            long lastPrint = 0;
            int next = 0;
            while (System.nanoTime() < deadline) {
                RequestStatus status = ledger.latest();
                if (status != null && status.getComplete()) {
                    break;
                }
                long accepted = status == null ? 0 : status.getAccepted();
                long progress = status == null ? 0 : options.targetAccepted() ? accepted : Ledger.accounted(status);
                if (next < at.size() && progress >= at.get(next) * options.count()) {
                    faultTimes.add(System.nanoTime());
                    out.printf(
                            Locale.ROOT,
                            "%5.1f s  fault: %s (accepted %d)%n",
                            (System.nanoTime() - start) / 1e9,
                            names.get(next),
                            accepted);
                    inject(next, cluster, apps.get(1), options.downtime(), start, out);
                    next++;
                    continue;
                }
                if (System.nanoTime() - lastPrint > 5e9 && status != null) {
                    lastPrint = System.nanoTime();
                    out.printf(
                            Locale.ROOT,
                            "%5.1f s  planned %d, accepted %d, in flight %d; records raw %s, curated %s, scored %s%n",
                            (System.nanoTime() - start) / 1e9,
                            status.getPlanned(),
                            status.getAccepted(),
                            status.getInFlight(),
                            committed(admin, Topics.SAMPLES_RAW.name()),
                            committed(admin, Topics.SAMPLES_CURATED.name()),
                            committed(admin, Topics.SAMPLES_SCORED.name()));
                }
                Thread.sleep(100);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            List<long[]> advances = ledger.advances();
            long end = System.nanoTime();
            for (int i = 0; i < faultTimes.size(); i++) {
                long from = faultTimes.get(i);
                long until = Math.min(
                        Math.min(from + STALL_WINDOW.toNanos(), end),
                        i + 1 < faultTimes.size() ? faultTimes.get(i + 1) : Long.MAX_VALUE);
                faults.add(new Fault(
                        names.get(i),
                        TimeUnit.NANOSECONDS.toMillis(from - start),
                        TimeUnit.NANOSECONDS.toMillis(longestStall(advances, from, until))));
            }
            RequestStatus last = ledger.latest();
            if (next < at.size()) {
                out.printf(Locale.ROOT, "only %d of %d faults happened before the request ended%n", next, at.size());
            }
            return check(options, id, last, bootstrap, serdes, faults, seconds);
        }
    }

    /** The committed records on {@code topic} (all requests), or "?" while a broker cannot say. */
    private static String committed(Admin admin, String topic) {
        try {
            var partitions = admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(2, TimeUnit.SECONDS)
                    .get(topic)
                    .partitions();
            Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
            partitions.forEach(p -> latest.put(
                    new TopicPartition(topic, p.partition()), org.apache.kafka.clients.admin.OffsetSpec.latest()));
            return String.valueOf(admin
                    .listOffsets(
                            latest,
                            new org.apache.kafka.clients.admin.ListOffsetsOptions(
                                    org.apache.kafka.common.IsolationLevel.READ_COMMITTED))
                    .all()
                    .get(2, TimeUnit.SECONDS)
                    .values()
                    .stream()
                    .mapToLong(o -> o.offset())
                    .sum());
        } catch (Exception e) {
            return "?";
        }
    }

    private static void inject(
            int fault,
            EmbeddedKafkaCluster cluster,
            AppProcess generator,
            Duration downtime,
            long start,
            PrintStream out)
            throws InterruptedException {
        switch (fault) {
            case 0 -> cluster.stopNode(0);
            case 1 -> cluster.killNode(1);
            default -> generator.kill();
        }
        out.printf(Locale.ROOT, "%5.1f s  down%n", (System.nanoTime() - start) / 1e9);
        Thread.sleep(downtime.toMillis());
        if (fault < 2) {
            cluster.restartNode(fault);
            out.printf(Locale.ROOT, "%5.1f s  back up%n", (System.nanoTime() - start) / 1e9);
            // As an operator does before the next broker: wait until every replica is back in its ISR.
            cluster.awaitInSync(Duration.ofMinutes(3));
            out.printf(Locale.ROOT, "%5.1f s  every partition fully replicated%n", (System.nanoTime() - start) / 1e9);
        } else {
            generator.start();
            generator.awaitRunning(APP_START);
            out.printf(Locale.ROOT, "%5.1f s  back up and RUNNING%n", (System.nanoTime() - start) / 1e9);
        }
    }

    /**
     * The longest time between {@code from} and {@code until} in which the ledger did not advance;
     * {@code advances} holds (time, accounted) pairs in order.
     */
    static long longestStall(List<long[]> advances, long from, long until) {
        long previous = from;
        long longest = 0;
        for (long[] advance : advances) {
            long time = advance[0];
            if (time <= from) {
                continue;
            }
            if (time > until) {
                break;
            }
            longest = Math.max(longest, time - previous);
            previous = time;
        }
        return Math.max(longest, until - previous);
    }

    /** Every planned sample's fate from the topics, against the ledger. */
    private static Summary check(
            Options options,
            String id,
            RequestStatus ledger,
            String bootstrap,
            SynthSerdes serdes,
            List<Fault> faults,
            double seconds) {
        Set<String> planned = new HashSet<>();
        Map<String, Integer> conditions = new HashMap<>();
        TopicReads.read(bootstrap, serdes, Topics.CONDITIONS, (ConditionTuple c) -> {
            if (c != null && id.equals(c.getRequestId())) {
                if (conditions.merge(c.getConditionId(), 1, Integer::sum) == 1) {
                    for (int s = 0; s < c.getSamples(); s++) {
                        planned.add(Ids.sampleId(id, c.getConditionIndex(), s));
                    }
                }
            }
        });
        Map<String, Integer> fates = new HashMap<>();
        Map<String, Long> outcomes = new LinkedHashMap<>();
        for (String outcome : List.of("accepted", "rejected", "rejected_quality", "failed", "surplus")) {
            outcomes.put(outcome, 0L);
        }
        TopicReads.read(bootstrap, serdes, Topics.SAMPLES_REJECTED, r -> {
            if (r != null && id.equals(r.getRequestId())) {
                fates.merge(r.getSampleId(), 1, Integer::sum);
                outcomes.merge("rejected", 1L, Long::sum);
            }
        });
        TopicReads.read(bootstrap, serdes, Topics.DLQ, d -> {
            if (d != null && id.equals(d.getRequestId()) && d.getSamples() == 1) {
                fates.merge(d.getSampleId(), 1, Integer::sum);
                outcomes.merge("failed", 1L, Long::sum);
            }
        });
        Set<String> passed = new HashSet<>();
        TopicReads.read(bootstrap, serdes, Topics.SAMPLES_SCORED, s -> {
            if (s != null && id.equals(s.getSample().getRequestId())) {
                String sampleId = s.getSample().getSampleId();
                fates.merge(sampleId, 1, Integer::sum);
                if ("reject".equals(s.getQuality().getDecision())) {
                    outcomes.merge("rejected_quality", 1L, Long::sum);
                } else {
                    passed.add(sampleId);
                }
            }
        });
        Map<String, Integer> dataset = new HashMap<>();
        TopicReads.read(bootstrap, serdes, Topics.DATASET, d -> {
            if (d != null && id.equals(d.getRequestId())) {
                dataset.merge(d.getSampleId(), 1, Integer::sum);
            }
        });
        outcomes.put("accepted", (long) dataset.size());
        outcomes.put(
                "surplus", passed.stream().filter(s -> !dataset.containsKey(s)).count());
        long lost = planned.stream().filter(s -> !fates.containsKey(s)).count();
        long duplicated = fates.values().stream().filter(n -> n > 1).count()
                + dataset.values().stream().filter(n -> n > 1).count()
                + dataset.keySet().stream().filter(s -> !passed.contains(s)).count()
                + conditions.values().stream().filter(n -> n > 1).count();
        long unplanned =
                fates.keySet().stream().filter(s -> !planned.contains(s)).count();
        List<String> disagreements = new ArrayList<>();
        if (ledger == null) {
            disagreements.add("no ledger");
        } else {
            agree(disagreements, "planned", ledger.getPlanned(), planned.size());
            agree(disagreements, "accepted", ledger.getAccepted(), outcomes.get("accepted"));
            agree(disagreements, "rejected", ledger.getRejected(), outcomes.get("rejected"));
            agree(disagreements, "rejected_quality", ledger.getRejectedQuality(), outcomes.get("rejected_quality"));
            agree(disagreements, "failed", ledger.getFailed(), outcomes.get("failed"));
            agree(disagreements, "surplus", ledger.getSurplus(), outcomes.get("surplus"));
            agree(disagreements, "accounted", Ledger.accounted(ledger), ledger.getPlanned());
        }
        return new Summary(
                options.target(),
                options.count(),
                ledger != null && ledger.getComplete(),
                planned.size(),
                outcomes,
                lost,
                duplicated,
                unplanned,
                disagreements,
                faults,
                seconds);
    }

    private static void agree(List<String> disagreements, String what, long ledger, long topics) {
        if (ledger != topics) {
            disagreements.add(what + " " + ledger + " in the ledger, " + topics + " on the topics");
        }
    }

    /**
     * Follows one request's committed ledger on {@code synth.request-status} in a thread of its own:
     * the latest record and every time its accounted total grew.
     */
    static final class LedgerWatch implements AutoCloseable {
        private final List<long[]> advances = new ArrayList<>();
        private final Thread thread;
        private volatile boolean running = true;
        private RequestStatus latest;

        private LedgerWatch(String bootstrap, SynthSerdes serdes, String id) {
            var values = serdes.value(Topics.REQUEST_STATUS).deserializer();
            thread = new Thread(
                    () -> {
                        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                                Map.of(
                                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                        bootstrap,
                                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                        "read_committed"),
                                new org.apache.kafka.common.serialization.StringDeserializer(),
                                new ByteArrayDeserializer())) {
                            List<TopicPartition> partitions =
                                    consumer.partitionsFor(Topics.REQUEST_STATUS.name()).stream()
                                            .map(p -> new TopicPartition(p.topic(), p.partition()))
                                            .toList();
                            consumer.assign(partitions);
                            consumer.seekToBeginning(partitions);
                            while (running) {
                                for (var r : consumer.poll(Duration.ofMillis(100))) {
                                    if (id.equals(r.key()) && r.value() != null) {
                                        record(values.deserialize(r.topic(), r.value()));
                                    }
                                }
                            }
                        }
                    },
                    "soak-ledger");
            thread.setDaemon(true);
        }

        static LedgerWatch start(String bootstrap, SynthSerdes serdes, String id) {
            LedgerWatch watch = new LedgerWatch(bootstrap, serdes, id);
            watch.thread.start();
            return watch;
        }

        private synchronized void record(RequestStatus status) {
            long accounted = Ledger.accounted(status);
            if (latest == null || accounted > Ledger.accounted(latest)) {
                advances.add(new long[] {System.nanoTime(), accounted});
            }
            latest = status;
        }

        synchronized RequestStatus latest() {
            return latest;
        }

        synchronized List<long[]> advances() {
            return new ArrayList<>(advances);
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(10_000);
        }
    }
}
