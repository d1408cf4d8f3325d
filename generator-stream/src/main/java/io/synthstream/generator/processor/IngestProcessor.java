package io.synthstream.generator.processor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.PlanStatus;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.SeedRecord;
import io.synthstream.avro.SeedRef;
import io.synthstream.avro.SteeringUpdate;
import io.synthstream.common.avro.SingleObject;
import io.synthstream.common.dlq.DeadLetterReason;
import io.synthstream.common.dlq.DeadLetters;
import io.synthstream.common.json.AvroJson;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.llm.Spends;
import io.synthstream.common.metrics.AppMeters;
import io.synthstream.common.metrics.SynthMeters;
import io.synthstream.common.quality.QualityPolicy;
import io.synthstream.common.text.StrictUtf8;
import io.synthstream.generator.avro.PlanCursor;
import io.synthstream.generator.avro.SeedArrivals;
import io.synthstream.generator.config.GeneratorConfig;
import io.synthstream.generator.logic.AttributeProposals;
import io.synthstream.generator.logic.Budgets;
import io.synthstream.generator.logic.Evolutions;
import io.synthstream.generator.logic.Planner;
import io.synthstream.generator.logic.RequestValidator;
import io.synthstream.generator.logic.Seeds;
import io.synthstream.generator.logic.SelfInstruct;
import io.synthstream.generator.logic.TopUp;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingest and plan. A valid request is published to {@code synth.specs} at once
 * and gets a cursor in {@link GeneratorStores#PLANS}; an invalid or repeated one goes to {@code
 * synth.dlq} with every problem listed. A wall-clock punctuator then emits the request's condition
 * tuples in batches of {@code generator.plan.batch.size}, advancing the cursor in the same
 * transaction, so a request for a million samples is many small transactions and resumes where it
 * stopped after a restart. It pauses while this instance's LLM runtime is saturated (the
 * back-pressure that keeps the pending store bounded). Steering for the request's dataset is read
 * from the global {@link GeneratorStores#STEERING} table at emission time. Each batch says how far
 * the request is planned on {@code synth.plan} (the ledger's {@code planned}). A request that
 * targets {@code count} accepted samples stays active once its first {@code count} are planned
 * and follows its ledger (the global {@link GeneratorStores#STATUS} table, {@link TopUp}).
 *
 * <p><b>Seeds.</b> Seeds and stop records arrive on {@code synth.seeds}, keyed by request id, so
 * they share the request's partition and this processor. Each seed is queued in {@link
 * GeneratorStores#SEEDS} under (request id, ordinal) in arrival order, whether its request has
 * arrived yet or not; inline seeds are queued when their request is accepted. A seeded request
 * plans its seeds in ordinal order, each seed (or chunk) {@code samples_per_seed} times, one
 * condition tuple per sample, with the seed's reference on the tuple; the cursor keeps (seed,
 * chunk, sample), so a restart resumes mid-seed. Planning stops when the expected seeds are
 * planned (inline, file), when a stop record's seeds are planned, or at {@code count} (the cap).
 * A seed without a field the templates use goes to synth.dlq ({@code invalid_seed}); a seed
 * whose request stopped, was refused, or did not come within {@code generator.seeds.orphan.ms}
 * goes there as {@code orphan_seed}. A stop record also stops an unseeded request's planning.
 */
final class IngestProcessor implements Processor<String, IngestInput, String, GeneratorOutput> {
    private static final Logger log = LoggerFactory.getLogger(IngestProcessor.class);
    static final String STAGE = "ingest";

    /** The planner pauses while the runtime has this many times its concurrency limit outstanding. */
    static final int PLAN_PAUSE_BACKLOG = 2;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final GeneratorConfig config;
    private final LlmRuntime runtime;
    private final String app;
    private ProcessorContext<String, GeneratorOutput> context;
    private KeyValueStore<String, PlanCursor> plans;
    private TimestampedKeyValueStore<String, SteeringUpdate> steering;
    private TimestampedKeyValueStore<String, RequestStatus> statuses;
    /** When a request first waited at generator.plan.ahead without a ledger, by request id. */
    private final Map<String, Long> waitingForLedger = new HashMap<>();

    private final Set<String> warnedNoLedger = new HashSet<>();
    private static final Duration LEDGER_WARNING = Duration.ofSeconds(30);
    private KeyValueStore<String, SeedRecord> seeds;
    private KeyValueStore<String, SeedArrivals> arrivals;
    /** The current seed's chunks, by request id (recomputed after a restart: chunking is pure). */
    private final Map<String, List<SeedRef>> chunks = new HashMap<>();
    /** The seed fields each seeded request's templates use (rendering them once per request). */
    private final Map<String, java.util.Set<String>> referenced = new HashMap<>();

    private long lastOrphanScan;
    /** Requests waiting for proposed attribute values, and this task's view of the LLM runtime. */
    private final Set<String> proposing = new LinkedHashSet<>();

    private LlmRuntime.Client designCalls;
    private final Set<String> active = new LinkedHashSet<>();
    private final Map<String, GenerationRequest> decoded = new HashMap<>();
    private boolean scanned;
    private AppMeters meters;

    IngestProcessor(GeneratorConfig config, LlmRuntime runtime) {
        this.config = config;
        this.runtime = runtime;
        this.app = config.synth().applicationId();
    }

    @Override
    public void init(ProcessorContext<String, GeneratorOutput> context) {
        this.context = context;
        this.plans = context.getStateStore(GeneratorStores.PLANS);
        this.steering = context.getStateStore(GeneratorStores.STEERING);
        this.statuses = context.getStateStore(GeneratorStores.STATUS);
        this.seeds = context.getStateStore(GeneratorStores.SEEDS);
        this.arrivals = context.getStateStore(GeneratorStores.SEED_ARRIVALS);
        this.meters = AppMeters.from(context.appConfigs(), app);
        this.designCalls = runtime.client(app + "-ingest-" + context.taskId());
        context.schedule(config.get(GeneratorConfig.PLAN_INTERVAL_MS), PunctuationType.WALL_CLOCK_TIME, this::plan);
    }

    @Override
    public void process(Record<String, IngestInput> record) {
        GenerationRequest request;
        long size;
        byte[] raw;
        IngestInput input = record.value();
        if (input.seed() != null) {
            seed(record, input.seed());
            return;
        }
        if (input.json() != null) {
            raw = input.json();
            size = raw.length;
            long maxBytes = config.get(GeneratorConfig.MAX_REQUEST_BYTES);
            if (size > maxBytes) { // refused before it is parsed
                reject(
                        record,
                        raw,
                        DeadLetterReason.INVALID_REQUEST,
                        "Invalid JSON request: the record is " + size + " bytes, above the limit of " + maxBytes
                                + " (generator.max.request.bytes); move large example sets out of the request",
                        null);
                return;
            }
            try {
                request = fromJson(StrictUtf8.decode(raw), record.timestamp());
            } catch (StrictUtf8.NotUtf8Exception e) {
                reject(record, raw, DeadLetterReason.INVALID_REQUEST, "Invalid JSON request: " + e.getMessage(), null);
                return;
            } catch (IOException | IllegalArgumentException e) {
                reject(record, raw, DeadLetterReason.INVALID_REQUEST, "Invalid JSON request: " + e.getMessage(), null);
                return;
            }
        } else {
            request = input.request();
            size = SingleObject.encode(request::toByteBuffer).remaining();
            raw = request.toString().getBytes(StandardCharsets.UTF_8);
        }
        List<String> problems = new ArrayList<>(RequestValidator.problems(
                request,
                size,
                new RequestValidator.Limits(
                        config.get(GeneratorConfig.MAX_COUNT),
                        config.get(GeneratorConfig.MAX_REQUEST_BYTES),
                        runtime.provider().names(),
                        pricing())));
        if (record.key() != null
                && request.getRequestId() != null
                && !record.key().equals(request.getRequestId())) {
            problems.add("the record key '" + record.key() + "' differs from request_id '" + request.getRequestId()
                    + "'; key requests by their request_id");
        }
        if (!problems.isEmpty()) {
            reject(
                    record,
                    raw,
                    DeadLetterReason.INVALID_REQUEST,
                    "Invalid request " + request.getRequestId() + ": " + String.join("; ", problems),
                    request);
            if (request.getRequestId() != null && plans.get(request.getRequestId()) == null) {
                orphans(
                        request.getRequestId(),
                        request.getDataset(),
                        "its request was refused (see the" + " invalid_request letter of " + request.getRequestId()
                                + ")");
            }
            return;
        }
        if (plans.get(request.getRequestId()) != null) {
            reject(
                    record,
                    raw,
                    DeadLetterReason.DUPLICATE_REQUEST,
                    "Request " + request.getRequestId()
                            + " was already accepted; submit changes under a new request_id",
                    request);
            return;
        }
        boolean propose = AttributeProposals.needed(request);
        if (!propose) {
            context.forward(
                    new Record<>(request.getRequestId(), new GeneratorOutput.Spec(request), record.timestamp()));
        }
        plans.put(
                request.getRequestId(),
                PlanCursor.newBuilder()
                        .setRequestId(request.getRequestId())
                        .setRequest(SingleObject.encode(request::toByteBuffer))
                        .setCount(request.getCount())
                        .setNextIndex(0)
                        .setAcceptedAt(System.currentTimeMillis())
                        .setProposing(propose)
                        .build());
        (propose ? proposing : active).add(request.getRequestId());
        decoded.put(request.getRequestId(), request);
        meters.count(SynthMeters.GENERATOR_REQUESTS, "accepted");
        if (!propose
                && Seeds.seeded(request)
                && Seeds.INLINE.equals(request.getSeeds().getSource())) {
            for (SeedRecord seed : Seeds.inline(request, Instant.ofEpochMilli(record.timestamp()))) {
                enqueue(seed, record.timestamp());
            }
        }
    }

    @Override
    public void close() {
        if (designCalls != null) {
            designCalls.cancelAll();
        }
    }

    /** A seed or stop record from synth.seeds. */
    private void seed(Record<String, IngestInput> record, SeedRecord seed) {
        String requestId = seed.getRequestId();
        if (record.key() != null && !record.key().equals(requestId)) {
            seedLetter(
                    seed,
                    null,
                    DeadLetterReason.INVALID_SEED,
                    "the record key '" + record.key() + "' differs from request_id '" + requestId
                            + "'; key seeds by their request's id");
            return;
        }
        PlanCursor cursor = plans.get(requestId);
        if (cursor != null && cursor.getRequest() == null) {
            if (!seed.getStop()) {
                seedLetter(
                        seed,
                        null,
                        DeadLetterReason.ORPHAN_SEED,
                        "request " + requestId + " has stopped planning; seeds that arrive after that are not used");
                cursor.setSeedsFailed(cursor.getSeedsFailed() + 1);
                plans.put(requestId, cursor);
                planned(requestId, cursor, true, cursor.getStopReason(), context.currentSystemTimeMs());
            }
            return;
        }
        if (seed.getStop()) {
            SeedArrivals arrived = arrivals(requestId, record.timestamp());
            if (arrived.getStopAt() == null) {
                arrived.setStopAt(arrived.getReceived());
                arrivals.put(requestId, arrived);
            }
            return;
        }
        enqueue(seed, record.timestamp());
    }

    /** Queues a seed under its request's next ordinal, or dead-letters it after a stop record. */
    private void enqueue(SeedRecord seed, long timestamp) {
        String requestId = seed.getRequestId();
        SeedArrivals arrived = arrivals(requestId, timestamp);
        if (arrived.getStopAt() != null) {
            seedLetter(
                    seed,
                    null,
                    DeadLetterReason.ORPHAN_SEED,
                    "seed arrived after a stop record of request " + requestId + "; seeds after the stop are not used");
            PlanCursor cursor = plans.get(requestId);
            if (cursor != null) {
                cursor.setSeedsFailed(cursor.getSeedsFailed() + 1);
                plans.put(requestId, cursor);
            }
            return;
        }
        seeds.put(seedKey(requestId, arrived.getReceived()), seed);
        arrived.setReceived(arrived.getReceived() + 1);
        arrivals.put(requestId, arrived);
        meters.count(SynthMeters.GENERATOR_SEEDS, "received");
    }

    private SeedArrivals arrivals(String requestId, long timestamp) {
        SeedArrivals arrived = arrivals.get(requestId);
        return arrived != null
                ? arrived
                : SeedArrivals.newBuilder()
                        .setRequestId(requestId)
                        .setFirstAt(Math.max(timestamp, context.currentSystemTimeMs()))
                        .build();
    }

    /** The queue key of seed {@code ordinal}: ordinals sort as numbers within the request's prefix. */
    static String seedKey(String requestId, long ordinal) {
        return seedPrefix(requestId) + String.format("%019d", ordinal);
    }

    private static String seedPrefix(String requestId) {
        return requestId + '\u0000';
    }

    /** Removes every queued seed of a request; returns them. */
    private List<SeedRecord> dequeueAll(String requestId) {
        List<String> keys = new ArrayList<>();
        List<SeedRecord> removed = new ArrayList<>();
        try (KeyValueIterator<String, SeedRecord> queued =
                seeds.prefixScan(seedPrefix(requestId), Serdes.String().serializer())) {
            while (queued.hasNext()) {
                KeyValue<String, SeedRecord> kv = queued.next();
                keys.add(kv.key);
                removed.add(kv.value);
            }
        }
        keys.forEach(seeds::delete);
        return removed;
    }

    /** Dead-letters every queued seed of a request that will not plan them, and forgets its arrivals. */
    private void orphans(String requestId, String dataset, String why) {
        if (arrivals.get(requestId) == null) {
            return;
        }
        for (SeedRecord seed : dequeueAll(requestId)) {
            seedLetter(
                    seed,
                    dataset,
                    DeadLetterReason.ORPHAN_SEED,
                    "seed " + seed.getSeedId() + " of request " + requestId + " is not used: " + why);
        }
        arrivals.delete(requestId);
    }

    /** Seeds that waited longer than generator.seeds.orphan.ms for a request that never came. */
    private void scanOrphans(long now) {
        if (now - lastOrphanScan < 5_000) {
            return;
        }
        lastOrphanScan = now;
        long wait = config.get(GeneratorConfig.SEED_ORPHAN_MS).toMillis();
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, SeedArrivals> all = arrivals.all()) {
            all.forEachRemaining(kv -> {
                if (now - kv.value.getFirstAt() > wait && plans.get(kv.key) == null) {
                    expired.add(kv.key);
                }
            });
        }
        for (String requestId : expired) {
            orphans(
                    requestId,
                    null,
                    "no request " + requestId + " arrived within " + wait
                            + " ms (generator.seeds.orphan.ms); publish the request, then its seeds");
        }
    }

    private void seedLetter(SeedRecord seed, String dataset, DeadLetterReason reason, String message) {
        Optional<RecordMetadata> metadata = context.recordMetadata();
        boolean fromSeedsTopic = metadata.map(
                        m -> io.synthstream.common.topics.Topics.SEEDS.name().equals(m.topic()))
                .orElse(false);
        DeadLetter letter = DeadLetters.forMessage(
                        app,
                        STAGE,
                        reason,
                        message,
                        new DeadLetters.Origin(
                                fromSeedsTopic ? metadata.get().topic() : null,
                                fromSeedsTopic ? metadata.get().partition() : null,
                                fromSeedsTopic ? metadata.get().offset() : null,
                                seed.getRequestId().getBytes(StandardCharsets.UTF_8),
                                seed.toString().getBytes(StandardCharsets.UTF_8)),
                        Instant.ofEpochMilli(context.currentSystemTimeMs()))
                .setRequestId(seed.getRequestId())
                .setDataset(dataset)
                .build();
        context.forward(
                new Record<>(seed.getRequestId(), new GeneratorOutput.Failed(letter), context.currentSystemTimeMs()));
        meters.count(SynthMeters.GENERATOR_SEEDS, "failed");
        meters.count(SynthMeters.DEAD_LETTERS, STAGE, reason.code());
    }

    /** Reads plain JSON; {@code created_at} defaults to the record's timestamp. */
    static GenerationRequest fromJson(String json, long timestamp) throws IOException {
        JsonNode node = JSON.readTree(json);
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        if (!node.has("created_at")) {
            ((ObjectNode) node).put("created_at", timestamp);
        }
        return AvroJson.read(node, GenerationRequest.class);
    }

    private void reject(
            Record<String, IngestInput> record,
            byte[] raw,
            DeadLetterReason reason,
            String message,
            GenerationRequest request) {
        Optional<RecordMetadata> metadata = context.recordMetadata();
        byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
        DeadLetter.Builder letter = DeadLetters.forMessage(
                app,
                STAGE,
                reason,
                message,
                new DeadLetters.Origin(
                        metadata.map(RecordMetadata::topic).orElse(null),
                        metadata.map(RecordMetadata::partition).orElse(null),
                        metadata.map(RecordMetadata::offset).orElse(null),
                        key,
                        raw),
                Instant.now());
        if (request != null) {
            letter.setRequestId(request.getRequestId()).setDataset(request.getDataset());
        }
        context.forward(new Record<>(record.key(), new GeneratorOutput.Failed(letter.build()), record.timestamp()));
        meters.count(SynthMeters.GENERATOR_REQUESTS, "rejected");
        meters.count(SynthMeters.DEAD_LETTERS, STAGE, reason.code());
    }

    private void plan(long now) {
        scanOrphans(now);
        if (!scanned) {
            try (KeyValueIterator<String, PlanCursor> all = plans.all()) {
                all.forEachRemaining(kv -> {
                    if (kv.value.getRequest() != null) {
                        (kv.value.getProposing() ? proposing : active).add(kv.key);
                    }
                });
            }
            scanned = true;
        }
        propose(now);
        for (String requestId : List.copyOf(active)) {
            if (runtime.backlogAtLeast(PLAN_PAUSE_BACKLOG)) {
                return;
            }
            PlanCursor cursor = plans.get(requestId);
            if (cursor == null || cursor.getRequest() == null) {
                active.remove(requestId);
                decoded.remove(requestId);
                continue;
            }
            GenerationRequest request = decoded.computeIfAbsent(requestId, id -> decode(cursor.getRequest()));
            SeedArrivals arrived = arrivals.get(requestId);
            ValueAndTimestamp<RequestStatus> spentSoFar = statuses.get(requestId);
            int outputs = Evolutions.outputs(request); // samples per planned tuple
            Budgets.Allowance allowance = Budgets.allowance(
                    request.getBudget(),
                    request.getDatasetBudget(),
                    cursor.getNextIndex() * outputs,
                    spentSoFar == null ? null : spentSoFar.value(),
                    request.getDatasetBudget() == null ? List.of() : otherLedgers(request));
            if (allowance.exhausted()) {
                RequestStatus ledger = spentSoFar == null ? null : spentSoFar.value();
                log.info(
                        "Request {}: budget exhausted after planning {} samples (budget {}, dataset budget {});"
                                + " the ledger counts {} generated, {} failed, {} rejected, generation {}, judge {}",
                        requestId,
                        cursor.getNextIndex(),
                        request.getBudget(),
                        request.getDatasetBudget(),
                        ledger == null ? 0 : ledger.getGenerated(),
                        ledger == null ? 0 : ledger.getFailed(),
                        ledger == null ? 0 : ledger.getRejected(),
                        ledger == null ? null : ledger.getGenerationSpend(),
                        ledger == null ? null : ledger.getJudgeSpend());
                stop(cursor, request, Budgets.EXHAUSTED, now);
                continue;
            }
            if (outputs > 1 && allowance.samples() < outputs) { // not one more Evol-Instruct chain fits the budget
                RequestStatus ledger = spentSoFar == null ? null : spentSoFar.value();
                long done = ledger == null ? 0 : ledger.getGenerated() + ledger.getFailed();
                if (cursor.getNextIndex() * outputs <= done) {
                    stop(cursor, request, Budgets.EXHAUSTED, now);
                }
                continue;
            }
            if (Seeds.seeded(request)) {
                planSeeds(cursor, request, arrived, now, allowance.samples() / outputs);
                continue;
            }
            if (arrived != null && arrived.getStopAt() != null) {
                stop(cursor, request, "stopped", now);
                continue;
            }
            QualityPolicy policy = QualityPolicy.of(request);
            if (cursor.getFollowing()) {
                ValueAndTimestamp<RequestStatus> ledger = statuses.get(requestId);
                TopUp.Decision next = TopUp.next(
                        cursor.getNextIndex(),
                        policy.maxPlanned(),
                        request.getCount(),
                        ledger == null ? null : ledger.value());
                if (next.stop()) {
                    stop(cursor, request, next.reason(), now);
                    continue;
                }
                if (next.planTo() <= cursor.getCount()) {
                    continue; // what is in flight may still meet the target
                }
                meters.count(SynthMeters.GENERATOR_TOP_UPS, next.planTo() - cursor.getCount());
                cursor.setCount(next.planTo());
            }
            ValueAndTimestamp<SteeringUpdate> steer = steering.get(request.getDataset());
            long end = Math.min(
                    cursor.getCount(),
                    cursor.getNextIndex()
                            + Math.min(
                                    Math.min(config.get(GeneratorConfig.PLAN_BATCH), allowance.samples() / outputs),
                                    aheadRoom(requestId, cursor.getNextIndex(), outputs, now)));
            if (end == cursor.getNextIndex() && end < cursor.getCount()) {
                continue; // as far ahead of generation as generator.plan.ahead allows
            }
            Instant at = Instant.ofEpochMilli(now);
            for (long i = cursor.getNextIndex(); i < end; i++) {
                ConditionTuple tuple = Planner.plan(request, i, steer == null ? null : steer.value(), at);
                context.forward(
                        new Record<>(SelfInstruct.key(request, tuple), new GeneratorOutput.Condition(tuple), now));
            }
            meters.count(SynthMeters.GENERATOR_CONDITIONS, end - cursor.getNextIndex());
            cursor.setNextIndex(end);
            if (end >= cursor.getCount() && !policy.targetsAccepted()) {
                stop(cursor, request, null, now);
                continue;
            }
            cursor.setFollowing(end >= cursor.getCount());
            plans.put(requestId, cursor);
            planned(requestId, cursor, false, null, now);
        }
    }

    /**
     * Attribute values the model proposes (AttrPrompt): sends every design call a waiting request
     * can make now (a call already outstanding is not sent twice, so a restart simply sends the
     * missing ones again), takes the finished ones into the request, and publishes the spec, with
     * the values in it, once none is missing. A failed call or an unusable reply ends the request
     * in synth.dlq ({@code proposal_failed}) with an excerpt of the reply.
     */
    private void propose(long now) {
        if (proposing.isEmpty()) {
            return;
        }
        for (LlmRuntime.Completion done : designCalls.drain(Integer.MAX_VALUE)) {
            Map.Entry<String, AttributeProposals.Ask> call = AttributeProposals.parseCallId(done.callId());
            String requestId = call.getKey();
            PlanCursor cursor = plans.get(requestId);
            if (!proposing.contains(requestId) || cursor == null || cursor.getRequest() == null) {
                continue;
            }
            GenerationRequest request = decoded.computeIfAbsent(requestId, id -> decode(cursor.getRequest()));
            AttributeProposals.Ask ask = call.getValue();
            int wanted = request.getAttributes().stream()
                    .filter(a -> a.getName().equals(ask.attribute()))
                    .findFirst()
                    .map(a -> a.getPropose())
                    .orElse(0);
            cursor.setDesignSpend(Spends.encode(Spends.plus(Spends.decode(cursor.getDesignSpend()), done.spend())));
            plans.put(requestId, cursor);
            try {
                if (!done.succeeded()) {
                    throw new AttributeProposals.UnusableProposal(
                            "the call failed: " + done.failure().getMessage());
                }
                List<String> values = AttributeProposals.values(done.response().content(), wanted);
                GenerationRequest filled = AttributeProposals.fill(
                        request, ask, values, done.response().model());
                decoded.put(requestId, filled);
                cursor.setRequest(SingleObject.encode(filled::toByteBuffer));
                plans.put(requestId, cursor);
                meters.count(SynthMeters.GENERATOR_PROPOSALS, "proposed");
            } catch (AttributeProposals.UnusableProposal e) {
                proposalFailed(cursor, request, ask, e.getMessage(), now);
            }
        }
        for (String requestId : List.copyOf(proposing)) {
            PlanCursor cursor = plans.get(requestId);
            if (cursor == null || cursor.getRequest() == null) {
                proposing.remove(requestId);
                continue;
            }
            GenerationRequest request = decoded.computeIfAbsent(requestId, id -> decode(cursor.getRequest()));
            if (AttributeProposals.needed(request)) {
                for (AttributeProposals.Ask ask : AttributeProposals.pending(request)) {
                    designCalls.submit(
                            AttributeProposals.callId(requestId, ask),
                            AttributeProposals.call(request, ask, runtime.provider()));
                }
                continue;
            }
            List<String> problems = RequestValidator.problems(
                    request,
                    0,
                    new RequestValidator.Limits(
                            config.get(GeneratorConfig.MAX_COUNT),
                            Long.MAX_VALUE,
                            runtime.provider().names(),
                            pricing()));
            if (!problems.isEmpty()) {
                proposalFailed(cursor, request, null, String.join("; ", problems), now);
                continue;
            }
            proposing.remove(requestId);
            cursor.setProposing(false);
            plans.put(requestId, cursor);
            context.forward(new Record<>(requestId, new GeneratorOutput.Spec(request), now));
            active.add(requestId);
            if (Seeds.seeded(request) && Seeds.INLINE.equals(request.getSeeds().getSource())) {
                for (SeedRecord seed : Seeds.inline(request, Instant.ofEpochMilli(now))) {
                    enqueue(seed, now);
                }
            }
        }
    }

    private void proposalFailed(
            PlanCursor cursor, GenerationRequest request, AttributeProposals.Ask ask, String why, long now) {
        String requestId = request.getRequestId();
        String what = ask == null
                ? "its proposed attribute values"
                : "attribute " + ask.attribute() + (ask.parentValue() == null ? "" : " for " + ask.parentValue());
        DeadLetter letter = DeadLetters.forMessage(
                        app,
                        STAGE,
                        DeadLetterReason.PROPOSAL_FAILED,
                        "Request " + requestId + " cannot be planned: the model's proposal of " + what
                                + " is unusable: " + why,
                        DeadLetters.Origin.NONE,
                        Instant.ofEpochMilli(now))
                .setRequestId(requestId)
                .setDataset(request.getDataset())
                .setSpend(Spends.decode(cursor.getDesignSpend()))
                .build();
        context.forward(new Record<>(requestId, new GeneratorOutput.Failed(letter), now));
        meters.count(SynthMeters.GENERATOR_PROPOSALS, "failed");
        meters.count(SynthMeters.DEAD_LETTERS, STAGE, DeadLetterReason.PROPOSAL_FAILED.code());
        cursor.setRequest(null);
        cursor.setProposing(false);
        cursor.setStopReason("proposal_failed");
        plans.put(requestId, cursor);
        proposing.remove(requestId);
        decoded.remove(requestId);
        orphans(requestId, request.getDataset(), "its request failed (proposal_failed)");
    }

    /**
     * How many more tuples a request may plan now: {@code generator.plan.ahead} less those it has
     * planned and its ledger does not yet count as generated or failed (no bound when the setting
     * is 0). A request whose ledger never appears waits at the bound; that is logged once, since it
     * means the evaluator (which keeps the ledgers) is not running.
     */
    private long aheadRoom(String requestId, long tuples, int outputs, long now) {
        long room = aheadRoom(requestId, tuples * outputs, now);
        return room == Long.MAX_VALUE ? room : room / outputs;
    }

    /** {@link #aheadRoom(String, long, int, long)} in samples. */
    private long aheadRoom(String requestId, long planned, long now) {
        int ahead = config.get(GeneratorConfig.PLAN_AHEAD);
        if (ahead == 0) {
            return Long.MAX_VALUE;
        }
        ValueAndTimestamp<RequestStatus> ledger = statuses.get(requestId);
        long done = ledger == null
                ? 0
                : ledger.value().getGenerated() + ledger.value().getFailed();
        long room = Math.max(0, ahead - (planned - done));
        if (room == 0 && ledger == null) {
            long since = waitingForLedger.computeIfAbsent(requestId, id -> now);
            if (now - since >= LEDGER_WARNING.toMillis() && warnedNoLedger.add(requestId)) {
                log.warn(
                        "Request {} has planned {} samples and has no ledger after {} s: is the evaluator running?"
                                + " Planning waits until generated samples are counted (generator.plan.ahead={};"
                                + " 0 turns the bound off).",
                        requestId,
                        planned,
                        LEDGER_WARNING.toSeconds(),
                        ahead);
            }
        } else {
            waitingForLedger.remove(requestId);
        }
        return room;
    }

    /**
     * One tick of a seeded request: up to a batch of tuples from its queued seeds, in ordinal
     * order, resuming mid-seed; stops when every seed it will have is planned, or at the cap.
     */
    /** What a request's cost budget is checked against: this app's prices and providers. */
    private RequestValidator.Pricing pricing() {
        return new RequestValidator.Pricing(runtime.prices(), provider -> {
            try {
                return runtime.provider().select(provider).defaultModel();
            } catch (IllegalArgumentException unknown) {
                return null; // refused as an unknown provider
            }
        });
    }

    private void planSeeds(
            PlanCursor cursor, GenerationRequest request, SeedArrivals arrived, long now, long allowance) {
        String requestId = cursor.getRequestId();
        long expected = Seeds.expected(request);
        long received = arrived == null ? 0 : arrived.getReceived();
        int perSeed = request.getSeeds().getSamplesPerSeed();
        long budget = Math.min(
                Math.min(config.get(GeneratorConfig.PLAN_BATCH), allowance),
                aheadRoom(requestId, cursor.getNextIndex(), Evolutions.outputs(request), now));
        long startIndex = cursor.getNextIndex();
        long startFailed = cursor.getSeedsFailed();
        long startPlanned = cursor.getSeedsPlanned();
        ValueAndTimestamp<SteeringUpdate> steer = steering.get(request.getDataset());
        Instant at = Instant.ofEpochMilli(now);
        boolean done = false;
        String reason = null;
        while (true) {
            long ordinal = cursor.getSeedNext();
            if ((expected >= 0 && ordinal >= expected)
                    || (arrived != null && arrived.getStopAt() != null && ordinal >= arrived.getStopAt())) {
                done = true;
                break;
            }
            if (cursor.getNextIndex() >= cursor.getCount()) {
                done = true;
                reason = "cap_reached";
                break;
            }
            if (budget <= 0) {
                break;
            }
            SeedRecord seed = seeds.get(seedKey(requestId, ordinal));
            if (seed == null) {
                break; // the next seed has not arrived yet
            }
            List<SeedRef> refs = chunks.computeIfAbsent(requestId, id -> Seeds.expand(request, seed, ordinal));
            List<String> missing = Seeds.missing(
                    referenced.computeIfAbsent(requestId, id -> Seeds.referenced(request)), seed.getFields());
            if (!missing.isEmpty() || refs.isEmpty()) {
                seedLetter(
                        seed,
                        request.getDataset(),
                        DeadLetterReason.INVALID_SEED,
                        "seed " + seed.getSeedId()
                                + " (" + seed.getSource() + ") of request " + requestId
                                + (missing.isEmpty()
                                        ? " has an empty "
                                                + request.getSeeds()
                                                        .getChunking()
                                                        .getField() + " field to chunk"
                                        : " lacks " + String.join(", ", missing) + ", which the request's templates"
                                                + " or seeds.keep use; its fields are "
                                                + seed.getFields().keySet()));
                cursor.setSeedsFailed(cursor.getSeedsFailed() + 1);
                nextSeed(cursor, requestId, ordinal);
                continue;
            }
            while (budget > 0 && cursor.getSeedChunk() < refs.size() && cursor.getNextIndex() < cursor.getCount()) {
                ConditionTuple tuple = Planner.plan(
                        request,
                        cursor.getNextIndex(),
                        steer == null ? null : steer.value(),
                        at,
                        refs.get(cursor.getSeedChunk()));
                context.forward(new Record<>(tuple.getConditionId(), new GeneratorOutput.Condition(tuple), now));
                cursor.setNextIndex(cursor.getNextIndex() + 1);
                budget--;
                cursor.setSeedSample(cursor.getSeedSample() + 1);
                if (cursor.getSeedSample() >= perSeed) {
                    cursor.setSeedSample(0);
                    cursor.setSeedChunk(cursor.getSeedChunk() + 1);
                }
            }
            if (cursor.getSeedChunk() >= refs.size()) {
                cursor.setSeedsPlanned(cursor.getSeedsPlanned() + 1);
                meters.count(SynthMeters.GENERATOR_SEEDS, "planned");
                nextSeed(cursor, requestId, ordinal);
            }
        }
        meters.count(SynthMeters.GENERATOR_CONDITIONS, cursor.getNextIndex() - startIndex);
        if (done) {
            List<SeedRecord> left = dequeueAll(requestId);
            cursor.setSeedsUnused(cursor.getSeedsUnused() + left.size());
            meters.count(SynthMeters.GENERATOR_SEEDS, left.size(), "unused");
            cursor.setSeedsReceived(received);
            arrivals.delete(requestId);
            chunks.remove(requestId);
            referenced.remove(requestId);
            stop(cursor, request, reason, now);
            return;
        }
        if (cursor.getNextIndex() != startIndex
                || cursor.getSeedsFailed() != startFailed
                || cursor.getSeedsPlanned() != startPlanned
                || cursor.getSeedsReceived() != received) {
            cursor.setSeedsReceived(received);
            planned(requestId, cursor, false, null, now);
            plans.put(requestId, cursor);
        }
    }

    /** Moves the cursor past seed {@code ordinal} and drops it from the queue. */
    private void nextSeed(PlanCursor cursor, String requestId, long ordinal) {
        seeds.delete(seedKey(requestId, ordinal));
        chunks.remove(requestId);
        cursor.setSeedNext(ordinal + 1);
        cursor.setSeedChunk(0);
        cursor.setSeedSample(0);
    }

    /** Stops planning a request for good and says so on synth.plan. */
    /**
     * The ledgers of the other requests of {@code request}'s dataset, from the global table of
     * ledgers (a scan: it runs only for requests that state a dataset budget).
     */
    private List<RequestStatus> otherLedgers(GenerationRequest request) {
        List<RequestStatus> others = new ArrayList<>();
        try (KeyValueIterator<String, ValueAndTimestamp<RequestStatus>> all = statuses.all()) {
            while (all.hasNext()) {
                KeyValue<String, ValueAndTimestamp<RequestStatus>> entry = all.next();
                RequestStatus status = entry.value == null ? null : entry.value.value();
                if (status != null
                        && !entry.key.equals(request.getRequestId())
                        && request.getDataset().equals(status.getDataset())) {
                    others.add(status);
                }
            }
        }
        return others;
    }

    private void stop(PlanCursor cursor, GenerationRequest request, String reason, long now) {
        cursor.setRequest(null);
        cursor.setFollowing(false);
        cursor.setStopReason(reason);
        if (!Seeds.seeded(request)) {
            arrivals.delete(cursor.getRequestId());
        }
        plans.put(cursor.getRequestId(), cursor);
        planned(cursor.getRequestId(), cursor, true, reason, now);
        active.remove(cursor.getRequestId());
        decoded.remove(cursor.getRequestId());
    }

    /** The request's plan status (one sample per condition tuple) with its seed counts. */
    private void planned(String requestId, PlanCursor cursor, boolean stopped, String reason, long now) {
        GenerationRequest request = decoded.get(requestId);
        PlanStatus status = PlanStatus.newBuilder()
                .setRequestId(requestId)
                .setDataset(request != null ? request.getDataset() : datasetOf(requestId))
                .setPlanned(cursor.getNextIndex() * outputs(requestId, cursor))
                .setStopped(stopped)
                .setNotPlannedReason(reason)
                .setSeedsReceived(cursor.getSeedsReceived())
                .setSeedsPlanned(cursor.getSeedsPlanned())
                .setSeedsFailed(cursor.getSeedsFailed())
                .setSeedsUnused(cursor.getSeedsUnused())
                .setDesignSpend(Spends.decode(cursor.getDesignSpend()))
                .setUpdatedAt(Instant.ofEpochMilli(now))
                .build();
        context.forward(new Record<>(requestId, new GeneratorOutput.Planned(status), now));
    }

    /** Samples per planned tuple of a request ({@link Evolutions#outputs}). */
    private int outputs(String requestId, PlanCursor cursor) {
        GenerationRequest request = decoded.get(requestId);
        if (request == null && cursor.getRequest() != null) {
            request = decode(cursor.getRequest());
        }
        return request == null ? 1 : Evolutions.outputs(request);
    }

    private String datasetOf(String requestId) {
        ValueAndTimestamp<RequestStatus> ledger = statuses.get(requestId);
        return ledger == null ? "" : ledger.value().getDataset();
    }

    private static GenerationRequest decode(ByteBuffer bytes) {
        return SingleObject.decode(GenerationRequest::fromByteBuffer, bytes);
    }
}
