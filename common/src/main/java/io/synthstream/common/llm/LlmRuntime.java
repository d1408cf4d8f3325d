package io.synthstream.common.llm;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.synthstream.avro.Spend;
import io.synthstream.common.metrics.SynthMeters;
import io.synthstream.retry.RetryPolicy;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends LLM calls for the stream threads of one app instance, so that no stream thread ever
 * waits for one (see README, "The LLM runtime"). One class because the concurrency limit, the
 * token buckets, the retry timer and the ready queue share one lock.
 *
 * <p>A processor takes a {@link Client} (one per task), {@link Client#submit submits} calls and,
 * from a punctuator, {@link Client#drain drains} the ones that finished. Everything between runs on
 * the runtime's own threads: calls are admitted by the instance's {@link CallGate} (the adaptive
 * concurrency limit and the token buckets, shared with remote embeddings), retried under the
 * project's {@link RetryPolicy} (exponential backoff with jitter, {@code Retry-After} honoured),
 * with a per-attempt deadline and classification of every failure.
 * Completions wait in the client's queue until its stream thread takes them; the runtime never
 * touches a ProcessorContext or a store.
 *
 * <p>Submitting a call id that is already outstanding does nothing, so a processor can re-issue
 * every pending entry after a restart or rebalance without doubling calls.
 */
public final class LlmRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LlmRuntime.class);
    private final LlmProvider provider;
    private final LlmLimits limits;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(OpenAiProvider.daemon("synth-llm-runtime"));
    private final Object lock = new Object();
    private final ArrayDeque<Call> ready = new ArrayDeque<>();
    private final CallGate gate;
    private final RetryPolicy retry;
    private final PriceTable prices;
    private volatile AutoCloseable share;
    private volatile ResponseLog responseLog;
    private final java.util.concurrent.atomic.AtomicLong lastUnsavedWarning =
            new java.util.concurrent.atomic.AtomicLong();
    private int inFlight;
    private int backingOff;
    private boolean wakeScheduled;
    private volatile Meters meters;
    private volatile boolean closed;

    /** A runtime that prices replies with the built-in price table. */
    public LlmRuntime(LlmProvider provider, LlmLimits limits) {
        this(provider, limits, PriceTable.builtIn());
    }

    public LlmRuntime(LlmProvider provider, LlmLimits limits, PriceTable prices) {
        this.provider = provider;
        this.limits = limits;
        this.prices = prices;
        this.gate = new CallGate(limits);
        this.retry = limits.retry();
        gate.onRelease(this::pump); // a call of another client (an embedding) made room
    }

    public LlmProvider provider() {
        return provider;
    }

    public LlmLimits limits() {
        return limits;
    }

    /** Ties the rate limits' cluster share to this runtime: closed with it. */
    public void shareLimits(AutoCloseable clusterShare) {
        this.share = clusterShare;
    }

    /**
     * Keeps every paid reply of a call submitted with a {@link Keeping} in {@code log} before its
     * task sees it (docs/spend.md); closed with the runtime. Replies of the simulator are not kept:
     * they cost nothing and come back the same.
     */
    public void keepResponses(ResponseLog log) {
        this.responseLog = log;
    }

    /** Whether a reply to {@code request} will be kept: a log is set and a paid provider answers it. */
    public boolean keeps(LlmRequest request) {
        if (responseLog == null) {
            return false;
        }
        try {
            return !provider.select(request.provider()).simulated();
        } catch (IllegalArgumentException unknownProvider) {
            return false;
        }
    }

    /**
     * Under which keys of {@code synth.llm-responses} a call's reply is kept: its call key ({@link
     * ResponseKeys#call}), and its cache key ({@link ResponseKeys#cache}) or null.
     */
    public record Keeping(String callKey, String cacheKey) {
        public Keeping {
            java.util.Objects.requireNonNull(callKey, "callKey");
        }

        List<String> keys() {
            return cacheKey == null ? List.of(callKey) : List.of(callKey, cacheKey);
        }
    }

    /** The prices every completion's {@link Completion#spend} is computed with. */
    public PriceTable prices() {
        return prices;
    }

    /** The admission of every call to this runtime's endpoint; remote embeddings share it. */
    public CallGate gate() {
        return gate;
    }

    /** A client for one task; its completions are only ever seen by that task. */
    public Client client(String owner) {
        return new Client(owner);
    }

    /** Registers the runtime's meters once; later calls with any registry are ignored. */
    public void bindMetrics(MeterRegistry registry, String app) {
        if (meters == null) {
            synchronized (lock) {
                if (meters == null) {
                    meters = new Meters(registry, app);
                }
            }
        }
    }

    /** Calls sent and not yet answered. */
    public int inFlight() {
        synchronized (lock) {
            return inFlight;
        }
    }

    /** Calls submitted and not finished: waiting for a permit, in flight, or waiting to retry. */
    public int outstanding() {
        synchronized (lock) {
            return ready.size() + inFlight + backingOff;
        }
    }

    /** The current concurrency limit (lower than the maximum after 429s). */
    public int concurrencyLimit() {
        return gate.limit();
    }

    /**
     * Whether as many calls are outstanding as {@code timesLimit} times the current concurrency
     * limit: producers of work use it to pause (the planner at 2x, taking new input at 4x, so
     * that a queue of ready calls always covers the time new work takes to arrive).
     */
    public boolean backlogAtLeast(int timesLimit) {
        long limit = gate.limit();
        synchronized (lock) {
            return ready.size() + inFlight + backingOff >= timesLimit * limit;
        }
    }

    /**
     * Backlog, in times the concurrency limit, from which a stream task begins no new input (it
     * stores it, deferred, and begins it when the backlog is lower: {@code AsyncStage}).
     */
    public static final int INPUT_PAUSE_BACKLOG = 4;

    /**
     * The outcome of one call.
     *
     * @param response the reply, when it succeeded
     * @param failure the terminal failure, when it did not
     * @param attempts attempts made
     * @param elapsedMs from submission to completion, retries included
     * @param spend what the call's replies cost (a failed attempt returned none and costs nothing),
     *     priced with the runtime's {@link PriceTable}
     */
    public record Completion(
            String callId, LlmResponse response, LlmFailure failure, int attempts, long elapsedMs, Spend spend) {
        /** A completion whose reply, if any, is unpriced (for tests and tools without prices). */
        public Completion(String callId, LlmResponse response, LlmFailure failure, int attempts, long elapsedMs) {
            this(
                    callId,
                    response,
                    failure,
                    attempts,
                    elapsedMs,
                    response == null ? Spends.zero() : PriceTable.none().spend(response, null));
        }

        public boolean succeeded() {
            return response != null;
        }
    }

    /** One task's view of the runtime. Submit and drain from the task's stream thread. */
    public final class Client {
        private final String owner;
        private final Map<String, Call> active = new ConcurrentHashMap<>();
        private final ConcurrentLinkedQueue<Completion> completed = new ConcurrentLinkedQueue<>();

        private Client(String owner) {
            this.owner = owner;
        }

        /** Sends a call unless one with this id is already outstanding for this client. */
        public boolean submit(String callId, LlmRequest request) {
            return submit(callId, request, null);
        }

        /**
         * Sends a call unless one with this id is already outstanding for this client; with {@code
         * keeping}, its reply is kept under those keys (when {@link #keeps} says so) before the
         * client sees it, and the call carries an {@code Idempotency-Key} made from its call key.
         */
        public boolean submit(String callId, LlmRequest request, Keeping keeping) {
            if (closed) {
                throw new IllegalStateException("LLM runtime is closed");
            }
            LlmRequest sent = keeping == null
                    ? request
                    : request.withIdempotencyKey(ResponseKeys.idempotencyKey(keeping.callKey()));
            Call call = new Call(this, callId, sent, keeping != null && keeps(request) ? keeping : null);
            if (active.putIfAbsent(callId, call) != null) {
                return false;
            }
            synchronized (lock) {
                ready.addLast(call);
            }
            pump();
            return true;
        }

        /** Calls of this client outstanding or finished but not drained. */
        public int outstanding() {
            return active.size();
        }

        /** Takes up to {@code max} finished calls. */
        public List<Completion> drain(int max) {
            List<Completion> out = new ArrayList<>();
            Completion c;
            while (out.size() < max && (c = completed.poll()) != null) {
                active.remove(c.callId());
                out.add(c);
            }
            return out;
        }

        /** Forgets every call of this client (task closed or migrated): late replies are dropped. */
        public void cancelAll() {
            active.values().forEach(call -> call.cancelled = true);
            active.clear();
            completed.clear();
        }

        public String owner() {
            return owner;
        }

        void finish(Call call, Completion completion) {
            if (!call.cancelled && active.get(call.id) == call) {
                completed.add(completion);
            }
        }
    }

    private static final class Call {
        final Client client;
        final String id;
        final LlmRequest request;
        final Keeping keeping;
        final long submittedNanos = System.nanoTime();
        int attempts;
        volatile boolean cancelled;

        Call(Client client, String id, LlmRequest request, Keeping keeping) {
            this.client = client;
            this.id = id;
            this.request = request;
            this.keeping = keeping;
        }
    }

    /** Starts as many ready calls as the gate admits; wakes up when the buckets will admit the next. */
    private void pump() {
        List<Call> toSend = new ArrayList<>();
        synchronized (lock) {
            while (!ready.isEmpty() && !closed) {
                Call call = ready.peekFirst();
                if (call.cancelled) {
                    ready.pollFirst();
                    continue;
                }
                long wait = gate.tryAcquire(call.request.estimatedTokens(), System.nanoTime());
                if (wait != 0) {
                    if (wait != CallGate.FULL && !wakeScheduled) {
                        wakeScheduled = true;
                        timer.schedule(
                                () -> {
                                    synchronized (lock) {
                                        wakeScheduled = false;
                                    }
                                    pump();
                                },
                                wait,
                                TimeUnit.NANOSECONDS);
                    }
                    break;
                }
                ready.pollFirst();
                inFlight++;
                toSend.add(call);
            }
        }
        toSend.forEach(this::send);
    }

    private void send(Call call) {
        call.attempts++;
        long start = System.nanoTime();
        java.util.concurrent.CompletableFuture<LlmResponse> future;
        try {
            future = provider.select(call.request.provider()).complete(call.request, limits.callTimeout());
        } catch (IllegalArgumentException e) { // a provider this app does not have: retrying cannot help
            future = java.util.concurrent.CompletableFuture.failedFuture(
                    new LlmFailure(LlmFailure.Kind.NOT_FOUND, e.getMessage()));
        } catch (RuntimeException e) {
            future = java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        future.orTimeout(limits.callTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((response, error) -> onResult(call, response, error, System.nanoTime() - start));
    }

    private void onResult(Call call, LlmResponse response, Throwable error, long attemptNanos) {
        LlmFailure failure = error == null ? null : LlmFailure.of(error);
        Meters m = meters;
        boolean retrying = false;
        long delayNanos = 0;
        synchronized (lock) {
            inFlight--;
            if (failure != null) {
                retrying = retry.retries(call.attempts, failure.kind().retryable()) && !call.cancelled && !closed;
                if (retrying) {
                    backingOff++;
                    delayNanos = backoff(call.attempts, failure.retryAfter()).toNanos();
                }
            }
        }
        if (response != null) { // the bucket took the estimate; the reply says what it really was
            gate.correctTokens(call.request.estimatedTokens(), response.promptTokens() + response.completionTokens());
        }
        gate.release(failure, attemptNanos); // runs pump(): the freed permit goes to the next ready call
        String model = response == null ? null : priced(response, call.request);
        Spend spend = response == null ? Spends.zero() : prices.spend(response, model);
        if (m != null) {
            m.record(response, failure, retrying, attemptNanos);
            if (response != null) {
                m.spent(spend, prices.listed(model).orElse("unlisted"));
            }
        }
        if (retrying) {
            log.debug(
                    "LLM call {} attempt {} failed ({}); retrying in {} ms",
                    call.id,
                    call.attempts,
                    failure.getMessage(),
                    delayNanos / 1_000_000);
            timer.schedule(
                    () -> {
                        synchronized (lock) {
                            backingOff--;
                            if (!call.cancelled) {
                                ready.addFirst(call);
                            }
                        }
                        pump();
                    },
                    delayNanos,
                    TimeUnit.NANOSECONDS);
        } else {
            long elapsed = (System.nanoTime() - call.submittedNanos) / 1_000_000;
            Completion completion = new Completion(call.id, response, failure, call.attempts, elapsed, spend);
            ResponseLog responses = responseLog;
            if (response != null && call.keeping != null && responses != null && !closed) {
                keepThenFinish(responses, call, completion, m);
            } else {
                call.client.finish(call, completion);
            }
        }
    }

    /**
     * Writes the reply to the responses topic and hands it to its task once the write is
     * acknowledged; when the write fails the call proceeds unsaved (at-least-once, as before
     * replies were kept), warned about once a minute at most and counted.
     */
    private void keepThenFinish(ResponseLog responses, Call call, Completion completion, Meters m) {
        CompletableFuture<Void> kept;
        try {
            kept = responses.keep(call.keeping.keys(), stored(completion));
        } catch (RuntimeException e) {
            kept = CompletableFuture.failedFuture(e);
        }
        kept.whenComplete((ok, error) -> {
            if (error == null) {
                if (m != null) {
                    m.response("kept");
                }
            } else {
                if (m != null) {
                    m.response("unsaved");
                }
                long now = System.nanoTime();
                long last = lastUnsavedWarning.get();
                if ((last == 0 || now - last > TimeUnit.MINUTES.toNanos(1))
                        && lastUnsavedWarning.compareAndSet(last, now)) {
                    log.warn(
                            "Durability of LLM replies is degraded: a reply could not be written to {} ({});"
                                    + " calls proceed, and a crash now re-pays the calls whose replies were not kept"
                                    + " (metric synth.llm.responses{outcome=unsaved})",
                            io.synthstream.common.topics.Topics.LLM_RESPONSES.name(),
                            error.toString());
                }
            }
            call.client.finish(call, completion);
        });
    }

    /** The record a completed call's reply is kept as. */
    static io.synthstream.avro.StoredResponse stored(Completion completion) {
        LlmResponse r = completion.response();
        return io.synthstream.avro.StoredResponse.newBuilder()
                .setContent(r.content())
                .setFinishReason(r.finishReason() == null ? "" : r.finishReason())
                .setModel(r.model() == null ? "" : r.model())
                .setPromptTokens(r.promptTokens())
                .setCompletionTokens(r.completionTokens())
                .setUsageEstimated(r.usageEstimated())
                .setLatencyMs(r.latencyMs())
                .setAttempts(completion.attempts())
                .setSpend(completion.spend())
                .setAnsweredAt(java.time.Instant.now())
                .build();
    }

    /** The reply a kept record stands for. */
    public static LlmResponse response(io.synthstream.avro.StoredResponse stored) {
        return new LlmResponse(
                stored.getContent(),
                stored.getFinishReason(),
                stored.getModel(),
                stored.getPromptTokens(),
                stored.getCompletionTokens(),
                stored.getLatencyMs(),
                stored.getUsageEstimated());
    }

    /** The model a reply is priced as: the one it names, else the one the call asked for. */
    private String priced(LlmResponse response, LlmRequest request) {
        if (!response.model().isEmpty()) {
            return response.model();
        }
        if (request.model() != null) {
            return request.model();
        }
        try {
            return provider.select(request.provider()).defaultModel();
        } catch (IllegalArgumentException unknownProvider) {
            return null;
        }
    }

    /** The wait before the next attempt of a call whose attempt number {@code attempt} failed. */
    Duration backoff(int attempt, Optional<Duration> retryAfter) {
        return retry.backoff(attempt, retryAfter);
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        ResponseLog responses = responseLog;
        if (responses != null) {
            responses.close();
        }
        AutoCloseable clusterShare = share;
        if (clusterShare != null) {
            try {
                clusterShare.close();
            } catch (Exception e) {
                log.debug("Closing the rate limits' share failed", e);
            }
        }
        provider.close();
    }

    /** The runtime's meters, named in {@link SynthMeters}. */
    private final class Meters {
        private final MeterRegistry registry;
        private final String app;
        private final Timer latency;
        private final DistributionSummary inputTokens;
        private final DistributionSummary outputTokens;

        Meters(MeterRegistry registry, String app) {
            this.registry = registry;
            this.app = app;
            Gauge.builder(SynthMeters.LLM_IN_FLIGHT.meterName(), LlmRuntime.this, LlmRuntime::inFlight)
                    .description(SynthMeters.LLM_IN_FLIGHT.description())
                    .tag("app", app)
                    .register(registry);
            Gauge.builder(SynthMeters.LLM_CONCURRENCY_LIMIT.meterName(), LlmRuntime.this, LlmRuntime::concurrencyLimit)
                    .description(SynthMeters.LLM_CONCURRENCY_LIMIT.description())
                    .tag("app", app)
                    .register(registry);
            this.latency = Timer.builder(SynthMeters.LLM_LATENCY.meterName())
                    .description(SynthMeters.LLM_LATENCY.description())
                    .tag("app", app)
                    .tag("gen_ai.provider.name", provider.name())
                    .publishPercentileHistogram()
                    .register(registry);
            this.inputTokens = tokens("input");
            this.outputTokens = tokens("output");
        }

        private DistributionSummary tokens(String type) {
            return DistributionSummary.builder(SynthMeters.LLM_TOKENS.meterName())
                    .description(SynthMeters.LLM_TOKENS.description())
                    .baseUnit("tokens")
                    .tag("app", app)
                    .tag("gen_ai.provider.name", provider.name())
                    .tag("gen_ai.token.type", type)
                    .register(registry);
        }

        /** A reply's cost and tokens, by the price table's name for its model (a bounded tag). */
        void spent(Spend spend, String model) {
            String providerName = provider.name();
            SynthMeters.llmCost(registry, app, providerName, model).increment(spend.getCostUsd());
            SynthMeters.llmBilledTokens(registry, app, providerName, model, "input")
                    .increment(spend.getPromptTokens());
            SynthMeters.llmBilledTokens(registry, app, providerName, model, "output")
                    .increment(spend.getCompletionTokens());
        }

        void response(String outcome) {
            SynthMeters.llmResponses(registry, app, outcome).increment();
        }

        void record(LlmResponse response, LlmFailure failure, boolean retry, long attemptNanos) {
            latency.record(attemptNanos, TimeUnit.NANOSECONDS);
            if (response != null) {
                inputTokens.record(response.promptTokens());
                outputTokens.record(response.completionTokens());
                SynthMeters.llmCalls(registry, app, "success", "none").increment();
            } else if (retry) {
                SynthMeters.llmRetries(registry, app, failure.kind().reason()).increment();
            } else {
                SynthMeters.llmCalls(registry, app, "failure", failure.kind().reason())
                        .increment();
            }
        }
    }
}
