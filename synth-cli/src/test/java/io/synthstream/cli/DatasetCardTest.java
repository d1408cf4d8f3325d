package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.synthstream.avro.DatasetSample;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Sample;
import io.synthstream.schemas.TestRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dataset directory of {@code synth export --split/--card}: seeded stratified splits, the
 * Parquet read back with parquet-java, and the card's front matter checked against the layout the
 * Hugging Face Hub documents for dataset cards.
 */
class DatasetCardTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** The Hub's scalar feature dtypes our exports use (a subset of datasets.Value's). */
    private static final Set<String> HUB_DTYPES = Set.of("string", "bool", "int32", "int64", "float64");

    @TempDir
    Path dir;

    private static List<ObjectNode> rows(int n) {
        List<ObjectNode> rows = new ArrayList<>();
        String[] labels = {"positive", "negative", "neutral"};
        for (int i = 0; i < n; i++) {
            String label = labels[i % 5 == 0 ? 2 : i % 2];
            Sample sample = TestRecords.sample("s-" + i);
            sample.setFields(Map.of("text", "Sample <b>" + i + "</b> | ok", "label", label));
            var scored = TestRecords.scoredSample();
            scored.setSample(sample);
            DatasetSample accepted = DatasetSample.newBuilder(TestRecords.datasetSample())
                    .setSampleId("s-" + i)
                    .setFields(sample.getFields())
                    .setLabel(label)
                    .setScored(scored)
                    .build();
            rows.add(ExportCommand.json(accepted, null));
        }
        return rows;
    }

    private static DatasetCard.Content content(List<ObjectNode> rows) {
        GenerationRequest spec = TestRecords.request("r-1");
        spec.getTask().setDescription("reviews ``` <script>alert(1)</script>");
        spec.setMetadata(Map.of("team", "search <ranking>"));
        return new DatasetCard.Content(
                rows,
                List.of(ExportCommand.json(TestRecords.scoredSample())),
                Map.of("r-1", spec),
                Map.of("r-1", TestRecords.status()),
                Optional.of(TestRecords.report()));
    }

    private static JsonNode frontMatter(String card) throws Exception {
        assertThat(card).startsWith("---\n");
        int end = card.indexOf("\n---\n", 4);
        assertThat(end).as("front matter closed by ---").isPositive();
        return YAML.readTree(card.substring(4, end + 1));
    }

    private static List<GenericRecord> readParquet(Path file) throws Exception {
        List<GenericRecord> out = new ArrayList<>();
        try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file))
                .withConf(new PlainParquetConfiguration())
                .build()) {
            for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
                out.add(r);
            }
        }
        return out;
    }

    @Test
    void writesStratifiedSplitsAParquetATrainerCanReadAndACardInTheHubLayout() throws Exception {
        List<ObjectNode> rows = rows(200);
        Splits splits = Splits.parse("train=0.8,validation=0.1,test=0.1");
        DatasetCard.Layout layout =
                DatasetCard.write(dir, "reviews", ExportCommand.Format.parquet, content(rows), splits, 7);

        assertThat(layout.rows()).containsEntry("train", 160L).containsEntry("validation", 20L);
        assertThat(layout.rows()).containsEntry("test", 20L).containsEntry(DatasetCard.HELD_BACK, 1L);

        // Parquet read back with parquet-java: every accepted sample once, labels stratified.
        Set<String> seen = new TreeSet<>();
        Map<String, Map<String, Integer>> labelsBySplit = new HashMap<>();
        for (String split : List.of("train", "validation", "test")) {
            List<GenericRecord> records = readParquet(dir.resolve("data/" + split + ".parquet"));
            assertThat((long) records.size()).isEqualTo(layout.rows().get(split));
            for (GenericRecord r : records) {
                assertThat(seen.add(r.get("sample_id").toString())).isTrue();
                labelsBySplit
                        .computeIfAbsent(split, k -> new HashMap<>())
                        .merge(r.get("label").toString(), 1, Integer::sum);
                assertThat(r.get("weight")).isEqualTo(0.75);
                assertThat(r.get("faithfulness_rationale").toString()).isEqualTo("matches label");
            }
        }
        assertThat(seen).hasSize(200);
        // 40 neutral, 80 positive, 80 negative: each split holds each label in proportion (±1).
        assertThat(labelsBySplit.get("train").get("neutral")).isBetween(31, 33);
        assertThat(labelsBySplit.get("test").get("positive")).isBetween(7, 9);
        assertThat(labelsBySplit.get("validation").get("negative")).isBetween(7, 9);

        // The card: front matter in the Hub's dataset card layout, matching the files.
        String card = Files.readString(dir.resolve("README.md"));
        JsonNode front = frontMatter(card);
        assertThat(front.path("pretty_name").asText()).isEqualTo("reviews");
        assertThat(front.path("task_categories").get(0).asText()).isEqualTo("text-classification");
        assertThat(front.path("size_categories").get(0).asText()).isEqualTo("n<1K");
        assertThat(front.path("tags").toString()).contains("synthetic").contains("simulated");
        JsonNode configs = front.path("configs");
        assertThat(configs.get(0).path("config_name").asText()).isEqualTo("default");
        List<String> declared = new ArrayList<>();
        for (JsonNode file : configs.get(0).path("data_files")) {
            declared.add(file.path("split").asText());
            assertThat(dir.resolve(file.path("path").asText())).exists();
        }
        assertThat(declared).containsExactly("train", "validation", "test");
        assertThat(configs.get(1).path("config_name").asText()).isEqualTo(DatasetCard.HELD_BACK);
        long examples = 0;
        for (JsonNode split : front.path("dataset_info").path("splits")) {
            examples += split.path("num_examples").asLong();
        }
        assertThat(examples).isEqualTo(200);
        // Features name exactly the Parquet columns, with the Hub's dtypes (maps as key/value sequences).
        List<String> columns = new ArrayList<>();
        readParquet(dir.resolve("data/train.parquet"))
                .get(0)
                .getSchema()
                .getFields()
                .forEach(f -> columns.add(f.name()));
        List<String> features = new ArrayList<>();
        for (JsonNode feature : front.path("dataset_info").path("features")) {
            features.add(feature.path("name").asText());
            if (feature.has("dtype")) {
                assertThat(HUB_DTYPES).contains(feature.path("dtype").asText());
            } else {
                assertThat(feature.path("sequence").get(0).path("name").asText())
                        .isEqualTo("key");
            }
        }
        assertThat(features).isEqualTo(columns);

        // The body: counts, settings, yield and metrics; text from Kafka cannot inject HTML or close the fence.
        assertThat(card)
                .contains("| train | 160 |")
                .contains("## Report metrics")
                .contains("Yield: planned");
        // Outside code fences (whose content Markdown shows literally) no HTML from Kafka survives.
        assertThat(card).contains("````json");
        String outsideFences = card.replaceAll("(?s)````json\n.*?\n````\n", "");
        assertThat(outsideFences)
                .doesNotContain("<script>")
                .doesNotContain("<b>")
                .contains("&lt;script&gt;");
    }

    @Test
    void theSameSamplesAndSeedGiveTheSameSplitsWhateverTheirOrder() {
        Map<String, String> labels = new HashMap<>();
        for (int i = 0; i < 101; i++) {
            labels.put("s-" + i, i % 3 == 0 ? "a" : "b");
        }
        Splits splits = Splits.parse("train=0.7,test=0.3");
        Map<String, String> first = splits.assign(labels, 11);
        List<String> shuffled = new ArrayList<>(labels.keySet());
        Collections.shuffle(shuffled, new java.util.Random(3));
        Map<String, String> reordered = new java.util.LinkedHashMap<>();
        shuffled.forEach(id -> reordered.put(id, labels.get(id)));

        assertThat(splits.assign(reordered, 11)).isEqualTo(first);
        assertThat(splits.assign(labels, 12)).isNotEqualTo(first);
        assertThat(first.values().stream().filter("train"::equals).count()).isEqualTo(71);
    }

    @Test
    void badSplitsAreRefusedNamingEveryProblem() {
        assertThatThrownBy(() -> Splits.parse("train=0.8,Test=0.1,dev=x"))
                .hasMessageContaining("'Test=0.1'")
                .hasMessageContaining("dev: share 'x' is not a number");
        assertThatThrownBy(() -> Splits.parse("train=0.5,test=0.2")).hasMessageContaining("sum to 0.7");
        assertThatThrownBy(() -> Splits.parse("train=0.5,train=0.5")).hasMessageContaining("named twice");
    }

    @Test
    void jsonlCardsDescribeNestedObjectsAsStructs() throws Exception {
        DatasetCard.write(dir, "reviews", ExportCommand.Format.jsonl, content(rows(10)), null, 1);
        JsonNode front = frontMatter(Files.readString(dir.resolve("README.md")));
        JsonNode features = front.path("dataset_info").path("features");
        JsonNode scores = null;
        for (JsonNode f : features) {
            if (f.path("name").asText().equals("scores")) {
                scores = f;
            }
        }
        assertThat(scores).isNotNull();
        assertThat(scores.path("struct").toString())
                .contains("\"faithfulness\"")
                .contains("float64");
        assertThat(dir.resolve("data/train.jsonl")).exists();
        assertThat(Files.readAllLines(dir.resolve("data/train.jsonl"))).hasSize(10);
    }
}
