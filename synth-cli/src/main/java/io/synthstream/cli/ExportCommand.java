package io.synthstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.synthstream.avro.FaithfulnessScore;
import io.synthstream.avro.Sample;
import io.synthstream.avro.ScoredSample;
import io.synthstream.common.topics.Topics;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code synth export <dataset>}: the dataset's scored samples from synth.samples.scored as JSONL,
 * one object per sample with its fields, attributes, scores and provenance.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = "Write a dataset's scored samples to a file: JSONL (one JSON object per sample) or Parquet.")
final class ExportCommand implements java.util.concurrent.Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Parameters(index = "0", paramLabel = "DATASET")
    String dataset;

    @Option(names = "--format", defaultValue = "jsonl", description = "Output format: ${COMPLETION-CANDIDATES}.")
    Format format;

    @Option(names = "--out", defaultValue = "out", description = "Output directory (default ${DEFAULT-VALUE}).")
    Path out;

    enum Format {
        jsonl,
        parquet
    }

    @Override
    public Integer call() throws IOException {
        Path file = out.resolve(dataset + "." + format.name());
        long n = export(cluster, dataset, Set.of(), file, format);
        if (n == 0) {
            throw new IllegalStateException("No scored samples for dataset '" + dataset + "' in "
                    + Topics.SAMPLES_SCORED.name() + " (unknown dataset, or nothing scored yet)");
        }
        spec.commandLine().getOut().printf("wrote %d samples of %s to %s%n", n, dataset, file);
        return 0;
    }

    /**
     * Writes the dataset's scored samples (only those of {@code requests} when not empty) to {@code
     * file}, one per line, in topic order; returns how many. A sample scored twice (a replay) is
     * written once.
     */
    static long export(ClusterOptions cluster, String dataset, Collection<String> requests, Path file)
            throws IOException {
        return export(cluster, dataset, requests, file, Format.jsonl);
    }

    static long export(ClusterOptions cluster, String dataset, Collection<String> requests, Path file, Format format)
            throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        java.util.Set<String> seen = new java.util.HashSet<>();
        try (TopicTail<ScoredSample> tail = new TopicTail<>(
                        cluster.bootstrapServers,
                        Topics.SAMPLES_SCORED.name(),
                        cluster.serdes().value(Topics.SAMPLES_SCORED).deserializer());
                RowWriter writer = format == Format.parquet ? parquet(file) : jsonl(file)) {
            for (var r : tail.readAll()) {
                ScoredSample s = r.value();
                if (s == null
                        || !s.getSample().getDataset().equals(dataset)
                        || (!requests.isEmpty()
                                && !requests.contains(s.getSample().getRequestId()))
                        || !seen.add(s.getSample().getSampleId())) {
                    continue;
                }
                writer.write(json(s));
            }
        }
        return seen.size();
    }

    /** One export row out. */
    interface RowWriter extends AutoCloseable {
        void write(ObjectNode row) throws IOException;

        @Override
        void close() throws IOException;
    }

    private static RowWriter jsonl(Path file) throws IOException {
        BufferedWriter out = Files.newBufferedWriter(file);
        return new RowWriter() {
            @Override
            public void write(ObjectNode row) throws IOException {
                out.write(JSON.writeValueAsString(row));
                out.newLine();
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }

    private static RowWriter parquet(Path file) throws IOException {
        ParquetRows rows = new ParquetRows(file);
        return new RowWriter() {
            @Override
            public void write(ObjectNode row) throws IOException {
                rows.write(row);
            }

            @Override
            public void close() throws IOException {
                rows.close();
            }
        };
    }

    static ObjectNode json(ScoredSample scored) {
        Sample s = scored.getSample();
        ObjectNode o = JSON.createObjectNode();
        o.put("sample_id", s.getSampleId());
        o.put("request_id", s.getRequestId());
        o.put("dataset", s.getDataset());
        o.set("fields", JSON.valueToTree(new TreeMap<>(s.getFields())));
        o.set("attributes", JSON.valueToTree(new TreeMap<>(s.getAttributes())));
        ObjectNode scores = o.putObject("scores");
        FaithfulnessScore f = scored.getFaithfulness();
        if (f != null) {
            scores.put("faithfulness_status", f.getStatus());
            if (f.getScore() != null) {
                scores.put("faithfulness", f.getScore());
            }
            if (f.getRationale() != null) {
                scores.put("faithfulness_rationale", f.getRationale());
            }
            if (f.getJudgeModel() != null) {
                scores.put("judge_model", f.getJudgeModel());
            }
        }
        if (scored.getConditionAdherence() != null) {
            scores.put("condition_adherence", scored.getConditionAdherence());
        }
        if (scored.getLabelConsistency() != null) {
            scores.put("label_consistency", scored.getLabelConsistency());
        }
        if (scored.getNovelty() != null) {
            scores.put("novelty", scored.getNovelty());
        }
        ObjectNode provenance = o.putObject("provenance");
        provenance.put("provider", s.getTrace().getProvider());
        provenance.put("model", s.getTrace().getModel());
        provenance.put("simulated", s.getTrace().getSimulated());
        provenance.put("template_version", s.getTrace().getTemplateVersion());
        provenance.put("prompt_tokens", s.getTrace().getPromptTokens());
        provenance.put("completion_tokens", s.getTrace().getCompletionTokens());
        provenance.put("condition_id", s.getConditionId());
        provenance.put("created_at", s.getCreatedAt().toString());
        provenance.put("scored_at", scored.getScoredAt().toString());
        return o;
    }
}
