package io.synthstream.common.streams.async;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Spend;
import io.synthstream.avro.StoredResponse;
import io.synthstream.common.llm.LlmLimits;
import io.synthstream.common.llm.LlmProvider;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.common.llm.LlmResponse;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.llm.ResponseKeys;
import io.synthstream.common.llm.ResponseLog;
import io.synthstream.common.metrics.SynthMeters;
import io.synthstream.common.streams.ResponseStore;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.testing.MutableClock;
import io.synthstream.common.testing.ProcessorTestSupport;
import io.synthstream.common.topics.Topics;
import io.synthstream.schemas.TestRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The async stage with kept replies (docs/spend.md): a paid reply is written before the task sees
 * it, a re-issued call takes the kept reply instead of paying again, the transaction that uses a
 * reply forgets it, and the cache answers identical calls at the same place within its retention.
 */
class KeptRepliesTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration DRAIN = Duration.ofMillis(20);
    private static final String PENDING = "kept-pending";
    private static final String SPECS = "kept-specs";
    private static final String RESPONSES = "kept-responses";
    private static final Duration CACHE_RETENTION = Duration.ofDays(1);

    private final PaidProvider provider = new PaidProvider();
    private final RecordingLog responseLog = new RecordingLog();
    private final LlmRuntime runtime =
            new LlmRuntime(provider, LlmLimits.defaults().withRetries(1, Duration.ZERO, Duration.ZERO));
    private final MutableClock clock = new MutableClock(NOW);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final SynthSerdes serdes = ProcessorTestSupport.serdes();
    private MockProcessorContext<String, String> context;
    private KeyValueStore<String, byte[]> kept;
    private TimestampedKeyValueStore<String, GenerationRequest> specs;
    private AsyncStage<String, String, String> stage;

    @BeforeEach
    void setUp() {
        runtime.keepResponses(responseLog);
        context = ProcessorTestSupport.context("kept-test", meters);
        ProcessorTestSupport.keyValueStore(context, PENDING, Serdes.String(), Serdes.String());
        kept = ProcessorTestSupport.keyValueStore(context, RESPONSES, Serdes.String(), Serdes.ByteArray());
        specs = ProcessorTestSupport.specsStore(context, SPECS, serdes);
        ProcessorTestSupport.putSpec(specs, TestRecords.request("r-1"));
        start(CACHE_RETENTION);
    }

    @AfterEach
    void tearDown() {
        stage.close();
        runtime.close();
    }

    private void start(Duration cacheRetention) {
        if (stage != null) {
            stage.close();
        }
        AsyncStage.Setup<String> setup = new AsyncStage.Setup<>(
                "kept-test",
                "test",
                PENDING,
                SPECS,
                new AsyncSettings(DRAIN, Duration.ofSeconds(60)),
                runtime,
                clock,
                letter -> "dlq:" + letter.getReason(),
                SynthMeters.GENERATOR_SAMPLES,
                new AsyncStage.Kept<>(
                        new ResponseStore(RESPONSES, serdes, cacheRetention, clock), key -> "forget:" + key));
        stage = new AsyncStage<>(setup, new OneCallWork());
        stage.init(context);
    }

    /** Input {@code requestId/key}: one entry that makes one call, at place {@code p-<key>}. */
    private final class OneCallWork implements AsyncWork<String, String, String> {
        @Override
        public Map<String, String> start(String input, long timestamp) {
            String[] parts = input.split("/");
            return Map.of(parts[1], parts[0] + "|" + timestamp);
        }

        @Override
        public String requestId(String entry) {
            return entry.split("\\|")[0];
        }

        @Override
        public String dataset(String entry) {
            return "d";
        }

        @Override
        public long since(String entry) {
            return Long.parseLong(entry.split("\\|")[1]);
        }

        @Override
        public Step<String, String> begin(String key, String entry, GenerationRequest spec) {
            return Step.proceed(List.of(Call.llm("ask", request(), "p-" + key)));
        }

        @Override
        public Step<String, String> specMissing(String key, String entry) {
            throw new AssertionError("every spec is there");
        }

        @Override
        public Step<String, String> finished(
                String key, String entry, GenerationRequest spec, CallResult result, boolean othersOutstanding) {
            LlmRuntime.Completion completion = ((CallResult.Answer) result).completion();
            Spend spend = completion.spend();
            return Step.<String, String>finish()
                    .emit(
                            key,
                            "done:" + completion.response().content() + ":calls=" + spend.getCalls() + ":recovered="
                                    + spend.getRecoveredCalls() + ":cached=" + spend.getCachedCalls() + ":saved="
                                    + spend.getSavedCostUsd());
        }
    }

    private static LlmRequest request() {
        return LlmRequest.text("write one review");
    }

    private void process(String input) {
        stage.process(new Record<>("in", input, NOW.toEpochMilli()));
    }

    private void drain() {
        ProcessorTestSupport.punctuate(context, DRAIN, clock.millis());
    }

    private List<String> forwarded() {
        List<String> values = new ArrayList<>();
        context.forwarded()
                .forEach(f -> values.add(f.record().key() + "=" + f.record().value()));
        return values;
    }

    private void keep(String key, String content, double cost, Instant answeredAt) {
        StoredResponse reply = StoredResponse.newBuilder()
                .setContent(content)
                .setFinishReason("stop")
                .setModel("gpt-4o-mini")
                .setPromptTokens(100)
                .setCompletionTokens(50)
                .setLatencyMs(300)
                .setAttempts(1)
                .setSpend(Spend.newBuilder()
                        .setCalls(1)
                        .setPromptTokens(100)
                        .setCompletionTokens(50)
                        .setCostUsd(cost)
                        .build())
                .setAnsweredAt(answeredAt)
                .build();
        kept.put(key, serdes.value(Topics.LLM_RESPONSES).serializer().serialize(Topics.LLM_RESPONSES.name(), reply));
    }

    private double responses(String outcome) {
        return meters.counter("synth.llm.responses", "app", "kept-test", "outcome", outcome)
                .count();
    }

    @Test
    void aPaidReplyIsKeptBeforeTheTaskSeesItAndForgottenByTheTransactionThatUsesIt() {
        process("r-1/s-1");
        assertThat(provider.idempotencyKeys)
                .containsExactly(ResponseKeys.idempotencyKey(ResponseKeys.call("s-1/ask", request())));

        provider.reply("hello");
        drain();
        assertThat(responseLog.keys)
                .containsExactly(
                        List.of(ResponseKeys.call("s-1/ask", request()), ResponseKeys.cache("p-s-1/ask", request())));
        assertThat(forwarded())
                .as("not handed over before the write is acknowledged")
                .isEmpty();

        responseLog.acknowledgeAll();
        drain();

        String callKey = ResponseKeys.call("s-1/ask", request());
        assertThat(forwarded())
                .containsExactly(
                        callKey + "=forget:" + callKey, "s-1=done:hello:calls=1:recovered=0:cached=0:saved=0.0");
        assertThat(responses("kept")).isEqualTo(1.0);
    }

    @Test
    void aReplyThatCannotBeKeptStillReachesTheTaskAndIsCountedAsUnsaved() {
        process("r-1/s-1");
        provider.reply("hello");
        responseLog.failAll();
        drain();

        assertThat(forwarded()).last().asString().endsWith("done:hello:calls=1:recovered=0:cached=0:saved=0.0");
        assertThat(responses("unsaved")).isEqualTo(1.0);
    }

    @Test
    void aCallReissuedAfterARestartTakesTheReplyPaidBeforeItInsteadOfPayingAgain() {
        String callKey = ResponseKeys.call("s-1/ask", request());
        keep(callKey, "paid before the crash", 0.002, NOW.minusSeconds(5));

        process("r-1/s-1");
        drain();

        assertThat(provider.calls).as("nothing paid again").isZero();
        assertThat(forwarded())
                .containsExactly(
                        callKey + "=forget:" + callKey,
                        "s-1=done:paid before the crash:calls=1:recovered=1:cached=0:saved=0.0");
        assertThat(responses("recovered")).isEqualTo(1.0);
    }

    @Test
    void aReplyKeptForAnotherRequestOfTheSameCallIdIsNotTaken() {
        keep(ResponseKeys.call("s-1/ask", LlmRequest.text("another prompt")), "other", 0.002, NOW);

        process("r-1/s-1");

        assertThat(provider.calls).isEqualTo(1);
    }

    @Test
    void theCacheAnswersAnIdenticalCallAtTheSamePlaceWithinItsRetentionWithoutPaying() {
        keep(ResponseKeys.cache("p-s-1/ask", request()), "cached", 0.004, NOW.minus(Duration.ofHours(23)));

        process("r-1/s-1");
        drain();

        assertThat(provider.calls).isZero();
        assertThat(forwarded()).containsExactly("s-1=done:cached:calls=0:recovered=0:cached=1:saved=0.004");
        assertThat(responses("cached")).isEqualTo(1.0);

        process("r-1/s-2"); // another place: the same prompt is paid for
        assertThat(provider.calls).isEqualTo(1);
    }

    @Test
    void theCacheDoesNotAnswerPastItsRetentionOrWhenItIsOff() {
        keep(ResponseKeys.cache("p-s-1/ask", request()), "cached", 0.004, NOW.minus(CACHE_RETENTION.plusMinutes(1)));
        process("r-1/s-1");
        assertThat(provider.calls).as("past the retention").isEqualTo(1);

        keep(ResponseKeys.cache("p-s-2/ask", request()), "cached", 0.004, NOW);
        start(null);
        process("r-1/s-2");
        assertThat(provider.calls).as("cache off").isEqualTo(2);
        assertThat(responseLog.keys).isEmpty();
        provider.reply("x");
        provider.reply("y");
        drain();
        assertThat(responseLog.keys)
                .as("with the cache off a reply is kept under its call key only")
                .contains(List.of(ResponseKeys.call("s-2/ask", request())));
    }

    /** A paid provider whose calls wait until the test answers them, oldest first. */
    static final class PaidProvider implements LlmProvider {
        private final ConcurrentLinkedQueue<CompletableFuture<LlmResponse>> open = new ConcurrentLinkedQueue<>();
        final List<String> idempotencyKeys = new ArrayList<>();
        int calls;

        void reply(String content) {
            open.remove().complete(new LlmResponse(content, "stop", "gpt-4o-mini", 100, 50, 300));
        }

        @Override
        public String name() {
            return "paid";
        }

        @Override
        public String defaultModel() {
            return "gpt-4o-mini";
        }

        @Override
        public boolean simulated() {
            return false;
        }

        @Override
        public LlmRequest.ResponseFormat structuredOutput() {
            return LlmRequest.ResponseFormat.TEXT;
        }

        @Override
        public synchronized CompletableFuture<LlmResponse> complete(LlmRequest request, Duration timeout) {
            calls++;
            idempotencyKeys.add(request.idempotencyKey());
            CompletableFuture<LlmResponse> call = new CompletableFuture<>();
            open.add(call);
            return call;
        }
    }

    /** A log that records what it is asked to keep and acknowledges when the test says so. */
    static final class RecordingLog implements ResponseLog {
        final List<List<String>> keys = new ArrayList<>();
        private final List<CompletableFuture<Void>> open = new ArrayList<>();

        @Override
        public synchronized CompletableFuture<Void> keep(List<String> keys, StoredResponse reply) {
            this.keys.add(keys);
            CompletableFuture<Void> done = new CompletableFuture<>();
            open.add(done);
            return done;
        }

        synchronized void acknowledgeAll() {
            open.forEach(f -> f.complete(null));
            open.clear();
        }

        synchronized void failAll() {
            open.forEach(f -> f.completeExceptionally(new IllegalStateException("topic unavailable")));
            open.clear();
        }

        @Override
        public void close() {}
    }
}
