package io.synthstream.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.synthstream.common.json.JsonFields;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;

/**
 * Reads a seed file one record at a time (never the whole file in memory): JSON Lines (one object
 * per line), CSV with a header row, or Parquet. Every value becomes text: strings as they are,
 * other JSON values as JSON. A record that cannot be read, or lacks a field the request uses, is
 * a {@link Problem} with its line (JSONL, CSV) or row (Parquet) number.
 */
final class SeedFiles {
    /** Formats by file extension. */
    static final List<String> FORMATS = List.of("jsonl", "csv", "parquet");

    private static final ObjectMapper JSON = new ObjectMapper();

    private SeedFiles() {}

    /** A usable seed: its line (or row) number, from 1, and its fields. */
    record Seed(long line, Map<String, String> fields) {}

    /** A line that is no usable seed. */
    record Problem(long line, String message) {
        @Override
        public String toString() {
            return "line " + line + ": " + message;
        }
    }

    /** What {@link #read} calls for each record. */
    interface Visitor {
        void seed(Seed seed);

        void problem(Problem problem);

        /** The field names of every record that parsed, usable or not. */
        default void fields(Set<String> names) {}
    }

    /** The file's format by its extension (.jsonl/.ndjson/.json, .csv, .parquet). */
    static String format(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
            return "jsonl";
        }
        if (name.endsWith(".csv")) {
            return "csv";
        }
        if (name.endsWith(".parquet")) {
            return "parquet";
        }
        throw new SpecFiles.InvalidSpecException(file + ": unknown seed file type; use .jsonl (one JSON object per"
                + " line), .csv (with a header row) or .parquet");
    }

    /**
     * Reads every record of {@code file}, in order.
     *
     * @param required fields every seed must have (non-blank); a record without one is a problem
     */
    static void read(Path file, Set<String> required, Visitor visitor) {
        if (!Files.isRegularFile(file)) {
            throw new SpecFiles.InvalidSpecException(file + ": no such file");
        }
        Visitor checked = new Visitor() {
            @Override
            public void seed(Seed seed) {
                visitor.fields(seed.fields().keySet());
                List<String> missing = new ArrayList<>();
                for (String field : required) {
                    String value = seed.fields().get(field);
                    if (value == null || value.isBlank()) {
                        missing.add(field);
                    }
                }
                if (missing.isEmpty()) {
                    visitor.seed(seed);
                } else {
                    visitor.problem(new Problem(
                            seed.line(),
                            "lacks " + String.join(", ", missing) + " (the request's templates use it); its fields"
                                    + " are " + seed.fields().keySet()));
                }
            }

            @Override
            public void problem(Problem problem) {
                visitor.problem(problem);
            }
        };
        try {
            switch (format(file)) {
                case "csv" -> csv(file, checked);
                case "parquet" -> parquet(file, checked);
                default -> jsonl(file, checked);
            }
        } catch (NoSuchFileException e) {
            throw new SpecFiles.InvalidSpecException(file + ": no such file");
        } catch (IOException e) {
            throw new SpecFiles.InvalidSpecException(file + ": cannot read: " + e.getMessage());
        }
    }

    private static void jsonl(Path file, Visitor visitor) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    visitor.problem(new Problem(number, "not JSON: " + e.getOriginalMessage()));
                    continue;
                }
                if (node == null || !node.isObject()) {
                    visitor.problem(new Problem(number, "expected a JSON object, got " + describe(node)));
                    continue;
                }
                visitor.seed(new Seed(number, JsonFields.of(node)));
            }
        }
    }

    private static void csv(Path file, Visitor visitor) throws IOException {
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.FAIL_ON_MISSING_HEADER_COLUMNS);
        CsvSchema schema = CsvSchema.emptySchema().withHeader();
        try (MappingIterator<Map<String, String>> rows =
                mapper.readerForMapOf(String.class).with(schema).readValues(file.toFile())) {
            long line = 1; // the header; a row's number counts rows (a quoted line break stays in its row)
            while (true) {
                line++;
                boolean more;
                try {
                    more = rows.hasNextValue();
                } catch (IOException | RuntimeException e) {
                    visitor.problem(new Problem(line, "not CSV: " + firstLine(e.getMessage())));
                    return; // the parser cannot resume after a broken row
                }
                if (!more) {
                    return;
                }
                try {
                    visitor.seed(new Seed(line, new LinkedHashMap<>(rows.nextValue())));
                } catch (IOException | RuntimeException e) {
                    visitor.problem(new Problem(line, firstLine(e.getMessage())));
                }
            }
        }
    }

    private static void parquet(Path file, Visitor visitor) throws IOException {
        try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(
                        new LocalInputFile(file), new PlainParquetConfiguration())
                .build()) {
            GenericRecord row;
            long number = 0;
            while ((row = reader.read()) != null) {
                number++;
                visitor.seed(new Seed(number, JsonFields.of(row)));
            }
        }
    }

    private static String describe(JsonNode node) {
        return node == null ? "nothing" : node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
