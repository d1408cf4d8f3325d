package io.synthstream.generator.processor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.PlanStatus;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.SteeringUpdate;
import io.synthstream.common.avro.SingleObject;
import io.synthstream.common.dlq.DeadLetterReason;
import io.synthstream.common.dlq.DeadLetters;
import io.synthstream.common.json.AvroJson;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.metrics.AppMeters;
import io.synthstream.common.metrics.SynthMeters;
import io.synthstream.common.quality.QualityPolicy;
import io.synthstream.generator.avro.PlanCursor;
import io.synthstream.generator.config.GeneratorConfig;
import io.synthstream.generator.logic.Planner;
import io.synthstream.generator.logic.RequestValidator;
import io.synthstream.generator.logic.TopUp;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

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
 */
final class IngestProcessor implements Processor<String, IngestInput, String, GeneratorOutput> {
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
        this.meters = AppMeters.from(context.appConfigs(), app);
        context.schedule(config.get(GeneratorConfig.PLAN_INTERVAL_MS), PunctuationType.WALL_CLOCK_TIME, this::plan);
    }

    @Override
    public void process(Record<String, IngestInput> record) {
        GenerationRequest request;
        long size;
        byte[] raw;
        IngestInput input = record.value();
        if (input.json() != null) {
            raw = input.json().getBytes(StandardCharsets.UTF_8);
            size = raw.length;
            try {
                request = fromJson(input.json(), record.timestamp());
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
                        runtime.provider().name())));
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
        context.forward(new Record<>(request.getRequestId(), new GeneratorOutput.Spec(request), record.timestamp()));
        plans.put(
                request.getRequestId(),
                PlanCursor.newBuilder()
                        .setRequestId(request.getRequestId())
                        .setRequest(SingleObject.encode(request::toByteBuffer))
                        .setCount(request.getCount())
                        .setNextIndex(0)
                        .setAcceptedAt(System.currentTimeMillis())
                        .build());
        active.add(request.getRequestId());
        decoded.put(request.getRequestId(), request);
        meters.count(SynthMeters.GENERATOR_REQUESTS, "accepted");
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
        if (!scanned) {
            try (KeyValueIterator<String, PlanCursor> all = plans.all()) {
                all.forEachRemaining(kv -> {
                    if (kv.value.getRequest() != null) {
                        active.add(kv.key);
                    }
                });
            }
            scanned = true;
        }
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
            long end = Math.min(cursor.getCount(), cursor.getNextIndex() + config.get(GeneratorConfig.PLAN_BATCH));
            Instant at = Instant.ofEpochMilli(now);
            for (long i = cursor.getNextIndex(); i < end; i++) {
                ConditionTuple tuple = Planner.plan(request, i, steer == null ? null : steer.value(), at);
                context.forward(new Record<>(tuple.getConditionId(), new GeneratorOutput.Condition(tuple), now));
            }
            meters.count(SynthMeters.GENERATOR_CONDITIONS, end - cursor.getNextIndex());
            cursor.setNextIndex(end);
            if (end >= cursor.getCount() && !policy.targetsAccepted()) {
                stop(cursor, request, null, now);
                continue;
            }
            cursor.setFollowing(end >= cursor.getCount());
            planned(request, end, false, null, now);
            plans.put(requestId, cursor);
        }
    }

    /** Stops planning a request for good and says so on synth.plan. */
    private void stop(PlanCursor cursor, GenerationRequest request, String reason, long now) {
        cursor.setRequest(null);
        cursor.setFollowing(false);
        active.remove(cursor.getRequestId());
        decoded.remove(cursor.getRequestId());
        planned(request, cursor.getNextIndex(), true, reason, now);
        plans.put(cursor.getRequestId(), cursor);
    }

    /** The request's plan status (one sample per condition tuple). */
    private void planned(GenerationRequest request, long planned, boolean stopped, String reason, long now) {
        PlanStatus status = PlanStatus.newBuilder()
                .setRequestId(request.getRequestId())
                .setDataset(request.getDataset())
                .setPlanned(planned)
                .setStopped(stopped)
                .setNotPlannedReason(reason)
                .setUpdatedAt(Instant.ofEpochMilli(now))
                .build();
        context.forward(new Record<>(request.getRequestId(), new GeneratorOutput.Planned(status), now));
    }

    private static GenerationRequest decode(ByteBuffer bytes) {
        return SingleObject.decode(GenerationRequest::fromByteBuffer, bytes);
    }
}
