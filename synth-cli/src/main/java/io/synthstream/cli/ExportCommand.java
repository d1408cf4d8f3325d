package io.synthstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.synthstream.avro.Attribute;
import io.synthstream.avro.AttributeValue;
import io.synthstream.avro.DatasetSample;
import io.synthstream.avro.FaithfulnessScore;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.QualityVerdict;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.Sample;
import io.synthstream.avro.ScoredSample;
import io.synthstream.common.task.AttributeSpace;
import io.synthstream.common.task.TaskKinds;
import io.synthstream.common.topics.Topics;
import io.synthstream.evaluator.logic.DatasetState;
import io.synthstream.evaluator.logic.QualityGate;
import io.synthstream.evaluator.logic.SampleWeights;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code synth export <dataset>}: the dataset's accepted samples from synth.dataset, in final form
 * (fields, label and its source, weight, scores, the judge's rationale, provenance), as one JSONL
 * or Parquet file, or as a dataset directory with seeded stratified splits and a dataset card
 * ({@link DatasetCard}).
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description =
                "Write a dataset's accepted samples (synth.dataset) to a file: JSONL (one JSON object per sample) or Parquet.")
final class ExportCommand implements java.util.concurrent.Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Parameters(index = "0", paramLabel = "DATASET")
    String dataset;

    @Option(
            names = "--format",
            defaultValue = "jsonl",
            description = "Output format: ${COMPLETION-CANDIDATES}. jsonl and parquet write every column;"
                    + " dpo (preference datasets: prompt, chosen, rejected, score_chosen, score_rejected) and chat"
                    + " (conversation, instruction and qa datasets: messages) write the JSONL a trainer reads.")
    Format format;

    @Option(names = "--out", defaultValue = "out", description = "Output directory (default ${DEFAULT-VALUE}).")
    Path out;

    enum Format {
        jsonl,
        parquet,
        /** JSONL of preference pairs as DPO trainers (TRL's DPOTrainer) read them. */
        dpo,
        /** JSONL of {@code messages} in the OpenAI chat format, as chat SFT trainers read them. */
        chat;

        /** The file name extension of the format. */
        String extension() {
            return this == parquet ? "parquet" : "jsonl";
        }

        /** Whether the format writes a trainer's shape instead of every column. */
        boolean trainer() {
            return this == dpo || this == chat;
        }
    }

    @Option(
            names = "--held-back",
            description = "Also write the scored samples the quality gate rejected or sent to review,"
                    + " with their reasons (column held_back).")
    boolean heldBack;

    @Option(
            names = "--traces",
            description = "Add each sample's step traces (per step: name, model, output, tokens, latency,"
                    + " attempts) to its provenance (column steps, JSON).")
    boolean traces;

    @Option(
            names = "--split",
            paramLabel = "NAME=SHARE,...",
            description = "Write a dataset directory with seeded splits stratified by label, e.g."
                    + " train=0.8,validation=0.1,test=0.1 (implies --card).")
    String split;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Seed of the split assignment (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--card",
            description = "Write a dataset directory: data/<split>.<format> and a README.md dataset card with"
                    + " Hugging Face Hub YAML front matter (features, splits, settings, report metrics).")
    boolean card;

    @Override
    public Integer call() throws IOException {
        if (format.trainer() && (split != null || card || heldBack || traces)) {
            throw new IllegalArgumentException("--format " + format + " writes one trainer-ready file of the accepted"
                    + " samples; --split, --card, --held-back and --traces need --format jsonl or parquet");
        }
        Splits splits = split == null ? null : Splits.parse(split);
        if (splits != null || card) {
            Path dir = out.resolve(fileName(dataset));
            DatasetCard.Layout layout =
                    exportDirectory(cluster, dataset, Set.of(), dir, format, heldBack, traces, splits, seed);
            long n = layout.rows().entrySet().stream()
                    .filter(e -> !e.getKey().equals(DatasetCard.HELD_BACK))
                    .mapToLong(Map.Entry::getValue)
                    .sum();
            if (n == 0) {
                throw nothingAccepted(dataset);
            }
            spec.commandLine()
                    .getOut()
                    .printf(
                            "wrote %d samples of %s to %s (%s) with its dataset card %s%n",
                            n, dataset, dir.resolve("data"), layout.rows(), dir.resolve("README.md"));
            return 0;
        }
        Path file = out.resolve(fileName(dataset) + (format.trainer() ? "." + format : "") + "." + format.extension());
        long n = export(cluster, dataset, Set.of(), file, format, heldBack, traces);
        if (n == 0) {
            throw nothingAccepted(dataset);
        }
        spec.commandLine().getOut().printf("wrote %d samples of %s to %s%n", n, dataset, file);
        return 0;
    }

    private static IllegalStateException nothingAccepted(String dataset) {
        return new IllegalStateException("No accepted samples for dataset '" + dataset + "' in " + Topics.DATASET.name()
                + " (unknown dataset, or nothing accepted yet)");
    }

    /**
     * A file name for a dataset name from Kafka (untrusted): characters other than letters,
     * digits, dot, dash and underscore become underscores, and it never starts with a dot, so a
     * name cannot leave the output directory.
     */
    static String fileName(String dataset) {
        String safe = dataset.replaceAll("[^A-Za-z0-9._-]", "_");
        return safe.isEmpty() || safe.startsWith(".") ? "_" + safe : safe;
    }

    /** Writes the dataset's accepted samples of {@code requests} (all when empty) as JSONL; returns how many. */
    static long export(ClusterOptions cluster, String dataset, Collection<String> requests, Path file)
            throws IOException {
        return export(cluster, dataset, requests, file, Format.jsonl, false, false);
    }

    /**
     * Writes the dataset's accepted samples (only those of {@code requests} when not empty) to
     * {@code file} in final form, in the order they were accepted; a sample a reviewer retracted
     * is left out. Balance weights are made final here ({@link SampleWeights#balance} over the
     * exported rows). For every complete request the row count is checked against its ledger's
     * {@code accepted}: a difference is an error, never a silently short file.
     *
     * @param heldBack also write scored samples the gate rejected or sent to review
     * @return the accepted rows written
     */
    static long export(
            ClusterOptions cluster,
            String dataset,
            Collection<String> requests,
            Path file,
            Format format,
            boolean heldBack,
            boolean traces)
            throws IOException {
        DatasetCard.Content content = read(cluster, dataset, requests, heldBack, traces, false);
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (RowWriter writer = writer(format, file)) {
            for (ObjectNode row : content.accepted()) {
                writer.write(row);
            }
            for (ObjectNode row : content.heldBack()) {
                writer.write(row);
            }
        }
        return content.accepted().size();
    }

    /** The dataset's accepted rows of {@code requests} (all when empty) in final form, as export writes them. */
    static List<ObjectNode> rows(ClusterOptions cluster, String dataset, Collection<String> requests) {
        return read(cluster, dataset, requests, false, false, false).accepted();
    }

    /**
     * Writes the dataset as a directory a trainer can load ({@link DatasetCard}): one file per
     * split under {@code dir/data} and the dataset card {@code dir/README.md}.
     *
     * @param splits the splits, or null for one {@code train} split
     */
    static DatasetCard.Layout exportDirectory(
            ClusterOptions cluster,
            String dataset,
            Collection<String> requests,
            Path dir,
            Format format,
            boolean heldBack,
            boolean traces,
            Splits splits,
            long seed)
            throws IOException {
        DatasetCard.Content content = read(cluster, dataset, requests, heldBack, traces, true);
        return DatasetCard.write(dir, dataset, format, content, splits, seed);
    }

    /**
     * The dataset's accepted rows (only those of {@code requests} when not empty) in final form,
     * in the order they were accepted; a sample a reviewer retracted is left out. Balance weights
     * are made final here ({@link SampleWeights#balance} over the exported rows). For every
     * complete request the row count is checked against its ledger's {@code accepted}: a
     * difference is an error, never a silently short file.
     *
     * @param heldBack also read the scored samples the gate rejected or sent to review
     * @param traces add the step traces to each row's provenance
     * @param forCard also read the latest report (specs and ledgers are always read)
     */
    private static DatasetCard.Content read(
            ClusterOptions cluster,
            String dataset,
            Collection<String> requests,
            boolean heldBack,
            boolean traces,
            boolean forCard) {
        Map<String, DatasetSample> accepted = new LinkedHashMap<>();
        try (TopicTail<DatasetSample> tail = new TopicTail<>(
                cluster,
                Topics.DATASET.name(),
                cluster.serdes().value(Topics.DATASET).deserializer())) {
            for (var r : tail.readAll()) {
                if (r.value() == null) {
                    accepted.remove(r.key());
                } else if (r.value().getDataset().equals(dataset)
                        && (requests.isEmpty() || requests.contains(r.value().getRequestId()))) {
                    accepted.put(r.key(), r.value());
                }
            }
        }
        Set<String> exported = new java.util.TreeSet<>();
        accepted.values().forEach(a -> exported.add(a.getRequestId()));
        Map<String, RequestStatus> ledgers = latest(cluster, Topics.REQUEST_STATUS);
        ledgers.keySet().retainAll(exported);
        checkAgainstLedgers(ledgers, accepted.values());
        // The specs are read only when something uses them: the card, or weights still provisional.
        boolean provisional = accepted.values().stream().anyMatch(DatasetSample::getWeightProvisional);
        Map<String, GenerationRequest> specs =
                forCard || provisional ? latest(cluster, Topics.SPECS) : new java.util.HashMap<>();
        specs.keySet().retainAll(exported);
        Map<String, Double> balance = finalBalance(specs, accepted.values());
        List<ObjectNode> rows = new ArrayList<>();
        for (DatasetSample sample : accepted.values()) {
            ObjectNode row = json(
                    sample,
                    balance.get(DatasetState.cell(sample.getScored().getSample().getAttributes())));
            rows.add(traces ? withSteps(row, sample.getScored().getSample()) : row);
        }
        List<ObjectNode> held = new ArrayList<>();
        if (heldBack) {
            heldBack(cluster, dataset, requests)
                    .forEach(s -> held.add(traces ? withSteps(json(s), s.getSample()) : json(s)));
        }
        return new DatasetCard.Content(
                rows,
                held,
                specs,
                ledgers,
                forCard ? ReportCommand.latest(cluster, dataset) : java.util.Optional.empty());
    }

    /** The latest scored version of each sample the gate did not pass. */
    private static List<ScoredSample> heldBack(ClusterOptions cluster, String dataset, Collection<String> requests) {
        Map<String, ScoredSample> held = new LinkedHashMap<>();
        try (TopicTail<ScoredSample> tail = new TopicTail<>(
                cluster,
                Topics.SAMPLES_SCORED.name(),
                cluster.serdes().value(Topics.SAMPLES_SCORED).deserializer())) {
            for (var r : tail.readAll()) {
                ScoredSample s = r.value();
                if (s != null
                        && s.getQuality() != null
                        && !QualityGate.PASS.equals(s.getQuality().getDecision())
                        && s.getSample().getDataset().equals(dataset)
                        && (requests.isEmpty()
                                || requests.contains(s.getSample().getRequestId()))) {
                    held.put(s.getSample().getSampleId(), s);
                }
            }
        }
        return List.copyOf(held.values());
    }

    /** Fails when a complete request's ledger counts other than the rows found for it. */
    private static void checkAgainstLedgers(Map<String, RequestStatus> ledgers, Collection<DatasetSample> rows) {
        Map<String, Long> perRequest = new TreeMap<>();
        rows.forEach(r -> perRequest.merge(r.getRequestId(), 1L, Long::sum));
        List<String> problems = new ArrayList<>();
        perRequest.forEach((request, n) -> {
            RequestStatus status = ledgers.get(request);
            if (status != null && status.getComplete() && status.getAccepted() != n) {
                problems.add("request " + request + ": ledger accepted " + status.getAccepted() + ", "
                        + Topics.DATASET.name() + " holds " + n);
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalStateException("The export does not match the ledger: " + String.join("; ", problems));
        }
    }

    /**
     * Final balance weights per attribute cell, from the exported rows and the cells' declared
     * shares (the product of each attribute value's share of its declared weights).
     */
    private static Map<String, Double> finalBalance(
            Map<String, GenerationRequest> specs, Collection<DatasetSample> rows) {
        if (rows.stream().noneMatch(DatasetSample::getWeightProvisional)) {
            return Map.of();
        }
        Map<String, Long> counts = new TreeMap<>();
        Map<String, Double> targets = new TreeMap<>();
        for (DatasetSample row : rows) {
            Map<String, String> attributes = row.getScored().getSample().getAttributes();
            String cell = DatasetState.cell(attributes);
            counts.merge(cell, 1L, Long::sum);
            GenerationRequest spec = specs.get(row.getRequestId());
            if (spec != null) {
                targets.putIfAbsent(cell, declaredShare(spec, attributes));
            }
        }
        double total =
                targets.values().stream().mapToDouble(Double::doubleValue).sum();
        if (total > 0) {
            targets.replaceAll((cell, share) -> share / total);
        }
        return SampleWeights.balance(counts, targets);
    }

    private static double declaredShare(GenerationRequest spec, Map<String, String> attributes) {
        double share = 1;
        for (Attribute a : AttributeSpace.of(spec)) {
            String value = attributes.get(a.getName());
            double total = a.getValues().stream()
                    .mapToDouble(AttributeValue::getWeight)
                    .sum();
            double weight = a.getValues().stream()
                    .filter(v -> v.getValue().equals(value))
                    .mapToDouble(AttributeValue::getWeight)
                    .sum();
            share *= total > 0 ? weight / total : 0;
        }
        return share;
    }

    static <V> Map<String, V> latest(ClusterOptions cluster, io.synthstream.common.topics.TopicSpec<String, V> topic) {
        Map<String, V> latest = new java.util.HashMap<>();
        try (TopicTail<V> tail = new TopicTail<>(
                cluster, topic.name(), cluster.serdes().value(topic).deserializer())) {
            tail.readAll().forEach(r -> {
                if (r.value() == null) {
                    latest.remove(r.key());
                } else {
                    latest.put(r.key(), r.value());
                }
            });
        }
        return latest;
    }

    /** One export row out. */
    interface RowWriter extends AutoCloseable {
        void write(ObjectNode row) throws IOException;

        @Override
        void close() throws IOException;
    }

    /** A writer of rows to {@code file} in {@code format}. */
    static RowWriter writer(Format format, Path file) throws IOException {
        if (format.trainer()) {
            RowWriter lines = jsonl(file);
            return new RowWriter() {
                @Override
                public void write(ObjectNode row) throws IOException {
                    lines.write(trainerRow(row, format));
                }

                @Override
                public void close() throws IOException {
                    lines.close();
                }
            };
        }
        return format == Format.parquet ? parquet(file) : jsonl(file);
    }

    private static List<String> names(ObjectNode fields) {
        List<String> names = new ArrayList<>();
        fields.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The task kind a row's fields are of, as far as the trainer formats care; "custom" otherwise. */
    private static String kindOf(ObjectNode fields) {
        if (fields.path(TaskKinds.MESSAGES).isArray()) {
            return TaskKinds.CONVERSATION;
        } else if (fields.has("chosen") && fields.has("rejected") && fields.has("prompt")) {
            return TaskKinds.PREFERENCE;
        } else if (fields.has("instruction") && fields.has("output")) {
            return TaskKinds.INSTRUCTION;
        } else if (fields.has("question") && fields.has("answer")) {
            return TaskKinds.QA;
        }
        return TaskKinds.CUSTOM;
    }

    /**
     * A row in a trainer's shape: {@code dpo} — prompt, chosen, rejected and their scores (as
     * UltraFeedback's binarized pairs); {@code chat} — the conversation's messages, or an instruction
     * or qa sample as one user and one assistant message. Both keep {@code sample_id}.
     *
     * @throws IllegalArgumentException when the row's task kind has no such shape
     */
    static ObjectNode trainerRow(ObjectNode row, Format format) {
        ObjectNode fields = (ObjectNode) row.path("fields");
        String kind = kindOf(fields);
        ObjectNode out = JSON.createObjectNode();
        if (format == Format.dpo) {
            if (!TaskKinds.PREFERENCE.equals(kind)) {
                throw new IllegalArgumentException(
                        "--format dpo needs a preference dataset (task.kind preference); its samples have the fields "
                                + names(fields));
            }
            out.put("prompt", fields.path("prompt").asText());
            out.put("chosen", fields.path("chosen").asText());
            out.put("rejected", fields.path("rejected").asText());
            out.put("score_chosen", fields.path("chosen_score").asDouble());
            out.put("score_rejected", fields.path("rejected_score").asDouble());
        } else {
            var messages = out.putArray(TaskKinds.MESSAGES);
            switch (kind) {
                case TaskKinds.CONVERSATION ->
                    messages.addAll((com.fasterxml.jackson.databind.node.ArrayNode) fields.path(TaskKinds.MESSAGES));
                case TaskKinds.INSTRUCTION -> {
                    String input = fields.path("input").asText("");
                    messages.addObject()
                            .put("role", "user")
                            .put(
                                    "content",
                                    fields.path("instruction").asText() + (input.isBlank() ? "" : "\n\n" + input));
                    messages.addObject()
                            .put("role", "assistant")
                            .put("content", fields.path("output").asText());
                }
                case TaskKinds.QA -> {
                    messages.addObject()
                            .put("role", "user")
                            .put("content", fields.path("question").asText());
                    messages.addObject()
                            .put("role", "assistant")
                            .put("content", fields.path("answer").asText());
                }
                default ->
                    throw new IllegalArgumentException("--format chat needs a conversation, instruction or qa dataset;"
                            + " its samples have the fields " + names(fields));
            }
        }
        out.put("sample_id", row.path("sample_id").asText());
        return out;
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

    /** An accepted row: final fields and label, weight, scores, provenance. */
    static ObjectNode json(DatasetSample sample, Double finalBalance) {
        ObjectNode o = json(sample.getScored());
        String kind = sample.getScored().getSample().getTaskKind();
        o.set("fields", fields(sample.getFields(), kind));
        o.set("original_fields", fields(sample.getScored().getSample().getFields(), kind));
        ObjectNode quality = (ObjectNode) o.get("quality");
        double weight = sample.getWeight();
        if (sample.getWeightProvisional() && finalBalance != null) {
            double qualityPart = SampleWeights.quality(
                    sample.getScored().getFaithfulness(),
                    sample.getScored().getConditionAdherence(),
                    sample.getScored().getLabelConsistency());
            weight = SampleWeights.combine(sample.getWeightScheme(), qualityPart, finalBalance);
        }
        quality.put("label", sample.getLabel());
        quality.put("original_label", sample.getOriginalLabel());
        quality.put("label_source", sample.getLabelSource());
        quality.put("weight", weight);
        quality.put("weight_scheme", sample.getWeightScheme());
        quality.put("accepted_by", sample.getAcceptedBy());
        quality.put("reviewer", sample.getReviewer());
        quality.put("flags", String.join(",", sample.getFlags()));
        quality.put("decision", "accepted");
        return o;
    }

    /**
     * A sample's fields as JSON: strings as they are, except a conversation's {@code messages},
     * which is written as the JSON array it holds (the OpenAI chat format chat trainers read).
     */
    static ObjectNode fields(Map<String, String> fields, String taskKind) {
        ObjectNode node = JSON.valueToTree(new TreeMap<>(fields));
        String messages = fields.get(TaskKinds.MESSAGES);
        if (TaskKinds.CONVERSATION.equals(taskKind) && messages != null) {
            try {
                node.set(TaskKinds.MESSAGES, JSON.readTree(messages));
            } catch (IOException notJson) {
                // kept as the string it is; the curator rejects such a sample before it gets here
            }
        }
        return node;
    }

    /** {@code row} with the sample's step traces in {@code provenance.steps}. */
    static ObjectNode withSteps(ObjectNode row, Sample sample) {
        var steps = ((ObjectNode) row.get("provenance")).putArray("steps");
        for (var step : sample.getTrace().getSteps()) {
            ObjectNode o = steps.addObject();
            o.put("name", step.getName());
            o.put("model", step.getModel());
            o.set("output", JSON.valueToTree(new TreeMap<>(step.getOutput())));
            o.put("prompt_tokens", step.getPromptTokens());
            o.put("completion_tokens", step.getCompletionTokens());
            o.put("latency_ms", step.getLatencyMs());
            o.put("attempts", step.getAttempts());
        }
        return row;
    }

    /** A scored row (held back ones carry their decision and reasons). */
    static ObjectNode json(ScoredSample scored) {
        Sample s = scored.getSample();
        ObjectNode o = JSON.createObjectNode();
        o.put("sample_id", s.getSampleId());
        o.put("request_id", s.getRequestId());
        o.put("dataset", s.getDataset());
        o.set("fields", fields(s.getFields(), s.getTaskKind()));
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
        if (s.getTrace().getSpend() != null) {
            provenance.put("cost_usd", s.getTrace().getSpend().getCostUsd());
            provenance.put("usage_estimated", s.getTrace().getSpend().getEstimatedTokens() > 0);
        }
        provenance.put("condition_id", s.getConditionId());
        provenance.put("created_at", s.getCreatedAt().toString());
        provenance.put("scored_at", scored.getScoredAt().toString());
        if (s.getTrace().getRationale() != null) {
            provenance.put("rationale", s.getTrace().getRationale());
        }
        if (s.getTrace().getSteeringVersion() != null) {
            provenance.put("steering_version", s.getTrace().getSteeringVersion());
        }
        if (s.getSeed() != null) {
            provenance.put("seed_id", s.getSeed().getSeedId());
            provenance.put("seed_source", s.getSeed().getSource());
            provenance.put("seed_chunk", s.getSeed().getChunk());
        }
        if (s.getTrace().getLineage() != null) { // Evol-Instruct rounds (JSONL only; not a Parquet column)
            var lineage = s.getTrace().getLineage();
            provenance
                    .putObject("lineage")
                    .put("root_id", lineage.getRootId())
                    .put("parent_id", lineage.getParentId())
                    .put("round", lineage.getRound())
                    .put("operator", lineage.getOperator());
        }
        if (s.getTrace().getSelfInstruct() != null) { // Self-Instruct (JSONL only; not a Parquet column)
            var decision = s.getTrace().getSelfInstruct();
            ObjectNode selfInstruct = provenance
                    .putObject("self_instruct")
                    .put("round", decision.getRound())
                    .put("position", decision.getCandidate())
                    .put("classification", decision.getClassification())
                    .put("joined_pool", decision.getJoined())
                    .put("pool_size", decision.getPoolSize())
                    .put("max_similarity", decision.getMaxSimilarity())
                    .put("most_similar", decision.getMostSimilar());
            decision.getDemonstrationIds().forEach(selfInstruct.putArray("demonstration_ids")::add);
        }
        ObjectNode quality = o.putObject("quality");
        QualityVerdict verdict = scored.getQuality();
        if (verdict != null) {
            quality.put("decision", verdict.getDecision());
            quality.put("held_back", String.join(",", verdict.getReasons()));
            quality.put("label", verdict.getLabel());
            quality.put("original_label", verdict.getOriginalLabel());
            quality.put("label_source", verdict.getLabelSource());
            quality.put("flags", String.join(",", verdict.getFlags()));
        }
        return o;
    }
}
