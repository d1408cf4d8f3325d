package io.synthstream.generator.logic;

import io.synthstream.avro.Chunking;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.SeedRecord;
import io.synthstream.avro.SeedRef;
import io.synthstream.avro.SeedSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Seeds (the survey's support set, D_sup): which requests have them, what their settings must
 * be, which seed fields a request uses, and how one seed becomes the seed references of its
 * chunks. Pure functions: a replay expands a seed into the same chunks.
 */
public final class Seeds {
    public static final String INLINE = "inline";
    public static final String FILE = "file";
    public static final String TOPIC = "topic";
    public static final List<String> SOURCES = List.of(INLINE, FILE, TOPIC);
    public static final List<String> FORMATS = List.of("json", "avro");
    public static final int MAX_SAMPLES_PER_SEED = 100;
    /** The template variable that holds the seed's fields: {@code {{ seed.text }}}. */
    public static final String VARIABLE = "seed";

    private Seeds() {}

    public static boolean seeded(GenerationRequest request) {
        return request.getSeeds() != null;
    }

    /** Whether the request takes its seeds from a live topic until it is stopped. */
    public static boolean continuous(GenerationRequest request) {
        return seeded(request) && TOPIC.equals(request.getSeeds().getSource());
    }

    /**
     * How many seeds the request will have in all, or -1 while that is open (a topic): inline
     * records, or the count {@code synth submit --seeds} published.
     */
    public static long expected(GenerationRequest request) {
        SeedSettings seeds = request.getSeeds();
        if (INLINE.equals(seeds.getSource())) {
            return seeds.getRecords().size();
        }
        return seeds.getExpected() == null ? -1 : seeds.getExpected();
    }

    /** The seed fields a request's templates and {@code keep} mapping reference. */
    public static Set<String> referenced(GenerationRequest request) {
        Set<String> fields = new TreeSet<>(RequestValidator.seedFieldsUsed(request));
        if (seeded(request)) {
            fields.addAll(request.getSeeds().getKeep().values());
        }
        return fields;
    }

    /** The referenced fields that {@code fields} lacks (blank values count as missing). */
    public static List<String> missing(Set<String> referenced, Map<String, String> fields) {
        List<String> missing = new ArrayList<>();
        for (String name : referenced) {
            String value = fields.get(name);
            if (value == null || value.isBlank()) {
                missing.add(name);
            }
        }
        return missing;
    }

    /** The problems of a request's seed settings, each naming the field. */
    public static List<String> problems(GenerationRequest request) {
        List<String> problems = new ArrayList<>();
        SeedSettings seeds = request.getSeeds();
        if (seeds == null) {
            return problems;
        }
        if (!SOURCES.contains(seeds.getSource())) {
            problems.add("seeds.source '" + seeds.getSource() + "' is unknown; use " + SOURCES);
            return problems;
        }
        switch (seeds.getSource()) {
            case INLINE -> {
                if (seeds.getRecords().isEmpty()) {
                    problems.add("seeds.records is empty; list the seed records, or use source file"
                            + " (synth submit --seeds FILE) or topic");
                }
            }
            case FILE -> {
                if (seeds.getExpected() == null || seeds.getExpected() < 1) {
                    problems.add("seeds.source file needs seeds.expected (the number of seeds published to"
                            + " synth.seeds); synth submit --seeds FILE sets it");
                }
            }
            default -> {
                if (seeds.getTopic() == null || seeds.getTopic().isBlank()) {
                    problems.add("seeds.source topic needs seeds.topic, the Kafka topic to read seeds from");
                } else if (!seeds.getTopic().matches("[a-zA-Z0-9._-]{1,249}")) {
                    problems.add("seeds.topic '" + seeds.getTopic() + "' is not a valid Kafka topic name");
                } else if (seeds.getTopic().startsWith("synth.")) {
                    problems.add("seeds.topic '" + seeds.getTopic() + "' is one of SynthStream's own topics;"
                            + " read seeds from a topic of yours");
                }
                if (!FORMATS.contains(seeds.getFormat())) {
                    problems.add("seeds.format '" + seeds.getFormat() + "' is unknown; use " + FORMATS);
                }
            }
        }
        if (!INLINE.equals(seeds.getSource()) && !seeds.getRecords().isEmpty()) {
            problems.add("seeds.records is only read with source inline; the source is " + seeds.getSource());
        }
        if (seeds.getSamplesPerSeed() < 1 || seeds.getSamplesPerSeed() > MAX_SAMPLES_PER_SEED) {
            problems.add("seeds.samples_per_seed must be within [1, " + MAX_SAMPLES_PER_SEED + "], got "
                    + seeds.getSamplesPerSeed());
        }
        if (seeds.getChunking() != null) {
            problems.addAll(Chunker.problems("seeds.chunking", seeds.getChunking()));
        }
        Set<String> outputs = new TreeSet<>();
        StepPlan.of(request).forEach(step -> step.outputFields().forEach(f -> outputs.add(f.getName())));
        seeds.getKeep().forEach((output, field) -> {
            if (!outputs.contains(output)) {
                problems.add("seeds.keep." + output + ": the task has no output field '" + output + "'; use one of "
                        + outputs);
            }
        });
        if (INLINE.equals(seeds.getSource())) {
            Set<String> referenced = referenced(request);
            List<Map<String, String>> records = seeds.getRecords();
            for (int i = 0; i < records.size() && problems.size() < 20; i++) {
                List<String> missing = missing(referenced, records.get(i));
                if (!missing.isEmpty()) {
                    problems.add("seeds.records[" + i + "] lacks " + missing + ", which the templates use");
                }
            }
        }
        if ("accepted"
                .equals(io.synthstream.common.quality.QualityPolicy.of(request).target())) {
            problems.add("quality.target accepted cannot be combined with seeds (each seed yields samples_per_seed"
                    + " samples); use target planned");
        }
        return problems;
    }

    /** The inline seeds of a request as seed records, numbered from 0. */
    public static List<SeedRecord> inline(GenerationRequest request, Instant now) {
        List<SeedRecord> records = new ArrayList<>();
        List<Map<String, String>> inline = request.getSeeds().getRecords();
        for (int i = 0; i < inline.size(); i++) {
            records.add(SeedRecord.newBuilder()
                    .setRequestId(request.getRequestId())
                    .setSeedId(seedId(request.getSeeds(), inline.get(i), Integer.toString(i + 1)))
                    .setSource(INLINE)
                    .setFields(new LinkedHashMap<>(inline.get(i)))
                    .setCreatedAt(now)
                    .build());
        }
        return records;
    }

    /** The seed's id: its {@code id_field} when set and present, else {@code fallback}. */
    public static String seedId(SeedSettings settings, Map<String, String> fields, String fallback) {
        String field = settings.getIdField();
        String id = field == null ? null : fields.get(field);
        return id == null || id.isBlank() ? fallback : id;
    }

    /**
     * The references of one seed's chunks: one per chunk of the chunked field (the other fields
     * copied into each), or one for the whole seed. Empty when the chunked field is empty.
     */
    public static List<SeedRef> expand(GenerationRequest request, SeedRecord seed, long ordinal) {
        Chunking chunking = request.getSeeds().getChunking();
        List<SeedRef> refs = new ArrayList<>();
        if (chunking == null || !seed.getFields().containsKey(chunking.getField())) {
            refs.add(ref(seed, ordinal, 0, 1, seed.getFields()));
            return refs;
        }
        List<String> chunks = Chunker.chunks(seed.getFields().get(chunking.getField()), chunking);
        for (int c = 0; c < chunks.size(); c++) {
            Map<String, String> fields = new HashMap<>(seed.getFields());
            fields.put(chunking.getField(), chunks.get(c));
            refs.add(ref(seed, ordinal, c, chunks.size(), fields));
        }
        return refs;
    }

    private static SeedRef ref(SeedRecord seed, long ordinal, int chunk, int chunks, Map<String, String> fields) {
        return SeedRef.newBuilder()
                .setSeedId(seed.getSeedId())
                .setSource(seed.getSource())
                .setOrdinal(ordinal)
                .setChunk(chunk)
                .setChunks(chunks)
                .setFields(new LinkedHashMap<>(fields))
                .build();
    }

    /** The sample's fields with each {@code keep} output field taken from the seed. */
    public static void keep(GenerationRequest request, SeedRef seed, Map<String, String> fields) {
        if (seed == null || request.getSeeds() == null) {
            return;
        }
        request.getSeeds().getKeep().forEach((output, field) -> {
            String value = seed.getFields().get(field);
            if (value != null) {
                fields.put(output, value);
            }
        });
    }

    /** The text the simulator and the echo check treat as the seed: the chunked field, else all fields. */
    public static String text(GenerationRequest request, SeedRef seed) {
        if (seed == null) {
            return null;
        }
        Chunking chunking =
                request.getSeeds() == null ? null : request.getSeeds().getChunking();
        String field = chunking == null ? "text" : chunking.getField();
        String text = seed.getFields().get(field);
        return text != null
                ? text
                : String.join("\n", new TreeSet<>(seed.getFields().values()));
    }
}
