package io.synthstream.common.streams.async;

import io.micrometer.core.instrument.Gauge;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Spend;
import io.synthstream.avro.StoredResponse;
import io.synthstream.common.dlq.DeadLetters;
import io.synthstream.common.dlq.SampleFailure;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.llm.ResponseKeys;
import io.synthstream.common.metrics.AppMeters;
import io.synthstream.common.metrics.SynthMeters;
import io.synthstream.common.streams.ProcessorSuppliers;
import io.synthstream.common.streams.ResponseStore;
import io.synthstream.common.streams.SpecLookup;
import io.synthstream.common.streams.SpecWait;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The shell of every stage whose work per record is a remote call (the generator's LLM calls,
 * the evaluator's judge calls and embeddings), so that no stream thread ever waits for one. The
 * stage supplies only its decisions ({@link AsyncWork}); the shell does the rest:
 *
 * <ul>
 *   <li><b>Pending store.</b> {@code process()} writes each entry the record starts to the
 *       stage's changelogged pending store, then sends the calls the stage asks for.
 *   <li><b>Drain.</b> A wall-clock punctuator ({@code drain.interval.ms}) takes finished calls on
 *       the stream thread, hands each to the stage, and applies its {@link Step} in the same
 *       transaction: the entry is updated and its next calls sent, or it is deleted as its outputs
 *       are forwarded. Results are only forwarded together with the deletion, so they are never
 *       doubled; commits never wait for a call.
 *   <li><b>Back-pressure without waiting.</b> While the LLM runtime has {@link
 *       LlmRuntime#INPUT_PAUSE_BACKLOG} times its limit outstanding, or the stage's other work is
 *       full ({@link Setup#pausedWhile}), {@code process()} stores the new entry and begins
 *       nothing: the entry is <i>deferred</i>. Each drain then begins deferred entries, in passes
 *       over the pending store in key order, for as long as there is room. So the stream thread
 *       never waits and the task's neighbours on it (claims, owners, votes) keep their turns; a
 *       backlog moves from the input topic to the pending store (on disk and its changelog), and
 *       the heap holds only the entries begun. An entry deferred during a pass is found by that
 *       pass or the next one, so none waits longer than two passes. The backlog no longer shows
 *       as consumer lag, so the instance's deferred entries are a gauge ({@code
 *       synth.async.deferred}).
 *   <li><b>Re-issue after restore.</b> After the task starts (first start, restart, rebalance)
 *       every stored entry counts as deferred: the drains begin them again as there is room, so
 *       work in flight is never lost and a large store is not sent all at once. A result whose
 *       call is no longer outstanding (the entry moved on or finished, or the call was sent
 *       before the task restarted) is ignored.
 *   <li><b>Held entries.</b> An entry whose turn comes after another's is held ({@link
 *       Step#hold}): stored, with nothing sent and skipped by the passes, until a later step wakes
 *       it ({@link Step#wake}) or the task starts again, when it is begun like any stored entry.
 *   <li><b>Spec wait.</b> An entry whose spec is not in the global table yet is parked ({@link
 *       SpecWait}) and begun once it arrives, or handed to the stage as missing when the wait is
 *       over.
 *   <li><b>Paid replies kept.</b> With {@link Setup#responses}, an LLM call is first looked up in
 *       the app's {@link ResponseStore}: a reply paid before a restart (its call key) or, with the
 *       cache on, an identical call's reply (its cache key) is taken instead of paying again. A
 *       call that is sent has its reply kept on {@code synth.llm-responses} before the task sees
 *       it, and the transaction that uses the reply writes the tombstone of its call key.
 *   <li><b>Dead letters and meters.</b> The stage's {@link SampleFailure}s become per-sample dead
 *       letters; they, the stage's outcomes and the LLM runtime are counted in the app's meters.
 * </ul>
 *
 * LLM calls go through the instance's {@link LlmRuntime} (one client per task); other calls run
 * on the executors their futures belong to. Neither touches the context or a store. One class on
 * purpose: every guarantee above rests on the same bookkeeping (the pending store, the calls out,
 * the parked keys) kept in step within one transaction.
 *
 * @param <I> the input value
 * @param <P> a pending entry
 * @param <O> the app's output envelope
 */
public final class AsyncStage<I, P, O> implements Processor<String, I, String, O> {
    private static final int MAX_DRAIN = 5_000;
    /** Deferred entries read from the pending store at a time while there is room to begin them. */
    private static final int DEFERRED_BATCH = 64;

    private static final char SEPARATOR = '/';

    /**
     * Everything about a stage that is not its decisions.
     *
     * @param app the application id, recorded on dead letters and meters
     * @param stage the stage's name on dead letters ({@code generate}, {@code judge})
     * @param pendingStore the name of the stage's pending store
     * @param specStore the name of the app's global specs store
     * @param runtime the instance's LLM runtime, shared by its tasks
     * @param clock the time of spec waits, forwarded records and dead letters
     * @param deadLetter wraps a dead letter in the app's output envelope
     * @param outcomeMeter the counter {@link Step#counted} adds to
     * @param responses the kept replies and how to forget one, or null to keep none
     * @param saturated whether the stage's other work (an embedding pool) is full, or null: while
     *     it is, new entries are deferred as they are while the LLM runtime is ({@link #pausedWhile})
     */
    public record Setup<O>(
            String app,
            String stage,
            String pendingStore,
            String specStore,
            AsyncSettings settings,
            LlmRuntime runtime,
            Clock clock,
            Function<DeadLetter, O> deadLetter,
            SynthMeters outcomeMeter,
            Kept<O> responses,
            BooleanSupplier saturated) {
        /** A stage that keeps {@code responses} and waits only for the LLM runtime. */
        public Setup(
                String app,
                String stage,
                String pendingStore,
                String specStore,
                AsyncSettings settings,
                LlmRuntime runtime,
                Clock clock,
                Function<DeadLetter, O> deadLetter,
                SynthMeters outcomeMeter,
                Kept<O> responses) {
            this(
                    app,
                    stage,
                    pendingStore,
                    specStore,
                    settings,
                    runtime,
                    clock,
                    deadLetter,
                    outcomeMeter,
                    responses,
                    null);
        }

        /** A stage that keeps no replies. */
        public Setup(
                String app,
                String stage,
                String pendingStore,
                String specStore,
                AsyncSettings settings,
                LlmRuntime runtime,
                Clock clock,
                Function<DeadLetter, O> deadLetter,
                SynthMeters outcomeMeter) {
            this(app, stage, pendingStore, specStore, settings, runtime, clock, deadLetter, outcomeMeter, null);
        }

        /**
         * This setup, with new entries also deferred while {@code saturated} holds: a bounded queue
         * in front of work the LLM runtime does not see, so that a backlog waits in the pending
         * store instead of filling the heap.
         */
        public Setup<O> pausedWhile(BooleanSupplier saturated) {
            return new Setup<>(
                    app,
                    stage,
                    pendingStore,
                    specStore,
                    settings,
                    runtime,
                    clock,
                    deadLetter,
                    outcomeMeter,
                    responses,
                    saturated);
        }
    }

    /**
     * The replies a stage keeps.
     *
     * @param store the app's global store of {@code synth.llm-responses}
     * @param tombstone wraps the key of a used reply in the output envelope that the topology writes
     *     as a tombstone to {@code synth.llm-responses}
     */
    public record Kept<O>(ResponseStore store, Function<String, O> tombstone) {}

    private record TaskDone(String callId, Object value, Throwable error) {}

    /**
     * The deferred entries of one stage's tasks on this instance, the state of its gauge: one per
     * topology (its supplier makes it), so the tasks add up without static state.
     */
    static final class Deferred {
        private final AtomicLong total = new AtomicLong();
        private final AtomicBoolean registered = new AtomicBoolean();

        void bind(AppMeters meters, String stage) {
            meters.registry().ifPresent(registry -> {
                if (registered.compareAndSet(false, true)) {
                    // a topology built again in this process (a restarted app) takes the gauge over
                    Gauge previous = registry.find(SynthMeters.ASYNC_DEFERRED.meterName())
                            .tags("app", meters.app(), "stage", stage)
                            .gauge();
                    if (previous != null) {
                        registry.remove(previous);
                    }
                    Gauge.builder(SynthMeters.ASYNC_DEFERRED.meterName(), total, AtomicLong::get)
                            .description(SynthMeters.ASYNC_DEFERRED.description())
                            .tags("app", meters.app(), "stage", stage)
                            .register(registry);
                }
            });
        }
    }

    private final Setup<O> setup;
    private final AsyncWork<I, P, O> work;
    private final Deferred deferred;
    /** This task's part of {@link #deferred}. */
    private long deferredHere;
    /** Entries held ({@link Step#hold}) until a step wakes them; begun again after a restart. */
    private final Set<String> held = new java.util.HashSet<>();
    /** Calls out per pending key, by name; the value is a task's future (null for an LLM call). */
    private final Map<String, Map<String, CompletableFuture<?>>> outstanding = new HashMap<>();

    private ProcessorContext<String, O> context;
    private KeyValueStore<String, P> pending;
    private SpecLookup specs;
    private SpecWait specWait;
    private AppMeters meters;
    private LlmRuntime.Client client;
    private ConcurrentLinkedQueue<TaskDone> taskResults;
    private boolean restored;
    /** The kept-reply store, when the stage keeps replies. */
    private KeyValueStore<String, byte[]> kept;
    /** Call id to the call key its reply is kept under, for the calls out whose reply is kept. */
    private final Map<String, String> keptCalls = new HashMap<>();
    /** Replies taken from the kept-reply store, handed to the stage at the next drain. */
    private final java.util.ArrayDeque<LlmRuntime.Completion> taken = new java.util.ArrayDeque<>();
    /** Whether the pending store may hold deferred entries: a pass over it is under way. */
    private boolean deferring;
    /** The last key the current pass has dealt with; null before its first. */
    private String passedKey;
    /** Whether an entry was deferred after the current pass began: another pass follows it. */
    private boolean deferredDuringPass;

    public AsyncStage(Setup<O> setup, AsyncWork<I, P, O> work) {
        this(setup, work, new Deferred());
    }

    AsyncStage(Setup<O> setup, AsyncWork<I, P, O> work, Deferred deferred) {
        this.setup = setup;
        this.work = work;
        this.deferred = deferred;
    }

    /** A supplier of the stage's processor that carries its pending store. */
    public static <I, P, O> ProcessorSupplier<String, I, String, O> supplier(
            Setup<O> setup, StoreBuilder<KeyValueStore<String, P>> pendingStore, Supplier<AsyncWork<I, P, O>> work) {
        return supplier(setup, pendingStore, Set.of(), work);
    }

    /**
     * A supplier of the stage's processor that carries its pending store and the work's own
     * stores ({@link AsyncWork#init}).
     */
    public static <I, P, O> ProcessorSupplier<String, I, String, O> supplier(
            Setup<O> setup,
            StoreBuilder<KeyValueStore<String, P>> pendingStore,
            Set<StoreBuilder<?>> workStores,
            Supplier<AsyncWork<I, P, O>> work) {
        if (!pendingStore.name().equals(setup.pendingStore())) {
            throw new IllegalArgumentException(
                    "pending store " + pendingStore.name() + " is not the stage's " + setup.pendingStore());
        }
        Set<StoreBuilder<?>> stores = new java.util.HashSet<>(workStores);
        stores.add(pendingStore);
        Deferred deferred = new Deferred();
        return ProcessorSuppliers.owning(Set.copyOf(stores), () -> new AsyncStage<>(setup, work.get(), deferred));
    }

    @Override
    public void init(ProcessorContext<String, O> context) {
        forgetEverything(); // a task re-initialised after an error starts again from its store
        this.context = context;
        this.pending = context.getStateStore(setup.pendingStore());
        work.init(context::getStateStore);
        this.specs = new SpecLookup(context, setup.specStore());
        this.specWait = SpecWait.upTo(setup.settings().specWait(), setup.clock());
        this.meters = AppMeters.from(context.appConfigs(), setup.app());
        meters.registry().ifPresent(registry -> setup.runtime().bindMetrics(registry, setup.app()));
        deferred.bind(meters, setup.stage());
        this.client = setup.runtime().client(setup.app() + "/" + setup.stage() + "/" + context.taskId());
        this.taskResults = new ConcurrentLinkedQueue<>();
        this.restored = false;
        this.kept = setup.responses() == null
                ? null
                : context.getStateStore(setup.responses().store().storeName());
        context.schedule(setup.settings().drainInterval(), PunctuationType.WALL_CLOCK_TIME, now -> {
            if (!restored) {
                restored = true;
                deferStored();
            }
            drain();
            beginDeferred();
        });
        context.schedule(specWait.recheckInterval(), PunctuationType.WALL_CLOCK_TIME, now -> recheckSpecs());
    }

    @Override
    public void process(Record<String, I> record) {
        long offset = context.recordMetadata()
                .map(org.apache.kafka.streams.processor.api.RecordMetadata::offset)
                .orElse(-1L);
        for (Map.Entry<String, P> started :
                work.start(record.value(), record.timestamp(), offset).entrySet()) {
            if (pending.get(started.getKey()) != null) {
                continue; // delivered again: already pending
            }
            if (deferring || full()) { // behind the deferred ones, or no room: stored, begun later
                pending.put(started.getKey(), started.getValue());
                defer();
                countDeferred(1);
            } else {
                resume(started.getKey(), started.getValue(), false);
            }
        }
    }

    /** Whether the work this stage starts has no room: the LLM runtime's or its other work's. */
    private boolean full() {
        return setup.runtime().backlogAtLeast(LlmRuntime.INPUT_PAUSE_BACKLOG)
                || (setup.saturated() != null && setup.saturated().getAsBoolean());
    }

    /** Notes that the pending store holds an entry not begun: a pass over the store will find it. */
    private void defer() {
        if (!deferring) {
            deferring = true;
            passedKey = null;
            deferredDuringPass = false;
        } else if (passedKey != null) {
            deferredDuringPass = true; // it may lie behind the pass
        }
    }

    /** After a (re)start: every stored entry this incarnation has not begun counts as deferred. */
    private void deferStored() {
        long stored = 0;
        try (KeyValueIterator<String, P> all = pending.all()) {
            while (all.hasNext()) {
                String key = all.next().key;
                if (!outstanding.containsKey(key) && !specWait.isParked(key) && !held.contains(key)) {
                    stored++;
                }
            }
        }
        if (stored > 0) {
            defer();
        }
        countDeferred(stored - deferredHere); // those process() deferred since the start among them
    }

    private void countDeferred(long delta) {
        delta = Math.max(delta, -deferredHere); // never below zero, whatever a pass begins
        deferredHere += delta;
        deferred.total.addAndGet(delta);
    }

    /**
     * Begins deferred entries while there is room: the pass goes on through the pending store in
     * key order from where it stopped, skipping entries with calls out or parked. At the end of
     * the store the pass is over; another begins if an entry was deferred meanwhile.
     */
    private void beginDeferred() {
        while (deferring && !full()) {
            List<KeyValue<String, P>> batch = new ArrayList<>(DEFERRED_BATCH);
            String scanned = passedKey;
            boolean atEnd;
            try (KeyValueIterator<String, P> next =
                    passedKey == null ? pending.all() : pending.range(passedKey, null)) {
                while (batch.size() < DEFERRED_BATCH && next.hasNext()) {
                    KeyValue<String, P> entry = next.next();
                    if (entry.key.equals(passedKey)) {
                        continue; // the range includes where the pass stopped
                    }
                    scanned = entry.key;
                    if (!outstanding.containsKey(entry.key)
                            && !specWait.isParked(entry.key)
                            && !held.contains(entry.key)) {
                        batch.add(entry);
                    }
                }
                atEnd = !next.hasNext();
            }
            for (KeyValue<String, P> entry : batch) {
                if (full()) {
                    return; // the pass stops here and goes on at the next drain
                }
                passedKey = entry.key;
                countDeferred(-1);
                resume(entry.key, entry.value, true);
            }
            passedKey = scanned;
            if (atEnd) {
                passedKey = null;
                deferring = deferredDuringPass;
                deferredDuringPass = false;
                if (!deferring) {
                    countDeferred(-deferredHere); // nothing left: the count agrees with the store
                }
            }
        }
    }

    /** Begins an entry whose spec is known, parks it, or gives it up when its wait is over. */
    private void resume(String key, P entry, boolean stored) {
        Optional<GenerationRequest> spec = specs.spec(work.requestId(entry));
        Step<P, O> step;
        if (spec.isPresent()) {
            step = work.begin(key, entry, spec.get());
        } else if (specWait.isOverdue(work.since(entry))) {
            step = work.specMissing(key, entry);
        } else {
            step = Step.park();
        }
        apply(key, entry, step, stored);
    }

    private void recheckSpecs() {
        specWait.recheck(
                specs,
                (key, spec) -> {
                    P entry = pending.get(key);
                    if (entry != null) {
                        apply(key, entry, work.begin(key, entry, spec), true);
                    }
                },
                key -> {
                    P entry = pending.get(key);
                    if (entry != null) {
                        apply(key, entry, work.specMissing(key, entry), true);
                    }
                });
    }

    /** Handles the finished calls of this task; returns how many. */
    private int drain() {
        int handled = 0;
        LlmRuntime.Completion fromStore;
        while (handled < MAX_DRAIN && (fromStore = taken.poll()) != null) {
            handled++;
            answer(fromStore);
        }
        for (LlmRuntime.Completion completion : client.drain(MAX_DRAIN)) {
            handled++;
            answer(completion);
        }
        TaskDone done;
        while (handled < MAX_DRAIN && (done = taskResults.poll()) != null) {
            handled++;
            int at = done.callId().lastIndexOf(SEPARATOR);
            Throwable error =
                    done.error() instanceof CompletionException e && e.getCause() != null ? e.getCause() : done.error();
            handle(
                    done.callId().substring(0, at),
                    new CallResult.Value(done.callId().substring(at + 1), done.value(), error));
        }
        return handled;
    }

    private void answer(LlmRuntime.Completion completion) {
        int at = completion.callId().lastIndexOf(SEPARATOR);
        handle(
                completion.callId().substring(0, at),
                new CallResult.Answer(completion.callId().substring(at + 1), completion));
    }

    private void handle(String key, CallResult result) {
        Map<String, CompletableFuture<?>> calls = outstanding.get(key);
        if (calls == null || !calls.containsKey(result.call())) {
            return; // stale: the entry moved on or finished, or the call predates this incarnation
        }
        calls.remove(result.call());
        String callKey = keptCalls.remove(key + SEPARATOR + result.call());
        if (callKey != null
                && result instanceof CallResult.Answer answer
                && answer.completion().succeeded()) {
            // The reply is used in this transaction: its kept copy goes when the transaction commits.
            context.forward(new Record<>(
                    callKey,
                    setup.responses().tombstone().apply(callKey),
                    setup.clock().millis()));
        }
        boolean othersOutstanding = !calls.isEmpty();
        if (!othersOutstanding) {
            outstanding.remove(key);
        }
        P entry = pending.get(key);
        if (entry == null) {
            forget(key);
            return;
        }
        GenerationRequest spec = specs.spec(work.requestId(entry)).orElse(null);
        apply(key, entry, work.finished(key, entry, spec, result, othersOutstanding), true);
    }

    /**
     * Carries out a step in the current transaction.
     *
     * @param stored whether {@code entry} is in the pending store already
     */
    private void apply(String key, P entry, Step<P, O> step, boolean stored) {
        for (SampleFailure failure : step.failures()) {
            deadLetter(key, entry, failure);
        }
        long now = setup.clock().millis();
        for (Step.Output<O> output : step.outputs()) {
            context.forward(
                    new Record<>(output.key(), output.value(), output.timestamp() < 0 ? now : output.timestamp()));
        }
        String[] outcome = step.outcome();
        if (outcome != null && step.outcomes() > 0) {
            meters.count(setup.outcomeMeter(), step.outcomes(), outcome);
        }
        held.remove(key);
        switch (step.kind()) {
            case FINISH -> {
                if (stored) {
                    pending.delete(key);
                }
                forget(key);
            }
            case HOLD -> {
                if (step.entry() != null) {
                    pending.put(key, step.entry());
                } else if (!stored) {
                    pending.put(key, entry);
                }
                forget(key);
                held.add(key);
            }
            case PARK -> {
                if (!stored) {
                    pending.put(key, entry);
                }
                forget(key);
                specWait.park(key, work.requestId(entry), work.since(entry));
            }
            case PROCEED -> {
                if (step.entry() != null) {
                    pending.put(key, step.entry());
                } else if (!stored) {
                    pending.put(key, entry);
                }
                send(key, step.calls());
            }
        }
        for (String woken : step.woken()) {
            if (held.remove(woken)) {
                P waiting = pending.get(woken);
                if (waiting != null) {
                    resume(woken, waiting, true);
                }
            }
        }
    }

    private void send(String key, List<Call> calls) {
        if (calls.isEmpty()) {
            return;
        }
        Map<String, CompletableFuture<?>> out = outstanding.computeIfAbsent(key, k -> new HashMap<>());
        for (Call call : calls) {
            if (call.name().indexOf(SEPARATOR) >= 0) {
                throw new IllegalArgumentException("a call's name cannot contain '/': " + call.name());
            }
            if (out.containsKey(call.name())) {
                continue; // already out
            }
            String callId = key + SEPARATOR + call.name();
            if (call instanceof Call.Llm llm) {
                out.put(call.name(), null);
                sendLlm(callId, llm);
            } else if (call instanceof Call.Task task) {
                CompletableFuture<?> future;
                try {
                    future = task.start().get();
                } catch (RuntimeException e) {
                    future = CompletableFuture.failedFuture(e);
                }
                out.put(call.name(), future);
                ConcurrentLinkedQueue<TaskDone> results = taskResults;
                future.whenComplete((value, error) -> results.add(new TaskDone(callId, value, error)));
            }
        }
    }

    /**
     * Takes the call's kept reply (paid before a restart) or cached reply when there is one, else
     * sends the call with its reply to be kept.
     */
    private void sendLlm(String callId, Call.Llm llm) {
        String callKey = ResponseKeys.call(callId, llm.request());
        if (kept == null || !setup.runtime().keeps(llm.request())) { // the call is still sent with its key
            client.submit(callId, llm.request().withIdempotencyKey(ResponseKeys.idempotencyKey(callKey)));
            return;
        }
        ResponseStore store = setup.responses().store();
        String cacheKey = store.caching() && llm.place() != null
                ? ResponseKeys.cache(llm.place() + SEPARATOR + llm.name(), llm.request())
                : null;
        keptCalls.put(callId, callKey);
        Optional<StoredResponse> paid = store.call(kept, callKey);
        if (paid.isPresent()) {
            meters.count(SynthMeters.LLM_RESPONSES, "recovered");
            taken.add(completion(callId, paid.get(), recovered(paid.get().getSpend())));
            return;
        }
        Optional<StoredResponse> cached = cacheKey == null ? Optional.empty() : store.cached(kept, cacheKey);
        if (cached.isPresent()) {
            keptCalls.remove(callId); // nothing is kept under the call key: nothing to forget
            meters.count(SynthMeters.LLM_RESPONSES, "cached");
            taken.add(completion(callId, cached.get(), cachedSpend(cached.get().getSpend())));
            return;
        }
        client.submit(callId, llm.request(), new LlmRuntime.Keeping(callKey, cacheKey));
    }

    private static LlmRuntime.Completion completion(String callId, StoredResponse reply, Spend spend) {
        return new LlmRuntime.Completion(callId, LlmRuntime.response(reply), null, reply.getAttempts(), 0, spend);
    }

    /** A reply paid before a restart: counted as paid once, and as recovered. */
    private static Spend recovered(Spend paid) {
        return Spend.newBuilder(paid).setRecoveredCalls(paid.getCalls()).build();
    }

    /** A cached reply: not paid again; what it cost when it was is saved. */
    private static Spend cachedSpend(Spend paid) {
        return Spend.newBuilder()
                .setCachedCalls(1)
                .setSavedCostUsd(paid.getCostUsd())
                .build();
    }

    private void deadLetter(String key, P entry, SampleFailure failure) {
        DeadLetter letter = DeadLetters.forSample(
                setup.app(),
                setup.stage(),
                failure,
                key,
                work.requestId(entry),
                work.dataset(entry),
                setup.clock().instant());
        context.forward(new Record<>(
                key, setup.deadLetter().apply(letter), setup.clock().millis()));
        meters.count(SynthMeters.DEAD_LETTERS, setup.stage(), failure.reason().code());
    }

    /** Stops waiting for the key's calls: late results are ignored, tasks not started are cancelled. */
    private void forget(String key) {
        Map<String, CompletableFuture<?>> calls = outstanding.remove(key);
        if (calls != null) {
            calls.values().forEach(AsyncStage::cancel);
            calls.keySet().forEach(name -> keptCalls.remove(key + SEPARATOR + name));
        }
    }

    private void forgetEverything() {
        if (client != null) {
            client.cancelAll();
        }
        outstanding.values().forEach(calls -> calls.values().forEach(AsyncStage::cancel));
        outstanding.clear();
        keptCalls.clear();
        taken.clear();
        held.clear(); // a held entry is begun again after the restore, and holds again if it must
        deferring = false;
        passedKey = null;
        deferredDuringPass = false;
        countDeferred(-deferredHere); // the task's deferred entries are counted where it runs next
        if (specWait != null) {
            specWait.clear();
        }
    }

    private static void cancel(CompletableFuture<?> future) {
        if (future != null) {
            future.cancel(false);
        }
    }

    @Override
    public void close() {
        forgetEverything();
    }
}
