package io.synthstream.embedding;

import io.synthstream.common.config.Setting;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.llm.LlmSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The embedding settings of an app, declared once for every app that embeds ({@link #declare}),
 * under the app's prefix: {@code <prefix>.embeddings} (the source), {@code .embeddings.model},
 * {@code .embeddings.base.url}, {@code .embeddings.dimensions}, {@code <prefix>.embedding.threads}
 * and {@code <prefix>.native.cache.dir}; and the pool they describe ({@link Declared#pool}).
 */
public final class EmbeddingSettings {
    /** Embedding sources. */
    public enum Source {
        MINILM,
        OPENAI,
        NONE
    }

    private EmbeddingSettings() {}

    /** One app's embedding settings. */
    public record Declared(
            Setting<String> source,
            Setting<String> model,
            Setting<String> baseUrl,
            Setting<Integer> dimensions,
            Setting<Integer> threads,
            Setting<String> nativeCacheDir) {
        /** The settings, in the order the docs list them. */
        public List<Setting<?>> all() {
            return List.of(source, model, baseUrl, dimensions, threads, nativeCacheDir);
        }

        public Source source(SynthConfig config) {
            return Source.valueOf(config.get(source).toUpperCase(Locale.ROOT));
        }

        /** The embeddings endpoint's base URL, else llm.base.url; null when neither is set. */
        public String baseUrl(SynthConfig config) {
            String url = config.get(baseUrl);
            return url != null ? url : config.get(LlmSettings.BASE_URL);
        }

        public Path nativeCacheDir(SynthConfig config) {
            return Path.of(config.get(nativeCacheDir));
        }

        /**
         * The configured embedding pool, or null when embeddings are off. Remote embeddings are
         * admitted and retried like {@code runtime}'s chat calls: one set of limits per endpoint.
         * The in-process model is loaded on the pool's first call, not here, so an app that never
         * embeds never pays for it.
         */
        public Embeddings pool(SynthConfig config, LlmRuntime runtime) {
            int expected = config.get(dimensions);
            return switch (source(config)) {
                case NONE -> null;
                case MINILM -> {
                    if (expected != 0 && expected != MiniLmEmbedder.DIMENSION) {
                        throw new ConfigException(dimensions.key() + "=" + expected + " but " + MiniLmEmbedder.NAME
                                + " has " + MiniLmEmbedder.DIMENSION + " dimensions");
                    }
                    Path cache = nativeCacheDir(config);
                    yield new Embeddings(
                            () -> MiniLmEmbedder.load(cache),
                            MiniLmEmbedder.NAME,
                            MiniLmEmbedder.DIMENSION,
                            config.get(threads));
                }
                case OPENAI -> {
                    String url = baseUrl(config);
                    if (url == null) {
                        throw new ConfigException(source.key() + "=openai needs " + baseUrl.key() + " or llm.base.url");
                    }
                    Password key = config.get(LlmSettings.API_KEY);
                    OpenAiEmbedder embedder = new OpenAiEmbedder(
                            url,
                            config.get(model),
                            key == null ? null : key.value(),
                            config.get(LlmSettings.TIMEOUT_MS),
                            runtime.limits().retry(),
                            runtime.gate());
                    yield new Embeddings(() -> embedder, embedder.name(), expected, config.get(threads));
                }
            };
        }
    }

    /**
     * Declares the settings under {@code prefix}.
     *
     * @param defaultSource the source when unset: {@code minilm}, {@code openai} or {@code none}
     * @param uses what the app embeds for, for the docs
     */
    public static Declared declare(String prefix, String defaultSource, String uses) {
        return new Declared(
                Setting.string(
                                prefix + ".embeddings",
                                defaultSource,
                                Importance.HIGH,
                                "Sentence embeddings for " + uses + ": minilm (all-MiniLM-L6-v2 in-process, loaded"
                                        + " on first use), openai (an OpenAI-compatible /v1/embeddings endpoint) or"
                                        + " none.")
                        .oneOf("minilm", "openai", "none"),
                Setting.string(
                        prefix + ".embeddings.model",
                        "text-embedding-3-small",
                        Importance.MEDIUM,
                        "Embedding model when " + prefix + ".embeddings=openai."),
                Setting.string(
                        prefix + ".embeddings.base.url",
                        null,
                        Importance.MEDIUM,
                        "Base URL of the embeddings endpoint (…/v1); unset uses llm.base.url. The key is"
                                + " llm.api.key."),
                Setting.integer(
                                prefix + ".embeddings.dimensions",
                                0,
                                Importance.MEDIUM,
                                "The dimensions every vector must have: a vector of another size (the model"
                                        + " changed mid-dataset) dead-letters its sample, naming both sizes. 0 takes"
                                        + " the model's: 384 for minilm, the first vector's for openai.")
                        .between(0, 65_536),
                Setting.integer(
                                prefix + ".embedding.threads",
                                1,
                                Importance.MEDIUM,
                                "Threads computing embeddings, one ONNX Runtime thread each.")
                        .between(1, 64),
                Setting.string(
                                prefix + ".native.cache.dir",
                                Path.of(System.getProperty("java.io.tmpdir"), "synthstream-native")
                                        .toString(),
                                Importance.LOW,
                                "Directory for ONNX Runtime's and the tokenizer's native libraries (extracted"
                                        + " once).")
                        .documentedAs("$TMPDIR/synthstream-native"));
    }
}
