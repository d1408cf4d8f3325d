package io.synthstream.curator.processor;

import io.synthstream.avro.CurationInfo;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.Example;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Sample;
import io.synthstream.common.dlq.DeadLetters;
import io.synthstream.common.text.DedupText;
import io.synthstream.common.text.TextNormalizer;
import io.synthstream.curator.logic.CurationThresholds;
import io.synthstream.curator.logic.HeuristicFilters;
import io.synthstream.curator.logic.PromptEcho;
import io.synthstream.curator.logic.Rejections;
import io.synthstream.curator.logic.SampleValidator;
import io.synthstream.curator.logic.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The per-sample stages: spec lookup, validation, heuristics and prompt echo. A sample that passes
 * leaves with its exact-dedup hash in its curation info.
 *
 * <p>The spec comes from the global {@code synth.specs} table, which can lag behind the stream: a
 * sample whose spec is not there yet is parked in {@code curator-awaiting-spec} and retried by a
 * wall-clock punctuator; once it is older than {@code curator.spec.wait.ms} (by its record
 * timestamp) it goes to {@code synth.dlq} as {@code unknown_spec}, counted as failed for its request.
 */
final class ScreeningProcessor implements Processor<String, Sample, String, Outcome> {
    static final String UNKNOWN_SPEC = "unknown_spec";
    static final String INVALID_CURATION = "invalid_curation_settings";
    static final List<String> CHECKS;

    static {
        List<String> checks = new ArrayList<>();
        checks.add(SampleValidator.STAGE);
        checks.addAll(HeuristicFilters.CHECKS);
        checks.add(PromptEcho.CHECK);
        CHECKS = List.copyOf(checks);
    }

    private final String app;
    private final Duration specWait;
    private final Clock clock;
    private ProcessorContext<String, Outcome> context;
    private SpecLookup specs;
    private TimestampedKeyValueStore<String, Sample> awaiting;
    private final LruCache<String, List<long[]>> referenceShingles = new LruCache<>(SpecLookup.CACHE_SIZE);

    ScreeningProcessor(String app, Duration specWait, Clock clock) {
        this.app = app;
        this.specWait = specWait;
        this.clock = clock;
    }

    @Override
    public void init(ProcessorContext<String, Outcome> context) {
        this.context = context;
        this.specs = new SpecLookup(context);
        this.awaiting = context.getStateStore(CuratorStores.AWAITING_SPEC);
        Duration interval = Duration.ofMillis(Math.max(100, Math.min(1_000, specWait.toMillis() / 4)));
        context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, this::retryAwaiting);
    }

    @Override
    public void process(Record<String, Sample> record) {
        Sample sample = record.value();
        Optional<GenerationRequest> spec = specs.spec(sample.getRequestId());
        if (spec.isPresent()) {
            context.forward(record.withValue(screen(sample, spec.get())));
        } else if (isOverdue(record.timestamp())) {
            context.forward(record.withValue(unknownSpec(sample)));
        } else if (awaiting.get(record.key()) == null) {
            awaiting.put(record.key(), ValueAndTimestamp.make(sample, record.timestamp()));
        }
    }

    private void retryAwaiting(long now) {
        List<KeyValue<String, ValueAndTimestamp<Sample>>> parked = new ArrayList<>();
        try (KeyValueIterator<String, ValueAndTimestamp<Sample>> all = awaiting.all()) {
            all.forEachRemaining(parked::add);
        }
        for (KeyValue<String, ValueAndTimestamp<Sample>> entry : parked) {
            Sample sample = entry.value.value();
            long timestamp = entry.value.timestamp();
            Optional<GenerationRequest> spec = specs.spec(sample.getRequestId());
            Outcome outcome;
            if (spec.isPresent()) {
                outcome = screen(sample, spec.get());
            } else if (isOverdue(timestamp)) {
                outcome = unknownSpec(sample);
            } else {
                continue;
            }
            awaiting.delete(entry.key);
            context.forward(new Record<>(entry.key, outcome, timestamp));
        }
    }

    private boolean isOverdue(long recordTimestamp) {
        return clock.millis() - recordTimestamp >= specWait.toMillis();
    }

    private Outcome screen(Sample sample, GenerationRequest spec) {
        CurationThresholds thresholds;
        try {
            thresholds = specs.thresholds(spec);
        } catch (IllegalArgumentException e) {
            return Outcome.deadLetter(deadLetter(sample, INVALID_CURATION, e.getMessage()));
        }
        Optional<Verdict> verdict = SampleValidator.validate(sample, spec);
        String text = DedupText.of(sample, spec);
        if (verdict.isEmpty()) {
            verdict = HeuristicFilters.check(text, thresholds);
        }
        if (verdict.isEmpty()) {
            List<long[]> references =
                    referenceShingles.get(spec.getRequestId(), id -> PromptEcho.referenceShingles(references(spec)));
            verdict = PromptEcho.checkAgainst(text, references, thresholds.maxPromptEcho());
        }
        if (verdict.isPresent()) {
            return Outcome.rejected(Rejections.of(sample, verdict.get(), null, clock.instant()));
        }
        sample.setCuration(CurationInfo.newBuilder()
                .setChecksPassed(new ArrayList<>(CHECKS))
                .setExactHash(TextNormalizer.exactHash(text))
                .build());
        return Outcome.passed(sample);
    }

    /** What the model saw: the task's templates and the demonstrations' texts. */
    private static List<String> references(GenerationRequest spec) {
        List<String> references = new ArrayList<>();
        Optional.ofNullable(spec.getTask().getInstructionTemplate()).ifPresent(references::add);
        Optional.ofNullable(spec.getTask().getSystemTemplate()).ifPresent(references::add);
        for (Example example : spec.getExamples()) {
            references.add(String.join("\n", example.getFields().values()));
        }
        return references;
    }

    private Outcome unknownSpec(Sample sample) {
        return Outcome.deadLetter(deadLetter(
                sample,
                UNKNOWN_SPEC,
                "No spec for request " + sample.getRequestId() + " in synth.specs after " + specWait.toMillis()
                        + " ms; was the request accepted by the generator?"));
    }

    private DeadLetter deadLetter(Sample sample, String reason, String message) {
        Optional<org.apache.kafka.streams.processor.api.RecordMetadata> metadata = context.recordMetadata();
        DeadLetters.Origin origin = new DeadLetters.Origin(
                metadata.map(m -> m.topic()).orElse(null),
                metadata.map(m -> m.partition()).orElse(null),
                metadata.map(m -> m.offset()).orElse(null),
                sample.getSampleId().getBytes(StandardCharsets.UTF_8),
                null);
        return DeadLetters.forMessage(app, "screen", reason, message, origin, clock.instant())
                .setRequestId(sample.getRequestId())
                .setSampleId(sample.getSampleId())
                .setDataset(sample.getDataset())
                .setSamples(1)
                .build();
    }
}
