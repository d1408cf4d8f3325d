package io.synthstream.common.streams.async;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.common.dlq.DeadLetterReason;
import io.synthstream.common.dlq.SampleFailure;
import io.synthstream.common.llm.LlmFailure;
import io.synthstream.common.llm.LlmLimits;
import io.synthstream.common.llm.LlmProvider;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.common.llm.LlmResponse;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.metrics.SynthMeters;
import io.synthstream.common.testing.MutableClock;
import io.synthstream.common.testing.ProcessorTestSupport;
import io.synthstream.schemas.TestRecords;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * The async-call stage on its own, with a provider whose replies the test releases by hand and a
 * stage whose entries are plain strings ({@code requestId|timestamp|round}).
 */
class AsyncStageTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration DRAIN = Duration.ofMillis(20);
    private static final Duration SPEC_WAIT = Duration.ofSeconds(60);
    private static final Duration RECHECK = Duration.ofSeconds(1);
    private static final String PENDING = "test-pending";
    private static final String SPECS = "test-specs";

    private final ManualProvider provider = new ManualProvider();
    private final LlmRuntime runtime =
            new LlmRuntime(provider, LlmLimits.defaults().withRetries(1, Duration.ZERO, Duration.ZERO));
    private final MutableClock clock = new MutableClock(NOW);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<CompletableFuture<Object>> tasks = new ArrayList<>();
    /** The deferred entries of the stage's tasks, as its supplier shares them between them. */
    private final AsyncStage.Deferred deferred = new AsyncStage.Deferred();

    private MockProcessorContext<String, String> context;
    private KeyValueStore<String, String> pending;
    private TimestampedKeyValueStore<String, GenerationRequest> specs;
    private AsyncStage<String, String, String> stage;

    @BeforeEach
    void setUp() {
        context = ProcessorTestSupport.context("async-test", meters);
        pending = ProcessorTestSupport.keyValueStore(context, PENDING, Serdes.String(), Serdes.String());
        specs = ProcessorTestSupport.specsStore(context, SPECS, ProcessorTestSupport.serdes());
        stage = newStage();
        stage.init(context);
    }

    @AfterEach
    void tearDown() {
        stage.close();
        runtime.close();
    }

    private AsyncStage<String, String, String> newStage() {
        return new AsyncStage<>(setup(), new RoundsWork(), deferred);
    }

    private AsyncStage.Setup<String> setup() {
        return new AsyncStage.Setup<>(
                "async-test",
                "test",
                PENDING,
                SPECS,
                new AsyncSettings(DRAIN, SPEC_WAIT),
                runtime,
                clock,
                letter -> "dlq:" + letter.getReason() + ":" + letter.getSamples(),
                SynthMeters.GENERATOR_SAMPLES);
    }

    /** Input {@code requestId/key1,key2}: one entry per key; each entry calls until a reply says done. */
    private final class RoundsWork implements AsyncWork<String, String, String> {
        @Override
        public Map<String, String> start(String input, long timestamp) {
            String[] parts = input.split("/");
            Map<String, String> entries = new LinkedHashMap<>();
            for (String key : parts[1].split(",")) {
                entries.put(key, parts[0] + "|" + timestamp + "|0");
            }
            return entries;
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
            if (requestId(entry).startsWith("task")) {
                CompletableFuture<Object> task = new CompletableFuture<>();
                tasks.add(task);
                return Step.proceed(List.of(Call.task("work", () -> task)));
            }
            return Step.proceed(List.of(call(entry)));
        }

        @Override
        public Step<String, String> specMissing(String key, String entry) {
            return Step.<String, String>fail(SampleFailure.ends(DeadLetterReason.UNKNOWN_SPEC, "no spec", 0, null))
                    .counted("dead_lettered", "unknown_spec");
        }

        @Override
        public Step<String, String> finished(
                String key, String entry, GenerationRequest spec, CallResult result, boolean othersOutstanding) {
            if (result instanceof CallResult.Value value) {
                return Step.<String, String>finish().emit(key, "task:" + value.value() + ":" + value.error());
            }
            LlmRuntime.Completion completion = ((CallResult.Answer) result).completion();
            if (!completion.succeeded()) {
                return Step.<String, String>fail(SampleFailure.ends(
                                completion.failure().kind().deadLetterReason(), "failed", completion.attempts(), null))
                        .counted("dead_lettered", completion.failure().kind().reason());
            }
            if (completion.response().content().equals("again")) {
                String[] parts = entry.split("\\|");
                String next = parts[0] + "|" + parts[1] + "|" + (Integer.parseInt(parts[2]) + 1);
                return Step.proceed(next, List.of(call(next)));
            }
            return Step.<String, String>finish()
                    .emit(key, "done:" + key + ":" + completion.response().content() + ":" + entry)
                    .counted("generated", "none");
        }

        private Call call(String entry) {
            return Call.llm("round-" + entry.split("\\|")[2], LlmRequest.text(entry));
        }
    }

    private void process(String input) {
        stage.process(new Record<>("in", input, NOW.toEpochMilli()));
    }

    private void drain() {
        ProcessorTestSupport.punctuate(context, DRAIN, clock.millis());
    }

    private List<String> forwarded() {
        List<String> values = new ArrayList<>();
        context.forwarded().forEach(f -> values.add((String) f.record().value()));
        return values;
    }

    @Test
    void shouldForwardOnlyOnceTheCallAnswersAndDeleteTheEntryWithIt() {
        ProcessorTestSupport.putSpec(specs, TestRecords.request("r-1"));
        process("r-1/s-1");

        assertThat(pending.get("s-1")).isEqualTo("r-1|" + NOW.toEpochMilli() + "|0");
        assertThat(provider.calls()).isEqualTo(1);
        drain();
        assertThat(forwarded()).isEmpty();

        provider.reply("hello");
        drain();

        assertThat(forwarded()).containsExactly("done:s-1:hello:r-1|" + NOW.toEpochMilli() + "|0");
        assertThat(pending.get("s-1")).isNull();
        assertThat(meters.counter(
                                "synth.generator.samples",
                                "app",
                                "async-test",
                                "outcome",
                                "generated",
                                "reason",
                                "none")
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void shouldStoreTheUpdatedEntryBeforeItsNextCall() {
        ProcessorTestSupport.putSpec(specs, TestRecords.request("r-1"));
        process("r-1/s-1");

        provider.reply("again");
        drain();

        assertThat(pending.get("s-1")).endsWith("|1");
        assertThat(provider.calls()).isEqualTo(2);
        assertThat(forwarded()).isEmpty();
        provider.reply("fin");
        drain();
        assertThat(forwarded())
                .singleElement()
                .asString()
                .startsWith("done:s-1:fin:")
                .endsWith("|1");
    }

    @Test
    void shouldSkipARecordDeliveredAgainWhileItsEntryIsPending() {
        ProcessorTestSupport.putSpec(specs, TestRecords.request("r-1"));
        process("r-1/s-1,s-2");
        process("r-1/s-1,s-2");

        assertThat(provider.calls()).isEqualTo(2);
    }

    @Test
    void shouldReissueEveryStoredEntryAfterARestartAndIgnoreAnswersToTheOldCalls() {
        ProcessorTestSupport.putSpec(specs, TestRecords.request("r-1"));
        process("r-1/s-1,s-2");
        provider.reply("again"); // s-1 moves to round 1, its next call goes out
        drain();
        assertThat(provider.calls()).isEqualTo(3);

        stage.close(); // the task moves or the instance restarts: its calls are forgotten
        context = ProcessorTestSupport.context("async-test", meters);
        context.addStateStore(pending);
        context.addStateStore(specs);
        stage = newStage();
        stage.init(context);
        provider.replyAll("late"); // answers to the old incarnation's calls
        drain(); // first punctuation: every stored entry begins again

        assertThat(forwarded()).isEmpty();
        assertThat(provider.calls()).isEqualTo(5);
        provider.replyAll("fresh");
        drain();
        assertThat(forwarded())
                .containsExactlyInAnyOrder(
                        "done:s-1:fresh:r-1|" + NOW.toEpochMilli() + "|1",
                        "done:s-2:fresh:r-1|" + NOW.toEpochMilli() + "|0");
    }

    @Test
    void shouldParkAnEntryUntilItsSpecArrives() {
        process("r-late/s-1");
        assertThat(provider.calls()).isZero();
        assertThat(pending.get("s-1")).isNotNull();

        ProcessorTestSupport.putSpec(specs, TestRecords.request("r-late"));
        ProcessorTestSupport.punctuate(context, RECHECK, clock.millis());

        assertThat(provider.calls()).isEqualTo(1);
    }

    @Test
    void shouldDeadLetterAnEntryWhoseSpecNeverArrivesWithItsIdentity() {
        process("r-missing/s-1");
        clock.set(NOW.plus(SPEC_WAIT));
        ProcessorTestSupport.punctuate(context, RECHECK, clock.millis());

        assertThat(forwarded()).containsExactly("dlq:unknown_spec:1");
        assertThat(pending.get("s-1")).isNull();
        assertThat(context.forwarded().get(0).record().key()).isEqualTo("s-1");
        assertThat(meters.counter("synth.dlq.records", "app", "async-test", "stage", "test", "reason", "unknown_spec")
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void shouldGiveUpAtOnceOnARecordWhoseWaitIsAlreadyOver() {
        clock.set(NOW.plus(SPEC_WAIT));
        process("r-missing/s-1");

        assertThat(forwarded()).containsExactly("dlq:unknown_spec:1");
        assertThat(pending.get("s-1")).isNull(); // never stored
    }

    @Test
    void shouldDeadLetterATerminalFailureWithItsReason() {
        ProcessorTestSupport.putSpec(specs, TestRecords.request("r-1"));
        process("r-1/s-1");

        provider.fail(LlmFailure.Kind.AUTH);
        drain();

        assertThat(forwarded()).containsExactly("dlq:llm_auth:1");
        assertThat(pending.get("s-1")).isNull();
    }

    @Test
    void shouldHandATasksValueBackOnTheStreamThread() {
        ProcessorTestSupport.putSpec(specs, TestRecords.request("task-1"));
        process("task-1/s-1,s-2");
        assertThat(tasks).hasSize(2);

        tasks.get(0).complete("vector");
        tasks.get(1).completeExceptionally(new IllegalStateException("model down"));
        drain();

        assertThat(forwarded())
                .containsExactly("task:vector:null", "task:null:java.lang.IllegalStateException: model down");
    }

    /** A stage whose other work counts as full while {@code limit} of its tasks are unfinished. */
    private void restartWithRoomFor(int limit) {
        stage.close(); // and a new context, so that the closed stage's punctuators are gone
        context = ProcessorTestSupport.context("async-test", meters);
        context.addStateStore(pending);
        context.addStateStore(specs);
        stage = new AsyncStage<>(
                setup().pausedWhile(
                                () -> tasks.stream().filter(t -> !t.isDone()).count() >= limit),
                new RoundsWork(),
                deferred);
        stage.init(context);
    }

    /** Completes every unfinished task with its own index, so each output names its task. */
    private void completeTasks() {
        for (int i = 0; i < tasks.size(); i++) {
            tasks.get(i).complete("v" + i);
        }
    }

    /**
     * While the stage's other work is full, {@code process()} neither waits nor begins: the entry is
     * stored, deferred, and begun by a drain once there is room. The stream thread stays free for
     * the task's neighbours, and the backlog waits in the pending store, not in the heap.
     */
    @Test
    void shouldStoreARecordWithoutBeginningItWhileTheWorkIsFullAndBeginItWhenThereIsRoom() {
        restartWithRoomFor(0); // always full
        ProcessorTestSupport.putSpec(specs, TestRecords.request("task-1"));
        for (int i = 0; i < 100; i++) {
            process("task-1/s-" + i);
        }

        assertThat(tasks).as("nothing begun while full").isEmpty();
        assertThat(count(pending)).as("every record stored").isEqualTo(100);
        assertThat(deferredGauge()).isEqualTo(100);

        restartWithRoomFor(10); // the task restarts with room for 10 tasks at a time
        assertThat(deferredGauge()).as("counted where the task runs next").isZero();
        drain();
        assertThat(tasks).as("only as many begun as there is room for").hasSize(10);
        assertThat(deferredGauge()).as("the restored entries not begun yet").isEqualTo(90);
        for (int round = 0; round < 20 && forwarded().size() < 100; round++) {
            completeTasks();
            drain();
        }

        assertThat(forwarded()).hasSize(100).doesNotHaveDuplicates();
        assertThat(tasks).as("each entry begun once").hasSize(100);
        assertThat(count(pending)).isZero();
        assertThat(deferredGauge()).isZero();
    }

    private double deferredGauge() {
        return meters.get("synth.async.deferred")
                .tags("app", "async-test", "stage", "test")
                .gauge()
                .value();
    }

    /**
     * Entries deferred while a pass over the store is under way are not lost, whichever side of the
     * pass they fall on: another pass follows.
     */
    @Test
    void shouldBeginEntriesDeferredDuringAPassOnEitherSideOfIt() {
        restartWithRoomFor(2);
        ProcessorTestSupport.putSpec(specs, TestRecords.request("task-1"));
        process("task-1/m-1,m-2,m-3,m-4,m-5"); // two begun, three deferred
        assertThat(tasks).hasSize(2);
        completeTasks();
        drain(); // the pass begins m-3 and m-4 and stops there: full again

        process("task-1/a-1,z-1"); // deferred behind the pass (a-1) and ahead of it (z-1)
        assertThat(deferredGauge()).as("m-5, a-1 and z-1").isEqualTo(3);
        for (int round = 0; round < 10 && forwarded().size() < 7; round++) {
            completeTasks();
            drain();
        }

        assertThat(forwarded()).hasSize(7).doesNotHaveDuplicates();
        assertThat(count(pending)).isZero();
    }

    /** With room, a record is begun at once, not at the next drain. */
    @Test
    void shouldBeginARecordAtOnceWhileThereIsRoom() {
        restartWithRoomFor(10);
        ProcessorTestSupport.putSpec(specs, TestRecords.request("task-1"));
        process("task-1/s-1");

        assertThat(tasks).hasSize(1);
    }

    private static long count(KeyValueStore<String, String> store) {
        long n = 0;
        try (var all = store.all()) {
            while (all.hasNext()) {
                all.next();
                n++;
            }
        }
        return n;
    }

    @Test
    void shouldCancelTheTasksOfAClosedStage() {
        ProcessorTestSupport.putSpec(specs, TestRecords.request("task-1"));
        process("task-1/s-1");

        stage.close();

        assertThat(tasks.get(0)).isCancelled();
    }

    @Test
    void shouldNameTheSampleItsRequestAndDatasetOnADeadLetter() {
        List<DeadLetter> letters = new ArrayList<>();
        AsyncStage.Setup<String> setup = new AsyncStage.Setup<>(
                "async-test",
                "test",
                PENDING,
                SPECS,
                new AsyncSettings(DRAIN, Duration.ZERO),
                runtime,
                clock,
                letter -> {
                    letters.add(letter);
                    return "dlq";
                },
                SynthMeters.GENERATOR_SAMPLES);
        stage.close();
        stage = new AsyncStage<>(setup, new RoundsWork());
        stage.init(context);

        process("r-none/s-9");

        assertThat(letters).singleElement().satisfies(l -> {
            assertThat(l.getSampleId()).isEqualTo("s-9");
            assertThat(l.getRequestId()).isEqualTo("r-none");
            assertThat(l.getDataset()).isEqualTo("d");
            assertThat(l.getStage()).isEqualTo("test");
            assertThat(l.getSamples()).isEqualTo(1);
            assertThat(StandardCharsets.UTF_8.decode(l.getOriginalKey()).toString())
                    .isEqualTo("s-9");
        });
    }

    /** A provider whose calls wait until the test answers them, oldest first. */
    static final class ManualProvider implements LlmProvider {
        private final ConcurrentLinkedQueue<CompletableFuture<LlmResponse>> open = new ConcurrentLinkedQueue<>();
        private int calls;

        synchronized int calls() {
            return calls;
        }

        void reply(String content) {
            open.remove().complete(new LlmResponse(content, "stop", "manual", 1, 1, 1));
        }

        void replyAll(String content) {
            CompletableFuture<LlmResponse> call;
            while ((call = open.poll()) != null) {
                call.complete(new LlmResponse(content, "stop", "manual", 1, 1, 1));
            }
        }

        void fail(LlmFailure.Kind kind) {
            open.remove().completeExceptionally(new LlmFailure(kind, "scripted " + kind));
        }

        @Override
        public String name() {
            return "manual";
        }

        @Override
        public String defaultModel() {
            return "manual";
        }

        @Override
        public boolean simulated() {
            return true;
        }

        @Override
        public LlmRequest.ResponseFormat structuredOutput() {
            return LlmRequest.ResponseFormat.TEXT;
        }

        @Override
        public synchronized CompletableFuture<LlmResponse> complete(LlmRequest request, Duration timeout) {
            calls++;
            CompletableFuture<LlmResponse> call = new CompletableFuture<>();
            open.add(call);
            return call;
        }
    }
}
