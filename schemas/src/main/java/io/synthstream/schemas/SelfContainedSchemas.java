package io.synthstream.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;

/**
 * Writes, for each record of {@code src/main/avro}, its self-contained schema: one JSON document
 * with every named type it uses inlined where first used, which a client in any language can
 * register or parse on its own (the one-record-per-file sources refer to each other by name and
 * cannot). Run by the build into {@code avro-self-contained/<full name>.avsc} of the schemas jar.
 */
public final class SelfContainedSchemas {
    /** Where in the jar (and on the classpath) the schemas are. */
    public static final String RESOURCE_DIR = "avro-self-contained";

    private SelfContainedSchemas() {}

    /** @param args the directory of the {@code .avsc} sources, and the output directory */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: SelfContainedSchemas <avro source dir> <output dir>");
        }
        List<Path> written = write(Path.of(args[0]), Path.of(args[1]));
        System.out.println("wrote " + written.size() + " self-contained schemas to " + args[1]);
    }

    /** Writes one file per source record and returns the files written. */
    public static List<Path> write(Path sources, Path out) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Files.createDirectories(out);
        try (Stream<Path> files = Files.list(sources)) {
            List<Path> avsc =
                    files.filter(p -> p.toString().endsWith(".avsc")).sorted().toList();
            List<Path> written = new java.util.ArrayList<>();
            for (Path source : avsc) {
                JsonNode declared = json.readTree(source.toFile());
                String fullName = declared.path("namespace").asText() + "."
                        + declared.path("name").asText();
                Schema schema = SpecificData.get().getSchema(classOf(fullName));
                Path file = out.resolve(fullName + ".avsc");
                Files.writeString(file, schema.toString(true) + "\n", StandardCharsets.UTF_8);
                written.add(file);
            }
            return written;
        }
    }

    private static Class<?> classOf(String fullName) {
        try {
            return Class.forName(fullName);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("no generated class " + fullName + " for its .avsc source", e);
        }
    }
}
