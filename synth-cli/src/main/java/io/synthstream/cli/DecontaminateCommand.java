package io.synthstream.cli;

import io.synthstream.avro.TestRecord;
import io.synthstream.common.topics.TopicAdmin;
import io.synthstream.common.topics.Topics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code synth decontaminate <dataset> --test FILE}: registers a real test set for a dataset on
 * {@code synth.test-records}; from then on the curator rejects the dataset's samples that repeat
 * too much of one of its records (CONTAMINATED), so that train-on-synthetic figures are not
 * inflated by leaked test text. {@code --remove} unregisters every record of the dataset. See
 * docs/evaluation.md#decontamination.
 */
@Command(
        name = "decontaminate",
        mixinStandardHelpOptions = true,
        description = "Register a real test set for a dataset: the curator then rejects samples that repeat one of"
                + " its records (CONTAMINATED). --remove unregisters the dataset's records.")
final class DecontaminateCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Parameters(index = "0", paramLabel = "DATASET")
    String dataset;

    @Option(
            names = "--test",
            paramLabel = "FILE",
            description = "The real test set: .jsonl, .csv (header row) or .parquet.")
    Path test;

    @Option(
            names = "--text-field",
            defaultValue = "text",
            description = "Field holding the text (default ${DEFAULT-VALUE}).")
    String textField;

    @Option(
            names = "--id-field",
            paramLabel = "FIELD",
            description = "Field holding each record's id (default: its line or row number).")
    String idField;

    @Option(names = "--remove", description = "Unregister every test record of the dataset instead.")
    boolean remove;

    @Override
    public Integer call() throws InterruptedException {
        if (remove == (test != null)) {
            throw new IllegalArgumentException("give either --test FILE (register) or --remove (unregister)");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Admin admin = Admin.create(cluster.clientProperties())) {
            TopicAdmin.ensureTopics(admin, List.of(Topics.TEST_RECORDS), 1, Optional.empty());
        }
        Map<String, TestRecord> records = new java.util.LinkedHashMap<>();
        if (remove) {
            ExportCommand.latest(cluster, Topics.TEST_RECORDS).forEach((key, record) -> {
                if (dataset.equals(record.getDataset())) {
                    records.put(key, null);
                }
            });
        } else {
            records.putAll(read());
        }
        long sent = send(records);
        if (remove) {
            out.printf("unregistered %d test records of %s%n", sent, ReportCommand.printable(dataset));
        } else {
            out.printf(
                    "registered %d test records of %s for dataset %s on %s: the curator rejects samples repeating"
                            + " more than max_test_overlap (default 0.5) of one record's 8-grams%n",
                    sent, test.getFileName(), ReportCommand.printable(dataset), Topics.TEST_RECORDS.name());
        }
        return 0;
    }

    /** The file's records by key {@code <dataset>|<id>}; a record without text, or a repeated id, is an error. */
    private Map<String, TestRecord> read() {
        Map<String, TestRecord> records = new java.util.LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        SeedFiles.read(test, Set.of(), new SeedFiles.Visitor() {
            @Override
            public void seed(SeedFiles.Seed seed) {
                String text = seed.fields().get(textField);
                if (text == null || text.isBlank()) {
                    problems.add("line " + seed.line() + ": no text field '" + textField + "'; its fields are "
                            + seed.fields().keySet());
                    return;
                }
                String id = idField == null
                        ? Long.toString(seed.line())
                        : seed.fields().get(idField);
                if (id == null || id.isBlank()) {
                    problems.add("line " + seed.line() + ": no id field '" + idField + "'; its fields are "
                            + seed.fields().keySet());
                    return;
                }
                TestRecord record = TestRecord.newBuilder()
                        .setDataset(dataset)
                        .setRecordId(id)
                        .setText(text)
                        .setSource(test.getFileName().toString())
                        .build();
                if (records.put(dataset + "|" + id, record) != null) {
                    problems.add("line " + seed.line() + ": id '" + id + "' repeats an earlier record's");
                }
            }

            @Override
            public void problem(SeedFiles.Problem problem) {
                problems.add(problem.toString());
            }
        });
        if (!problems.isEmpty()) {
            throw new LabelledFiles.UnusableSetException("the test set (" + test + ") has " + problems.size()
                    + " unusable record" + (problems.size() == 1 ? "" : "s") + "; the first: " + problems.get(0));
        }
        if (records.isEmpty()) {
            throw new LabelledFiles.UnusableSetException("the test set (" + test + ") has no records");
        }
        return records;
    }

    /** Every record (a null value is a tombstone), acknowledged; the number sent. */
    private long send(Map<String, TestRecord> records) throws InterruptedException {
        Map<String, Object> config = new HashMap<>(cluster.clientProperties());
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        Serializer<TestRecord> values =
                cluster.serdes().value(Topics.TEST_RECORDS).serializer();
        String topic = Topics.TEST_RECORDS.name();
        Progress.Counter progress = new Progress.Counter(
                spec.commandLine().getErr(), System.console() != null, "test records", records.size());
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                config,
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (Map.Entry<String, TestRecord> e : records.entrySet()) {
                byte[] value = e.getValue() == null ? null : values.serialize(topic, e.getValue());
                acks.add(producer.send(new ProducerRecord<>(topic, e.getKey(), value)));
            }
            producer.flush();
            long done = 0;
            for (Future<RecordMetadata> ack : acks) {
                ack.get(60, TimeUnit.SECONDS);
                done++;
                progress.add(1);
            }
            progress.done();
            return done;
        } catch (ExecutionException
                | java.util.concurrent.TimeoutException
                | org.apache.kafka.common.KafkaException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException(
                    "Cannot publish to Kafka at " + cluster.bootstrapServers + ": " + cause.getMessage());
        }
    }
}
