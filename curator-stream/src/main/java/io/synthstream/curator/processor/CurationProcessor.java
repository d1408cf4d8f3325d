package io.synthstream.curator.processor;

import io.synthstream.avro.CurationInfo;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Sample;
import io.synthstream.common.dlq.DeadLetterReason;
import io.synthstream.common.dlq.DeadLetters;
import io.synthstream.common.metrics.AppMeters;
import io.synthstream.common.metrics.SynthMeters;
import io.synthstream.common.streams.SpecLookup;
import io.synthstream.common.streams.SpecWait;
import io.synthstream.common.text.DedupText;
import io.synthstream.common.text.TextNormalizer;
import io.synthstream.curator.avro.BandVote;
import io.synthstream.curator.avro.ClaimBatch;
import io.synthstream.curator.avro.SampleClaim;
import io.synthstream.curator.avro.SampleFate;
import io.synthstream.curator.avro.VoteBatch;
import io.synthstream.curator.logic.Contamination;
import io.synthstream.curator.logic.CurationThresholds;
import io.synthstream.curator.logic.HeuristicFilters;
import io.synthstream.curator.logic.PromptEcho;
import io.synthstream.curator.logic.RecipeChecks;
import io.synthstream.curator.logic.Rejections;
import io.synthstream.curator.logic.SampleValidator;
import io.synthstream.curator.logic.Verdict;
import io.synthstream.curator.logic.VoteTally;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The curator's per-sample work, on the task of the sample's raw partition (one class because the
 * waiting samples, the claim buffer and the vote tallies must change together): spec lookup,
 * validation, heuristics and prompt echo, then the dedup claims, and finally the decision once
 * the owners of the claimed buckets have voted.
 *
 * <p><b>Specs.</b> The spec comes from the global {@code synth.specs} table, which can lag behind
 * the stream: a sample whose spec is not there yet waits in {@code curator-awaiting-spec} ({@link
 * SpecWait}); once it is older than {@code curator.spec.wait.ms} (by its record timestamp) it
 * goes to {@code synth.dlq} as {@code unknown_spec}.
 *
 * <p><b>Dedup.</b> A screened sample waits in {@code curator-pending} (changelogged) while its
 * claims ({@link DedupClaims}) are buffered in memory and sent, one {@link ClaimBatch} per owner
 * partition for all buffered samples, every {@code curator.claim.linger.ms} or once {@code
 * curator.claim.batch.max} samples are buffered. The owners answer with a {@link VoteBatch} routed
 * back to this partition; once a sample has a vote from every owner it claimed on, it is curated
 * or rejected. Tallies are kept in memory: when the task starts (first start, restart, or after a
 * rebalance moved it here) it takes a new random round and claims every waiting sample again;
 * votes of older rounds are ignored. Owners answer a repeated claim as they did the first time (a
 * sample is never its own duplicate), so nothing is lost or decided twice. Every decision sends
 * the sample's fate (kept or not) back to the owners it claimed on, in the same transaction.
 */
final class CurationProcessor implements Processor<String, CurationInput, String, CuratorOutput> {
    static final String STAGE = "screen";
    static final List<String> CHECKS;

    static {
        List<String> checks = new ArrayList<>();
        checks.add(SampleValidator.STAGE);
        checks.addAll(HeuristicFilters.CHECKS);
        checks.add(PromptEcho.CHECK);
        CHECKS = List.copyOf(checks);
    }

    private final String app;
    private final Clock clock;
    private final SpecWait specWait;
    private final Duration claimLinger;
    private final int claimBatchMax;
    private final int partitions;
    private final DedupClaims dedupClaims;
    private final RegisteredTestRecords testRecords;
    private final SpecLookup.Derived<CurationThresholds> thresholds =
            SpecLookup.derived(spec -> CurationThresholds.resolve(spec.getCuration()));
    private final SpecLookup.Derived<List<long[]>> referenceShingles =
            SpecLookup.derived(spec -> PromptEcho.referenceShingles(PromptEcho.references(spec)));
    private final Map<String, VoteTally> tallies = new HashMap<>();
    private final Map<Integer, List<SampleClaim>> unsent = new TreeMap<>();
    private int unsentSamples;
    private long unsentTimestamp;
    private long round;
    private boolean claimWaiting;
    private ProcessorContext<String, CuratorOutput> context;
    private AppMeters meters;
    private SpecLookup specs;
    private TimestampedKeyValueStore<String, Sample> awaiting;
    private TimestampedKeyValueStore<String, Sample> pending;

    CurationProcessor(
            String app,
            Duration specWait,
            Clock clock,
            Duration claimLinger,
            int claimBatchMax,
            int partitions,
            RegisteredTestRecords testRecords) {
        this.testRecords = testRecords;
        this.app = app;
        this.clock = clock;
        this.specWait = SpecWait.upTo(specWait, clock);
        this.claimLinger = claimLinger;
        this.claimBatchMax = claimBatchMax;
        this.partitions = partitions;
        this.dedupClaims = new DedupClaims(partitions);
    }

    @Override
    public void init(ProcessorContext<String, CuratorOutput> context) {
        this.context = context;
        this.meters = AppMeters.from(context.appConfigs(), app);
        this.specs = new SpecLookup(context, CuratorStores.SPECS);
        this.awaiting = context.getStateStore(CuratorStores.AWAITING_SPEC);
        this.pending = context.getStateStore(CuratorStores.PENDING);
        testRecords.loadOnce(context.getStateStore(CuratorStores.TEST_RECORDS));
        this.round = ThreadLocalRandom.current().nextLong();
        this.claimWaiting = true;
        specWait.clear();
        for (KeyValue<String, ValueAndTimestamp<Sample>> entry : snapshot(awaiting)) {
            specWait.park(entry.key, entry.value.value().getRequestId(), entry.value.timestamp());
        }
        context.schedule(specWait.recheckInterval(), PunctuationType.WALL_CLOCK_TIME, now -> retryAwaiting());
        context.schedule(claimLinger, PunctuationType.WALL_CLOCK_TIME, now -> sendClaims());
    }

    @Override
    public void process(Record<String, CurationInput> record) {
        claimWaitingSamples();
        if (record.value().votes() != null) {
            count(record.value().votes());
            return;
        }
        Sample sample = record.value().sample();
        Optional<GenerationRequest> spec = specs.spec(sample.getRequestId());
        if (spec.isPresent()) {
            admit(record.key(), sample, record.timestamp(), spec.get());
        } else if (specWait.isOverdue(record.timestamp())) {
            forward(record.key(), unknownSpec(sample), record.timestamp());
        } else if (awaiting.get(record.key()) == null) {
            awaiting.put(record.key(), ValueAndTimestamp.make(sample, record.timestamp()));
            specWait.park(record.key(), sample.getRequestId(), record.timestamp());
        }
    }

    /** Screens a sample whose spec is known; a sample that passes claims its dedup buckets. */
    private void admit(String key, Sample sample, long timestamp, GenerationRequest spec) {
        CurationThresholds thresholds;
        try {
            thresholds = this.thresholds.of(spec);
        } catch (IllegalArgumentException e) {
            forward(key, deadLetter(sample, DeadLetterReason.INVALID_CURATION_SETTINGS, e.getMessage()), timestamp);
            return;
        }
        String text = DedupText.of(sample, spec);
        String normalized = TextNormalizer.normalize(text);
        List<String> words = TextNormalizer.words(normalized);
        Optional<Verdict> verdict = RecipeChecks.marked(sample);
        if (verdict.isEmpty()) {
            verdict = SampleValidator.validate(sample, spec);
        }
        if (verdict.isEmpty()) {
            verdict = RecipeChecks.check(sample, spec);
        }
        if (verdict.isEmpty()) {
            verdict = HeuristicFilters.check(text, words, thresholds);
        }
        if (verdict.isEmpty()) {
            verdict = PromptEcho.checkWords(words, referenceShingles.of(spec), thresholds.maxPromptEcho());
        }
        if (verdict.isEmpty() && sample.getSeed() != null) {
            verdict = PromptEcho.checkSeed(words, sample.getSeed().getFields(), thresholds.maxPromptEcho());
        }
        if (verdict.isPresent()) {
            forward(
                    key,
                    new CuratorOutput.Rejected(Rejections.of(sample, verdict.get(), null, clock.instant())),
                    timestamp);
            return;
        }
        Optional<Contamination.Found> contaminated =
                testRecords.index().check(sample.getDataset(), words, thresholds.maxTestOverlap());
        if (contaminated.isPresent()) {
            Contamination.Found found = contaminated.get();
            forward(
                    key,
                    new CuratorOutput.Rejected(
                            Rejections.of(sample, found.verdict(), null, found.overlap(), clock.instant())),
                    timestamp);
            return;
        }
        List<String> passed = new ArrayList<>(CHECKS);
        if (RecipeChecks.applies(spec)) {
            passed.add(1, RecipeChecks.STAGE);
        }
        if (testRecords.index().records(sample.getDataset()) > 0 && words.size() >= Contamination.NGRAM) {
            passed.add(Contamination.CHECK);
        }
        CurationInfo embedded = sample.getCuration(); // the embedding step's semantic_dedup mark, if any
        sample.setCuration(CurationInfo.newBuilder()
                .setChecksPassed(passed)
                .setExactHash(TextNormalizer.hashNormalized(normalized))
                .setSemanticDedup(semanticDedup(thresholds, sample, embedded))
                .setSemanticSkipReason(
                        thresholds.semanticDedup() && sample.getEmbedding() == null && embedded != null
                                ? embedded.getSemanticSkipReason()
                                : null)
                .build());
        DedupClaims.Claims claims = dedupClaims.claims(sample, thresholds, words, timestamp);
        if (claims.byOwner().isEmpty()) {
            forward(key, new CuratorOutput.Curated(CurationInfos.curated(sample, clock.instant())), timestamp);
            return;
        }
        pending.put(key, ValueAndTimestamp.make(sample, timestamp));
        buffer(key, claims, timestamp);
    }

    /**
     * The sample's {@code semantic_dedup} mark: null unless its request asks for it; {@code
     * checked} with an embedding, else {@code skipped} (the embedding step says why).
     */
    private static String semanticDedup(CurationThresholds thresholds, Sample sample, CurationInfo embedded) {
        if (!thresholds.semanticDedup()) {
            sample.setEmbedding(null);
            return null;
        }
        if (sample.getEmbedding() != null) {
            return EmbedCalls.CHECKED;
        }
        return EmbedCalls.SKIPPED;
    }

    private void buffer(String sampleId, DedupClaims.Claims claims, long timestamp) {
        tallies.put(
                sampleId, new VoteTally(sampleId, List.copyOf(claims.byOwner().keySet()), claims.stages()));
        claims.byOwner()
                .forEach((owner, claim) ->
                        unsent.computeIfAbsent(owner, o -> new ArrayList<>()).add(claim));
        unsentTimestamp = Math.max(unsentTimestamp, timestamp);
        if (++unsentSamples >= claimBatchMax) {
            sendClaims();
        }
    }

    /** Sends the buffered claims: one batch per owner partition. */
    private void sendClaims() {
        claimWaitingSamples();
        if (unsentSamples == 0) {
            return;
        }
        int origin = context.taskId().partition();
        for (Map.Entry<Integer, List<SampleClaim>> entry : unsent.entrySet()) {
            ClaimBatch batch = new ClaimBatch(entry.getKey(), origin, round, entry.getValue(), List.of());
            forward(Integer.toString(entry.getKey()), new CuratorOutput.Claims(batch), unsentTimestamp);
        }
        unsent.clear();
        unsentSamples = 0;
        unsentTimestamp = 0;
    }

    /** After the task (re)starts: claims every sample that was waiting for votes again, in this round. */
    private void claimWaitingSamples() {
        if (!claimWaiting) {
            return;
        }
        claimWaiting = false;
        List<SampleFate> outOfBuckets = new ArrayList<>();
        long latest = 0;
        for (KeyValue<String, ValueAndTimestamp<Sample>> entry : snapshot(pending)) {
            Sample sample = entry.value.value();
            long timestamp = entry.value.timestamp();
            Optional<GenerationRequest> spec = specs.spec(sample.getRequestId());
            if (spec.isEmpty()) { // deleted from synth.specs since the sample was screened
                pending.delete(entry.key);
                forward(entry.key, unknownSpec(sample), timestamp);
                outOfBuckets.add(new SampleFate(entry.key, false));
                latest = Math.max(latest, timestamp);
                continue;
            }
            List<String> words = TextNormalizer.words(TextNormalizer.normalize(DedupText.of(sample, spec.get())));
            buffer(entry.key, dedupClaims.claims(sample, thresholds.of(spec.get()), words, timestamp), timestamp);
        }
        // Without the spec its owners are unknown: every partition hears it is out, so no claim waits on it.
        int origin = context.taskId().partition();
        for (int owner = 0; !outOfBuckets.isEmpty() && owner < partitions; owner++) {
            ClaimBatch batch = new ClaimBatch(owner, origin, round, List.of(), outOfBuckets);
            forward(Integer.toString(owner), new CuratorOutput.Fates(batch), latest);
        }
    }

    /**
     * Counts a batch of votes; a sample with all its votes is decided, and its fate goes to every
     * owner partition it claimed on in the same transaction (one batch per partition), so that
     * claims waiting on it there can be decided.
     */
    private void count(VoteBatch votes) {
        if (votes.getRound() != round) {
            return; // claimed before this task (re)started: claimed again since, in this round
        }
        Map<Integer, List<SampleFate>> fates = new TreeMap<>();
        long latest = 0;
        for (BandVote vote : votes.getVotes()) {
            VoteTally tally = tallies.get(vote.getSampleId());
            if (tally == null) {
                continue;
            }
            tally.add(vote);
            if (tally.isComplete()) {
                tallies.remove(vote.getSampleId());
                ValueAndTimestamp<Sample> sample = pending.delete(vote.getSampleId());
                if (sample != null) {
                    CuratorOutput decision = decide(sample.value(), tally);
                    forward(vote.getSampleId(), decision, sample.timestamp());
                    SampleFate fate = new SampleFate(vote.getSampleId(), decision instanceof CuratorOutput.Curated);
                    tally.owners()
                            .forEach(owner -> fates.computeIfAbsent(owner, o -> new ArrayList<>())
                                    .add(fate));
                    latest = Math.max(latest, sample.timestamp());
                }
            }
        }
        int origin = context.taskId().partition();
        for (Map.Entry<Integer, List<SampleFate>> entry : fates.entrySet()) {
            ClaimBatch batch = new ClaimBatch(entry.getKey(), origin, round, List.of(), entry.getValue());
            forward(Integer.toString(entry.getKey()), new CuratorOutput.Fates(batch), latest);
        }
    }

    private CuratorOutput decide(Sample sample, VoteTally tally) {
        Optional<Verdict> duplicate = tally.verdict(sample.getCuration().getExactHash());
        if (duplicate.isPresent()) {
            return new CuratorOutput.Rejected(
                    Rejections.of(sample, duplicate.get(), tally.dupOf(), tally.dupSimilarity(), clock.instant()));
        }
        return new CuratorOutput.Curated(
                CurationInfos.curated(CurationInfos.withChecks(sample, tally.stages()), clock.instant()));
    }

    /** Screens the waiting samples whose spec has arrived; dead-letters those whose wait is over. */
    private void retryAwaiting() {
        specWait.recheck(
                specs,
                (key, spec) -> {
                    ValueAndTimestamp<Sample> sample = awaiting.delete(key);
                    if (sample != null) {
                        admit(key, sample.value(), sample.timestamp(), spec);
                    }
                },
                key -> {
                    ValueAndTimestamp<Sample> sample = awaiting.delete(key);
                    if (sample != null) {
                        forward(key, unknownSpec(sample.value()), sample.timestamp());
                    }
                });
    }

    /** A copy of a store's entries, so the loop over them may change the store. */
    private static List<KeyValue<String, ValueAndTimestamp<Sample>>> snapshot(
            TimestampedKeyValueStore<String, Sample> store) {
        List<KeyValue<String, ValueAndTimestamp<Sample>>> entries = new ArrayList<>();
        try (KeyValueIterator<String, ValueAndTimestamp<Sample>> all = store.all()) {
            all.forEachRemaining(entries::add);
        }
        return entries;
    }

    /** Forwards an output and counts the decision it carries in {@code synth.curator.samples}. */
    private void forward(String key, CuratorOutput output, long timestamp) {
        if (output instanceof CuratorOutput.Curated) {
            meters.count(SynthMeters.CURATOR_SAMPLES, "curated", "none");
        } else if (output instanceof CuratorOutput.Rejected rejected) {
            meters.count(
                    SynthMeters.CURATOR_SAMPLES,
                    "rejected",
                    rejected.rejection().getReason().name());
        } else if (output instanceof CuratorOutput.Failed failed) {
            meters.count(
                    SynthMeters.CURATOR_SAMPLES,
                    "dead_lettered",
                    failed.deadLetter().getReason());
            meters.count(SynthMeters.DEAD_LETTERS, STAGE, failed.deadLetter().getReason());
        }
        context.forward(new Record<>(key, output, timestamp));
    }

    private CuratorOutput unknownSpec(Sample sample) {
        return deadLetter(
                sample,
                DeadLetterReason.UNKNOWN_SPEC,
                "No spec for request " + sample.getRequestId() + " in synth.specs after "
                        + specWait.maxWait().orElseThrow().toMillis()
                        + " ms; was the request accepted by the generator?");
    }

    private CuratorOutput deadLetter(Sample sample, DeadLetterReason reason, String message) {
        Optional<RecordMetadata> metadata = context.recordMetadata();
        DeadLetters.Origin origin = new DeadLetters.Origin(
                metadata.map(RecordMetadata::topic).orElse(null),
                metadata.map(RecordMetadata::partition).orElse(null),
                metadata.map(RecordMetadata::offset).orElse(null),
                sample.getSampleId().getBytes(StandardCharsets.UTF_8),
                null);
        return new CuratorOutput.Failed(DeadLetters.forMessage(app, STAGE, reason, message, origin, clock.instant())
                .setRequestId(sample.getRequestId())
                .setSampleId(sample.getSampleId())
                .setDataset(sample.getDataset())
                .setSamples(1)
                .build());
    }
}
