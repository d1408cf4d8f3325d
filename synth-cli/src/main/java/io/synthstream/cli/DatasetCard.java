package io.synthstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.synthstream.avro.DatasetReport;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.RequestStatus;
import io.synthstream.common.quality.Agreement;
import io.synthstream.common.task.TaskKinds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;

/**
 * A dataset directory a trainer can load: {@code data/<split>.<ext>} per split (and {@code
 * data/held_back.<ext>} for samples the gate held back, as a second config), and a {@code
 * README.md} dataset card whose YAML front matter follows the layout the Hugging Face Hub documents
 * for dataset cards: {@code pretty_name}, {@code tags}, {@code task_categories}, {@code
 * size_categories}, {@code configs} (with {@code data_files} per split) and {@code dataset_info}
 * ({@code features} and {@code splits} with {@code num_examples}). The body gives the counts per
 * split and label, the generation and curation settings of every request, the ledger (yield,
 * rejections, relabels, review) and the dataset's report metrics.
 *
 * <p>Everything in the card that came from Kafka (dataset name, descriptions, labels, settings) is
 * untrusted: the front matter is written by a YAML generator (quoted where needed), and in the body
 * HTML and Markdown table characters are escaped and settings sit in a code fence longer than any
 * run of backticks they hold.
 */
final class DatasetCard {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

    /** The split samples go to when no {@code --split} is given. */
    static final String DEFAULT_SPLIT = "train";

    static final String HELD_BACK = "held_back";

    private DatasetCard() {}

    /**
     * What an export read from Kafka.
     *
     * @param accepted accepted rows in final form, in acceptance order
     * @param heldBack rows the gate rejected or sent to review (empty unless asked for)
     * @param specs the exported requests' specs by request id
     * @param ledgers their ledgers by request id
     * @param report the dataset's latest report, when there is one
     */
    record Content(
            List<ObjectNode> accepted,
            List<ObjectNode> heldBack,
            Map<String, GenerationRequest> specs,
            Map<String, RequestStatus> ledgers,
            Optional<DatasetReport> report) {}

    /** Rows per split as written (held back last, when there are any). */
    record Layout(Map<String, Long> rows) {}

    /** Writes the data files and the card under {@code dir}. */
    static Layout write(
            Path dir, String dataset, ExportCommand.Format format, Content content, Splits splits, long seed)
            throws IOException {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Map<String, String> labels = new LinkedHashMap<>();
        for (ObjectNode row : content.accepted()) {
            labels.put(row.path("sample_id").asText(), label(row));
        }
        Map<String, String> assigned = splits == null ? Map.of() : splits.assign(labels, seed);
        List<String> names = splits == null
                ? List.of(DEFAULT_SPLIT)
                : List.copyOf(splits.ratios().keySet());
        Map<String, List<ObjectNode>> bySplit = new LinkedHashMap<>();
        names.forEach(n -> bySplit.put(n, new ArrayList<>()));
        for (ObjectNode row : content.accepted()) {
            bySplit.get(assigned.getOrDefault(row.path("sample_id").asText(), DEFAULT_SPLIT))
                    .add(row);
        }
        if (!content.heldBack().isEmpty()) {
            bySplit.put(HELD_BACK, content.heldBack());
        }
        Map<String, Long> rows = new LinkedHashMap<>();
        for (Map.Entry<String, List<ObjectNode>> split : bySplit.entrySet()) {
            try (ExportCommand.RowWriter writer =
                    ExportCommand.writer(format, data.resolve(split.getKey() + "." + format.extension()))) {
                for (ObjectNode row : split.getValue()) {
                    writer.write(row);
                }
            }
            rows.put(split.getKey(), (long) split.getValue().size());
        }
        Files.writeString(dir.resolve("README.md"), render(dataset, format, content, bySplit));
        return new Layout(rows);
    }

    /** The card: YAML front matter between {@code ---} lines, then Markdown. */
    static String render(
            String dataset, ExportCommand.Format format, Content content, Map<String, List<ObjectNode>> bySplit) {
        ObjectNode front = JSON.createObjectNode();
        front.put("pretty_name", dataset);
        ArrayNode tags = front.putArray("tags").add("synthetic").add("synthstream");
        boolean simulated = content.accepted().stream()
                .anyMatch(r -> r.path("provenance").path("simulated").asBoolean());
        if (simulated) {
            tags.add("simulated");
        }
        ArrayNode categories = front.putArray("task_categories");
        content.specs().values().stream()
                .map(s -> taskCategory(s.getTask().getKind()))
                .distinct()
                .sorted()
                .forEach(categories::add);
        long accepted = content.accepted().size();
        front.putArray("size_categories").add(sizeCategory(accepted));
        ArrayNode configs = front.putArray("configs");
        ObjectNode main = configs.addObject().put("config_name", "default").put("default", true);
        ArrayNode files = main.putArray("data_files");
        bySplit.keySet().stream()
                .filter(s -> !s.equals(HELD_BACK))
                .forEach(s -> files.addObject().put("split", s).put("path", "data/" + s + "." + format.extension()));
        if (bySplit.containsKey(HELD_BACK)) {
            configs.addObject()
                    .put("config_name", HELD_BACK)
                    .putArray("data_files")
                    .addObject()
                    .put("split", DEFAULT_SPLIT)
                    .put("path", "data/" + HELD_BACK + "." + format.extension());
        }
        ObjectNode info = front.putObject("dataset_info");
        info.set("features", format == ExportCommand.Format.parquet ? parquetFeatures() : jsonFeatures(content));
        ArrayNode splits = info.putArray("splits");
        bySplit.forEach((name, rows) -> {
            if (!name.equals(HELD_BACK)) {
                splits.addObject().put("name", name).put("num_examples", rows.size());
            }
        });

        StringBuilder md = new StringBuilder();
        try {
            md.append("---\n").append(YAML.writeValueAsString(front)).append("---\n\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        md.append("# ").append(text(dataset)).append("\n\n");
        md.append("Synthetic data generated, curated and scored with SynthStream: ")
                .append(accepted)
                .append(" accepted samples in final form (final label and its source, weight, scores, the judge's"
                        + " rationale, provenance).\n");
        if (simulated) {
            md.append("\n**These samples come from SynthStream's built-in simulator, not a language model.**\n");
        }
        md.append("\n## Splits\n\n| split | samples |");
        List<String> labelNames = labelsOf(content.accepted());
        labelNames.forEach(l -> md.append(' ').append(cell(l)).append(" |"));
        md.append("\n|---|---:|");
        labelNames.forEach(l -> md.append("---:|"));
        md.append('\n');
        bySplit.forEach((name, rows) -> {
            md.append("| ").append(name).append(" | ").append(rows.size()).append(" |");
            for (String l : labelNames) {
                md.append(' ')
                        .append(rows.stream().filter(r -> l.equals(label(r))).count())
                        .append(" |");
            }
            md.append('\n');
        });
        md.append("\nSplits are seeded and stratified by final label; `")
                .append(HELD_BACK)
                .append("` (when present) holds the samples the quality gate rejected or sent to review, with"
                        + " their reasons in `held_back`.\n");
        md.append("\n## Generation and curation settings\n");
        for (GenerationRequest spec : new TreeMap<>(content.specs()).values()) {
            md.append("\n### Request ").append(text(spec.getRequestId())).append("\n\n");
            md.append("- task: ").append(text(spec.getTask().getKind()));
            if (spec.getTask().getDescription() != null) {
                md.append(" — ").append(text(spec.getTask().getDescription()));
            }
            md.append('\n');
            if (!spec.getTask().getLabels().isEmpty()) {
                md.append("- labels: ")
                        .append(text(String.join(", ", spec.getTask().getLabels())))
                        .append('\n');
            }
            if (!spec.getMetadata().isEmpty()) {
                List<String> pairs = new ArrayList<>();
                new TreeMap<>(spec.getMetadata()).forEach((k, v) -> pairs.add(text(k) + "=" + text(v)));
                md.append("- metadata: ").append(String.join(", ", pairs)).append('\n');
            }
            md.append("- count: ")
                    .append(spec.getCount())
                    .append(" (")
                    .append(
                            spec.getQuality() == null
                                    ? "planned"
                                    : text(spec.getQuality().getTarget()))
                    .append(")\n");
            fence(md, "json", specJson(spec));
            RequestStatus ledger = content.ledgers().get(spec.getRequestId());
            if (ledger != null) {
                md.append("\nYield: planned ")
                        .append(ledger.getPlanned())
                        .append(", curated ")
                        .append(ledger.getCurated())
                        .append(", accepted ")
                        .append(ledger.getAccepted())
                        .append("; rejected in curation ")
                        .append(ledger.getRejected())
                        .append(counts(ledger.getRejectedByReason()))
                        .append(", rejected for quality ")
                        .append(ledger.getRejectedQuality())
                        .append(counts(ledger.getRejectedQualityByReason()))
                        .append(", failed ")
                        .append(ledger.getFailed())
                        .append(", surplus ")
                        .append(ledger.getSurplus())
                        .append("; relabelled ")
                        .append(ledger.getRelabeled())
                        .append(counts(ledger.getRelabeledBySource()))
                        .append("; reviewed ")
                        .append(ledger.getReviewed())
                        .append(ledger.getComplete() ? "; complete" : "; NOT complete")
                        .append(".\n");
                java.util.Map<String, io.synthstream.avro.Spend> spends = new java.util.LinkedHashMap<>();
                spends.put("generation", ledger.getGenerationSpend());
                spends.put("proposing attribute values", ledger.getDesignSpend());
                spends.put("the judge", ledger.getJudgeSpend());
                spends.forEach((what, spend) -> {
                    if (spend != null) {
                        md.append("\nSpend on ")
                                .append(what)
                                .append(": ")
                                .append(SpendText.describe(spend))
                                .append(".\n");
                    }
                });
                if (ledger.getAudit() != null) {
                    md.append("\nGate audit (a random share of the gate's decisions checked by people): ")
                            .append(Agreement.describe(ledger.getAudit()))
                            .append(".\n");
                }
            }
        }
        content.report().ifPresent(report -> {
            md.append("\n## Report metrics\n\n| metric | value |\n|---|---:|\n");
            if (report.getFaithfulness() != null) {
                md.append("| judge faithfulness mean (1-5) | ")
                        .append(format(report.getFaithfulness().getMean()))
                        .append(" |\n");
            }
            var d = report.getCumulative();
            row(md, "samples scored", (double) d.getSamples());
            row(md, "distinct-2", d.getDistinct2());
            row(md, "self-BLEU", d.getSelfBleu());
            row(md, "compression ratio", d.getCompressionRatio());
            row(md, "mean pairwise cosine", d.getMeanPairwiseCosine());
            row(md, "Vendi score", d.getVendiScore());
        });
        return md.toString();
    }

    private static String label(ObjectNode row) {
        JsonNode label = row.path("quality").path("label");
        return label.isTextual() ? label.asText() : "";
    }

    private static List<String> labelsOf(List<ObjectNode> rows) {
        return rows.stream()
                .map(DatasetCard::label)
                .filter(l -> !l.isEmpty())
                .distinct()
                .sorted()
                .toList();
    }

    /** The Hub's task category for a task kind. */
    static String taskCategory(String kind) {
        return switch (kind) {
            case TaskKinds.CLASSIFICATION -> "text-classification";
            case TaskKinds.QA -> "question-answering";
            default -> "text-generation";
        };
    }

    /** The Hub's size category for a row count. */
    static String sizeCategory(long n) {
        if (n < 1_000) {
            return "n<1K";
        }
        if (n < 10_000) {
            return "1K<n<10K";
        }
        if (n < 100_000) {
            return "10K<n<100K";
        }
        if (n < 1_000_000) {
            return "100K<n<1M";
        }
        return "1M<n<10M";
    }

    /** Features of the Parquet columns: scalars as {@code dtype}, maps as a sequence of key/value. */
    static ArrayNode parquetFeatures() {
        ArrayNode features = JSON.createArrayNode();
        for (Schema.Field field : ParquetRows.SCHEMA.getFields()) {
            Schema type = field.schema().isUnion() ? field.schema().getTypes().get(1) : field.schema();
            ObjectNode feature = features.addObject().put("name", field.name());
            if (type.getType() == Schema.Type.MAP) {
                ArrayNode entry = feature.putArray("sequence");
                entry.addObject().put("name", "key").put("dtype", "string");
                entry.addObject().put("name", "value").put("dtype", "string");
            } else {
                feature.put("dtype", dtype(type.getType()));
            }
        }
        return features;
    }

    private static String dtype(Schema.Type type) {
        return switch (type) {
            case STRING -> "string";
            case DOUBLE -> "float64";
            case LONG -> "int64";
            case INT -> "int32";
            case BOOLEAN -> "bool";
            default -> throw new IllegalStateException("No Hub dtype for " + type);
        };
    }

    /** Features of the JSON rows: objects as structs of their members (every row's members). */
    static ArrayNode jsonFeatures(Content content) {
        Map<String, Object> shape = new TreeMap<>();
        List<ObjectNode> all = new ArrayList<>(content.accepted());
        all.addAll(content.heldBack());
        all.forEach(row -> merge(shape, row));
        return features(shape);
    }

    @SuppressWarnings("unchecked")
    private static void merge(Map<String, Object> shape, JsonNode node) {
        node.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            if (v.isObject()) {
                Object inner = shape.computeIfAbsent(e.getKey(), k -> new TreeMap<String, Object>());
                if (inner instanceof Map<?, ?> map) {
                    merge((Map<String, Object>) map, v);
                }
            } else if (!v.isNull()) {
                shape.putIfAbsent(
                        e.getKey(),
                        v.isBoolean() ? "bool" : v.isIntegralNumber() ? "int64" : v.isNumber() ? "float64" : "string");
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static ArrayNode features(Map<String, Object> shape) {
        ArrayNode features = JSON.createArrayNode();
        shape.forEach((name, type) -> {
            ObjectNode feature = features.addObject().put("name", name);
            if (type instanceof Map<?, ?> struct) {
                feature.set("struct", features((Map<String, Object>) struct));
            } else {
                feature.put("dtype", (String) type);
            }
        });
        return features;
    }

    private static String specJson(GenerationRequest spec) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(spec.toString()));
        } catch (IOException e) {
            return spec.toString();
        }
    }

    /** A fenced block longer than any backtick run in {@code body}, so the body cannot close it. */
    static void fence(StringBuilder md, String info, String body) {
        int longest = 0;
        int run = 0;
        for (char c : body.toCharArray()) {
            run = c == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        String ticks = "`".repeat(Math.max(3, longest + 1));
        md.append('\n')
                .append(ticks)
                .append(info)
                .append('\n')
                .append(body)
                .append('\n')
                .append(ticks)
                .append('\n');
    }

    /** Text from Kafka in Markdown: HTML characters escaped, line breaks flattened. */
    static String text(String s) {
        return s.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\r", " ")
                .replace("\n", " ");
    }

    /** Text in a Markdown table cell: also pipes escaped. */
    static String cell(String s) {
        return text(s).replace("|", "\\|");
    }

    private static String counts(Map<String, Long> byKey) {
        if (byKey.isEmpty()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        new TreeMap<>(byKey).forEach((k, v) -> parts.add(text(k) + " " + v));
        return " (" + String.join(", ", parts) + ")";
    }

    private static void row(StringBuilder md, String name, Double value) {
        if (value != null) {
            md.append("| ").append(name).append(" | ").append(format(value)).append(" |\n");
        }
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, v == Math.rint(v) ? "%.0f" : "%.3f", v);
    }
}
