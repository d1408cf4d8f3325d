package io.synthstream.cli;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.SeedRecord;
import io.synthstream.avro.SeedSettings;
import io.synthstream.common.topics.TopicSpec;
import io.synthstream.common.topics.Topics;
import io.synthstream.generator.logic.Seeds;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code synth submit <spec> [--seeds FILE]}: validates a request spec locally, then publishes it
 * (Avro) to synth.requests. With a seed file, the file is read twice, one record at a time: first
 * to find every bad line (nothing is published while any is left, unless {@code --skip-bad}),
 * then to publish each seed to synth.seeds, all in one Kafka transaction with the request, so the
 * generator sees the whole submission or none of it.
 */
@Command(
        name = "submit",
        mixinStandardHelpOptions = true,
        description = "Validate a request spec (JSON or YAML) and publish it to synth.requests;"
                + " with --seeds, publish a seed file's records to synth.seeds with it.")
final class SubmitCommand implements java.util.concurrent.Callable<Integer> {
    /** Bad lines listed in one message; the rest are counted. */
    static final int PROBLEMS_SHOWN = 20;

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Parameters(index = "0", paramLabel = "SPEC", description = "Request spec file (.json, .yaml or .yml).")
    Path file;

    @Option(names = "--request-id", description = "Use this request id instead of the file's (ids must be unique).")
    String requestId;

    @Option(names = "--dry-run", description = "Validate only; publish nothing.")
    boolean dryRun;

    @Option(
            names = "--seeds",
            paramLabel = "FILE",
            description = "Seed records to ground generation in: .jsonl (one JSON object per line), .csv (with a"
                    + " header row) or .parquet. Each seed yields seeds.samples_per_seed samples per chunk.")
    Path seedsFile;

    @Option(
            names = "--skip-bad",
            description = "Publish the good seeds of a file with bad lines (and report the bad ones) instead of"
                    + " publishing nothing.")
    boolean skipBad;

    @Override
    public Integer call() throws Exception {
        GenerationRequest request = SpecFiles.read(file);
        if (requestId != null) {
            request.setRequestId(requestId);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (seedsFile == null
                && request.getSeeds() != null
                && Seeds.FILE.equals(request.getSeeds().getSource())
                && request.getSeeds().getFile() != null
                && request.getSeeds().getExpected() == null) {
            // the spec names its seeds file, relative to the spec's own directory
            Path dir = file.toAbsolutePath().getParent();
            seedsFile = dir.resolve(request.getSeeds().getFile()).normalize();
        }
        if (seedsFile == null) {
            if (request.getSeeds() != null
                    && Seeds.FILE.equals(request.getSeeds().getSource())
                    && request.getSeeds().getExpected() == null) {
                throw new SpecFiles.InvalidSpecException(file + " takes its seeds from a file: pass the file with"
                        + " --seeds FILE, or name it in seeds.file");
            }
            SpecFiles.validate(file.toString(), request);
            if (dryRun) {
                out.printf(
                        "%s is valid: request %s, dataset %s, %s%n",
                        file, request.getRequestId(), request.getDataset(), samples(request));
                return 0;
            }
            publish(cluster, request);
            out.printf(
                    "submitted request %s (dataset %s, %s) to %s; follow it with: synth watch %s%n",
                    request.getRequestId(),
                    request.getDataset(),
                    samples(request),
                    Topics.REQUESTS.name(),
                    request.getRequestId());
            return 0;
        }
        return submitWithSeeds(request, out);
    }

    /**
     * "N samples"; for Evol-Instruct "N instructions x (1 + R rounds) = M samples"; for
     * Self-Instruct "N rounds x K instructions = M samples".
     */
    static String samples(GenerationRequest request) {
        int outputs = io.synthstream.common.task.Recipes.outputs(request);
        if (request.getSelfInstruct() != null) {
            return request.getCount() + " rounds x " + outputs + " instructions = "
                    + (long) request.getCount() * outputs + " samples";
        }
        return outputs == 1
                ? request.getCount() + " samples"
                : request.getCount() + " instructions x (1 + " + (outputs - 1) + " rounds) = "
                        + (long) request.getCount() * outputs + " samples";
    }

    private int submitWithSeeds(GenerationRequest request, PrintWriter out) throws InterruptedException {
        SeedSettings seeds =
                request.getSeeds() == null ? SeedSettings.newBuilder().build() : request.getSeeds();
        if (!Seeds.FILE.equals(seeds.getSource()) && !Seeds.INLINE.equals(seeds.getSource())
                || !seeds.getRecords().isEmpty()) {
            throw new SpecFiles.InvalidSpecException(file + " takes its seeds from " + seeds.getSource()
                    + (seeds.getRecords().isEmpty() ? "" : " records") + "; --seeds needs seeds.source file (or no"
                    + " seeds section)");
        }
        seeds.setSource(Seeds.FILE);
        seeds.setFile(seedsFile.getFileName().toString());
        seeds.setExpected(1L); // validated with a placeholder; set to the good seeds' count below
        request.setSeeds(seeds);
        SpecFiles.validate(file.toString(), request);

        Set<String> referenced = Seeds.referenced(request);
        Scan scan = new Scan();
        SeedFiles.read(seedsFile, referenced, scan);
        Set<String> absent = new TreeSet<>(referenced);
        absent.removeAll(scan.fields);
        if (!absent.isEmpty() && scan.good == 0) {
            throw new SpecFiles.InvalidSpecException(seedsFile + ": no seed has " + absent + ", which the request's"
                    + " templates or seeds.keep use ({{ seed."
                    + absent.iterator().next() + " }}); the file's fields"
                    + " are " + scan.fields);
        }
        if (!scan.problems.isEmpty() && !skipBad) {
            throw new SpecFiles.InvalidSpecException(badLines(scan)
                    + "\nNothing was published. Fix these lines, or pass --skip-bad to publish the " + scan.good
                    + " good seeds.");
        }
        if (scan.good == 0) {
            throw new SpecFiles.InvalidSpecException(seedsFile + " holds no seed; nothing was published");
        }
        seeds.setExpected(scan.good);
        if (!scan.problems.isEmpty()) {
            spec.commandLine().getErr().println(badLines(scan) + "\nSkipping them (--skip-bad).");
        }
        if (dryRun) {
            out.printf(
                    Locale.ROOT,
                    "%s is valid: request %s, dataset %s, %d seeds from %s (%d samples per seed or chunk, at most %d"
                            + " samples)%n",
                    file,
                    request.getRequestId(),
                    request.getDataset(),
                    scan.good,
                    seedsFile,
                    seeds.getSamplesPerSeed(),
                    request.getCount());
            return 0;
        }
        long started = System.nanoTime();
        publishWithSeeds(request, scan.good);
        double seconds = Math.max(1e-9, (System.nanoTime() - started) / 1e9);
        out.printf(
                Locale.ROOT,
                "submitted request %s (dataset %s) with %d seeds from %s in %.1f s (%.0f seeds/s) to %s and %s;"
                        + " follow it with: synth watch %s%n",
                request.getRequestId(),
                request.getDataset(),
                scan.good,
                seedsFile,
                seconds,
                scan.good / seconds,
                Topics.REQUESTS.name(),
                Topics.SEEDS.name(),
                request.getRequestId());
        return 0;
    }

    /** The first pass over a seed file: what is good, what is not, and which fields occur. */
    private static final class Scan implements SeedFiles.Visitor {
        long good;
        long bad;
        final List<SeedFiles.Problem> problems = new ArrayList<>();
        final Set<String> fields = new TreeSet<>();

        @Override
        public void seed(SeedFiles.Seed seed) {
            good++;
        }

        @Override
        public void fields(Set<String> names) {
            if (fields.size() < 1000) {
                fields.addAll(names);
            }
        }

        @Override
        public void problem(SeedFiles.Problem problem) {
            bad++;
            if (problems.size() < PROBLEMS_SHOWN) {
                problems.add(problem);
            }
        }
    }

    private String badLines(Scan scan) {
        StringBuilder text = new StringBuilder(
                seedsFile + ": " + scan.bad + " of " + (scan.good + scan.bad) + " records are not usable seeds:");
        scan.problems.forEach(p -> text.append("\n  ").append(p));
        if (scan.bad > scan.problems.size()) {
            text.append("\n  ... and ").append(scan.bad - scan.problems.size()).append(" more");
        }
        return text.toString();
    }

    /**
     * The request and its seeds in one transaction (transactional id {@code synth-submit-<request
     * id>}, so a second try of the same submission fences the first), with a progress line.
     */
    private void publishWithSeeds(GenerationRequest request, long total) throws InterruptedException {
        Map<String, Object> config = new java.util.HashMap<>(cluster.clientProperties());
        config.putAll(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                "synth-submit-" + request.getRequestId(),
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                900_000,
                ProducerConfig.LINGER_MS_CONFIG,
                20,
                ProducerConfig.BATCH_SIZE_CONFIG,
                512 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG,
                "lz4",
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                30_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                120_000));
        Progress.Counter progress =
                new Progress.Counter(spec.commandLine().getErr(), System.console() != null, "seeds", total);
        AtomicReference<Exception> failure = new AtomicReference<>();
        var serdes = cluster.serdes();
        Serializer<GenerationRequest> requests = serdes.value(Topics.REQUESTS).serializer();
        Serializer<SeedRecord> seedValues = serdes.value(Topics.SEEDS).serializer();
        String id = request.getRequestId();
        String source = "file:" + seedsFile.getFileName();
        Set<String> seen = new HashSet<>();
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(
                    Topics.REQUESTS.name(), id, requests.serialize(Topics.REQUESTS.name(), request)));
            Instant now = Instant.now();
            SeedFiles.read(seedsFile, Seeds.referenced(request), new SeedFiles.Visitor() {
                @Override
                public void seed(SeedFiles.Seed seed) {
                    String seedId = Seeds.seedId(request.getSeeds(), seed.fields(), Long.toString(seed.line()));
                    if (request.getSeeds().getIdField() != null && !seen.add(seedId)) {
                        seedId = seedId + "#" + seed.line(); // a repeated id stays traceable to its line
                    }
                    SeedRecord record = SeedRecord.newBuilder()
                            .setRequestId(id)
                            .setSeedId(seedId)
                            .setSource(source)
                            .setFields(seed.fields())
                            .setCreatedAt(now)
                            .build();
                    producer.send(
                            new ProducerRecord<>(
                                    Topics.SEEDS.name(), id, seedValues.serialize(Topics.SEEDS.name(), record)),
                            (metadata, error) -> {
                                if (error != null) {
                                    failure.compareAndSet(null, error);
                                }
                            });
                    progress.add(1);
                }

                @Override
                public void problem(SeedFiles.Problem problem) {
                    // reported (or refused) after the first pass
                }
            });
            producer.flush();
            if (failure.get() != null) {
                producer.abortTransaction();
                throw new IllegalStateException("Cannot publish seeds to Kafka at " + cluster.bootstrapServers
                        + "; nothing was published: " + failure.get().getMessage());
            }
            producer.commitTransaction();
            progress.done();
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new IllegalStateException("Cannot publish to Kafka at " + cluster.bootstrapServers + " (registry "
                    + cluster.schemaRegistryUrl + "); nothing was published: " + e.getMessage());
        }
    }

    static void publish(ClusterOptions cluster, GenerationRequest request) throws InterruptedException {
        publishOne(cluster, Topics.REQUESTS, request.getRequestId(), request);
    }

    /** One record, acknowledged within 20 s; an unreachable cluster is one clear error. */
    static <V> void publishOne(ClusterOptions cluster, TopicSpec<String, V> topic, String key, V value)
            throws InterruptedException {
        Map<String, Object> config = new java.util.HashMap<>(cluster.clientProperties());
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (KafkaProducer<String, V> producer = new KafkaProducer<>(
                config,
                topic.keySerde().serializer(),
                cluster.serdes().value(topic).serializer())) {
            producer.send(new ProducerRecord<>(topic.name(), key, value)).get(20, TimeUnit.SECONDS);
        } catch (ExecutionException
                | java.util.concurrent.TimeoutException
                | org.apache.kafka.common.KafkaException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("Cannot publish to Kafka at " + cluster.bootstrapServers + " (registry "
                    + cluster.schemaRegistryUrl + "): " + cause.getMessage());
        }
    }
}
