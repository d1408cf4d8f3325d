package io.synthstream.common.llm;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in offline model for demos, tests and load tests. Replies come from {@link
 * SimulatedContent}, deterministic for the same seed and prompt; latency is lognormal around a
 * configured median; configured rates of 429s and 5xx exercise the runtime's retries. It always
 * announces itself: a warning at start-up, {@code simulated=true} and model {@value #MODEL} in
 * every trace.
 */
public final class SimulatedProvider implements LlmProvider {
    private static final Logger log = LoggerFactory.getLogger(SimulatedProvider.class);

    /** The model name written on every simulated sample. */
    public static final String MODEL = "synth-simulator-v1";

    /**
     * @param seed mixed into every reply's seed
     * @param medianLatency median of the lognormal latency (zero for instant replies)
     * @param latencySigma sigma of the latency's logarithm (0 = constant)
     * @param content fault rates of the reply text
     * @param rateLimited probability of a 429 (with {@code Retry-After} 1 s)
     * @param serverError probability of a 503
     */
    public record Settings(
            long seed,
            Duration medianLatency,
            double latencySigma,
            SimulatedContent.Rates content,
            double rateLimited,
            double serverError) {
        public static final Settings INSTANT = new Settings(42, Duration.ZERO, 0, SimulatedContent.Rates.NONE, 0, 0);
    }

    private final Settings settings;

    /** What the simulator was built with. */
    public Settings settings() {
        return settings;
    }

    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(OpenAiProvider.daemon("synth-llm-simulator"));

    public SimulatedProvider(Settings settings) {
        this.settings = settings;
        log.warn(
                "LLM provider is the SIMULATOR ({}): samples are synthetic placeholders, not model output."
                        + " Set SYNTH_LLM_PROVIDER=openai and SYNTH_LLM_BASE_URL to use a real model.",
                MODEL);
    }

    @Override
    public String name() {
        return "simulated";
    }

    @Override
    public String defaultModel() {
        return MODEL;
    }

    @Override
    public boolean simulated() {
        return true;
    }

    @Override
    public LlmRequest.ResponseFormat structuredOutput() {
        return LlmRequest.ResponseFormat.JSON_SCHEMA;
    }

    @Override
    public CompletableFuture<LlmResponse> complete(LlmRequest request, Duration timeout) {
        CompletableFuture<LlmResponse> result = new CompletableFuture<>();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        double fault = random.nextDouble();
        long delay = lognormalMillis(settings.medianLatency(), settings.latencySigma());
        Runnable answer;
        if (fault < settings.rateLimited()) {
            answer = () -> result.completeExceptionally(new LlmFailure(
                    LlmFailure.Kind.RATE_LIMITED, 429, "Simulated rate limit", Duration.ofSeconds(1), null));
        } else if (fault < settings.rateLimited() + settings.serverError()) {
            answer = () -> result.completeExceptionally(
                    new LlmFailure(LlmFailure.Kind.SERVER_ERROR, 503, "Simulated server error", null, null));
        } else {
            answer = () -> result.complete(reply(request, delay));
        }
        if (delay <= 0) {
            timer.execute(answer);
        } else {
            timer.schedule(answer, delay, TimeUnit.MILLISECONDS);
        }
        return result;
    }

    private LlmResponse reply(LlmRequest request, long latency) {
        long seed = seedOf(request, settings.seed());
        String content = SimulatedContent.reply(
                lastUserMessage(request), request.schema(), request.hints(), seed, settings.content());
        long prompt = request.estimatedTokens() - (request.maxTokens() == null ? 256 : request.maxTokens());
        return new LlmResponse(content, "stop", MODEL, Math.max(1, prompt), Math.max(1, content.length() / 4), latency);
    }

    private static String lastUserMessage(LlmRequest request) {
        String last = null;
        for (LlmRequest.Message m : request.messages()) {
            if ("user".equals(m.role())) {
                last = m.content();
            }
        }
        return last;
    }

    /** A lognormal latency in millis around {@code median} (0 when the median is zero). */
    public static long lognormalMillis(Duration median, double sigma) {
        long ms = median.toMillis();
        if (ms <= 0) {
            return 0;
        }
        return Math.round(
                Math.exp(Math.log(ms) + sigma * ThreadLocalRandom.current().nextGaussian()));
    }

    /** A seed from the request's own seed and every message: same prompt, same reply. */
    public static long seedOf(LlmRequest request, long providerSeed) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(Long.toString(providerSeed).getBytes(StandardCharsets.UTF_8));
            digest.update(
                    Long.toString(request.seed() == null ? 0 : request.seed()).getBytes(StandardCharsets.UTF_8));
            digest.update(
                    String.valueOf(new java.util.TreeMap<>(request.hints())).getBytes(StandardCharsets.UTF_8));
            for (LlmRequest.Message m : request.messages()) {
                digest.update(m.role().getBytes(StandardCharsets.UTF_8));
                digest.update(m.content().getBytes(StandardCharsets.UTF_8));
            }
            byte[] h = digest.digest();
            long seed = 0;
            for (int i = 0; i < 8; i++) {
                seed = (seed << 8) | (h[i] & 0xff);
            }
            return seed;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
