package io.synthstream.curator.processor;

import io.synthstream.common.metrics.AppMeters;
import io.synthstream.common.metrics.SynthMeters;
import io.synthstream.curator.avro.BandVote;
import io.synthstream.curator.avro.BucketMember;
import io.synthstream.curator.avro.BucketOwner;
import io.synthstream.curator.avro.ClaimBatch;
import io.synthstream.curator.avro.SampleClaim;
import io.synthstream.curator.avro.SampleFate;
import io.synthstream.curator.avro.VoteBatch;
import io.synthstream.curator.logic.BandBuckets;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
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
import org.apache.kafka.streams.state.WindowStore;

/**
 * The owner of dedup buckets: each input record is a batch of claims on buckets this partition
 * owns ({@link BandRouting}), so each bucket is decided on exactly one partition of the cluster,
 * or a batch of fates of samples that claimed here. Decides every claim with {@link BandBuckets}
 * and answers with one {@link VoteBatch} per origin partition and round, one vote per sample.
 *
 * <p><b>Decision order.</b> Claims from different origin partitions reach an owner in whatever
 * order the origin tasks happen to run, so deciding them on arrival would make a burst's
 * decisions depend on timing. Instead a batch is held for {@code curator.dedup.hold.ms} of wall
 * time after it arrives; every punctuation takes the batches whose hold is over, adds every
 * other held claim that sorts before the last of their claims, and decides them all together in
 * (record timestamp, sample id) order ({@link BandBuckets#DECISION_ORDER}). A burst whose claims
 * all reach the owner within the hold of the first is therefore decided in data order, whatever
 * the instance count or the arrival order; a claim that arrives after a later-sorting one was
 * decided is decided after it (it never displaces it, so no pair is ever kept because of the
 * race; only the choice of which one is kept then follows arrival).
 *
 * <p><b>Fates.</b> A sample that joins buckets here is <i>unsettled</i> ({@code
 * curator-unsettled}, one record per claim batch) until its origin sends its fate. A claim that matches an unsettled member
 * waits (and so does every later claim sharing a bucket with it, to keep each bucket's order);
 * a rejected member leaves its buckets. So a claim is only ever a duplicate of a kept sample,
 * and which one does not depend on when the fates arrive. A claim that has waited {@code
 * curator.dedup.fate.wait.ms} beyond its hold is decided as if its members were kept ({@code
 * synth.curator.dedup.forced}), so nothing waits forever, even for a fate that was lost.
 *
 * <p><b>Durability.</b> Held claims are in {@code curator-held-claims} by their offset (one put
 * when a batch arrives, one delete or rewrite when its claims are decided), so a restarted or
 * moved owner task decides them as it would have. Entries are stored at the start of their
 * sample's epoch ({@link #epochStart}: half the retention, the stores' segment length), so a
 * lookup is two point reads (the claim's epoch and the one before) instead of an iterator over
 * every segment, and expiry stays the window stores' whole-segment drop. An owner is therefore
 * found when it is less than half the retention older than the claim, and never when it is more
 * than the whole retention older.
 */
final class BandOwnerProcessor implements Processor<String, ClaimBatch, String, VoteBatch> {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** How often held claims are checked at most: releases land within this after their hold. */
    private static final long MAX_TICK_MS = 100;

    private final String app;
    private final long epoch;
    private final long holdMs;
    private final long fateWaitMs;
    /** Batches with undecided claims, by offset, in arrival order. */
    private final Map<Long, Held> held = new LinkedHashMap<>();
    /** Samples that joined buckets here and whose fate is unknown: their joined buckets, as a claim. */
    private final Map<String, SampleClaim> unsettled = new HashMap<>();
    /** The key of the {@code curator-unsettled} record each unsettled sample is kept in. */
    private final Map<String, Long> unsettledKey = new HashMap<>();
    /** The unsettled samples of each record: those of one claim batch (its offset), in decision order. */
    private final Map<Long, Map<String, SampleClaim>> unsettledRecords = new HashMap<>();
    /** Records changed since the last flush. */
    private final Set<Long> changed = new HashSet<>();

    private ProcessorContext<String, VoteBatch> context;
    private AppMeters meters;
    private WindowStore<String, BucketOwner> owners;
    private WindowStore<String, ByteBuffer> signatures;
    private WindowStore<String, ByteBuffer> vectors;
    private TimestampedKeyValueStore<Long, ClaimBatch> heldStore;
    private KeyValueStore<Long, ClaimBatch> unsettledStore;
    private long lastArrival;

    /** A batch's undecided claims: its offset on the claims topic (the store key) and arrival time. */
    private record Held(long offset, long arrival, ClaimBatch batch) {}

    /**
     * @param epoch the epoch length: {@link CuratorStores#segmentInterval}
     * @param hold how long a batch is held before its claims are decided
     * @param fateWait how long beyond its hold a claim waits for the fate of a member it matches
     */
    BandOwnerProcessor(String app, long epoch, Duration hold, Duration fateWait) {
        this.app = app;
        this.epoch = epoch;
        this.holdMs = hold.toMillis();
        this.fateWaitMs = fateWait.toMillis();
    }

    /** The start of the epoch of a timestamp: where entries made at that time are stored. */
    long epochStart(long timestamp) {
        return Math.floorDiv(timestamp, epoch) * epoch;
    }

    @Override
    public void init(ProcessorContext<String, VoteBatch> context) {
        this.context = context;
        this.meters = AppMeters.from(context.appConfigs(), app);
        this.owners = context.getStateStore(CuratorStores.BAND_OWNERS);
        this.signatures = context.getStateStore(CuratorStores.BAND_SIGNATURES);
        this.vectors = context.getStateStore(CuratorStores.BAND_VECTORS);
        this.heldStore = context.getStateStore(CuratorStores.HELD_CLAIMS);
        this.unsettledStore = context.getStateStore(CuratorStores.UNSETTLED);
        held.clear();
        unsettled.clear();
        unsettledKey.clear();
        unsettledRecords.clear();
        changed.clear();
        List<Held> restored = new ArrayList<>();
        try (KeyValueIterator<Long, ValueAndTimestamp<ClaimBatch>> all = heldStore.all()) {
            all.forEachRemaining(
                    entry -> restored.add(new Held(entry.key, entry.value.timestamp(), entry.value.value())));
        }
        restored.sort(Comparator.comparingLong(Held::arrival).thenComparingLong(Held::offset));
        restored.forEach(batch -> held.put(batch.offset(), batch));
        lastArrival = restored.isEmpty() ? 0 : restored.get(restored.size() - 1).arrival();
        try (KeyValueIterator<Long, ClaimBatch> all = unsettledStore.all()) {
            all.forEachRemaining(entry -> entry.value.getClaims().forEach(joined -> remember(entry.key, joined)));
        }
        changed.clear();
        long tick = holdMs == 0 ? MAX_TICK_MS : Math.max(1, Math.min(holdMs / 4, MAX_TICK_MS));
        context.schedule(Duration.ofMillis(tick), PunctuationType.WALL_CLOCK_TIME, this::release);
    }

    @Override
    public void process(Record<String, ClaimBatch> record) {
        ClaimBatch batch = record.value();
        if (!batch.getFates().isEmpty()) {
            settle(batch.getFates());
        }
        if (!batch.getClaims().isEmpty()) {
            long offset = context.recordMetadata()
                    .map(RecordMetadata::offset)
                    .orElseThrow(() -> new IllegalStateException("a claim batch without an offset"));
            long arrival = Math.max(lastArrival, context.currentSystemTimeMs());
            lastArrival = arrival;
            ClaimBatch claims = copy(batch, batch.getClaims());
            heldStore.put(offset, ValueAndTimestamp.make(claims, arrival));
            held.put(offset, new Held(offset, arrival, claims));
        }
        if (holdMs == 0 || !batch.getFates().isEmpty()) {
            release(context.currentSystemTimeMs());
        }
    }

    /** Takes decided samples out of the unsettled set; a rejected one leaves every bucket it joined. */
    private void settle(List<SampleFate> fates) {
        for (SampleFate fate : fates) {
            SampleClaim joined = forget(fate.getSampleId());
            if (joined == null) {
                continue; // joined nothing here, or settled already
            }
            if (fate.getKept()) {
                continue;
            }
            long stored = epochStart(joined.getOrderTs());
            List<String> keys = bucketsOf(joined);
            for (String key : keys) {
                Bucket bucket = bucket(key, stored);
                if (bucket.entry() != null) {
                    owners.put(key, BandBuckets.without(bucket.entry(), fate.getSampleId()), bucket.storedAt());
                }
            }
        }
        flushUnsettled();
    }

    /**
     * Decides the claims of the held batches whose hold is over at {@code now}, and with them every
     * held claim that sorts before the last of those: a claim that arrived a moment after a later
     * one is decided before it, not after. A claim that must wait for a fate stays held, and so
     * does every later claim that shares a bucket with it.
     */
    private void release(long now) {
        SampleClaim last = null;
        for (Held batch : held.values()) {
            if (batch.arrival() + holdMs <= now) {
                for (SampleClaim claim : batch.batch().getClaims()) {
                    if (last == null || BandBuckets.DECISION_ORDER.compare(claim, last) > 0) {
                        last = claim;
                    }
                }
            }
        }
        if (last == null) {
            return;
        }
        List<KeyValue<Held, SampleClaim>> candidates = new ArrayList<>();
        for (Held batch : held.values()) {
            boolean due = batch.arrival() + holdMs <= now;
            for (SampleClaim claim : batch.batch().getClaims()) {
                if (due || BandBuckets.DECISION_ORDER.compare(claim, last) < 0) {
                    candidates.add(KeyValue.pair(batch, claim));
                }
            }
        }
        candidates.sort(Comparator.comparing(candidate -> candidate.value, BandBuckets.DECISION_ORDER));
        Set<String> blocked = new HashSet<>();
        Map<Long, Set<String>> decided = new LinkedHashMap<>(); // by offset: a Held's hash would hash every claim
        Map<KeyValue<Integer, Long>, List<BandVote>> votes = new LinkedHashMap<>();
        for (KeyValue<Held, SampleClaim> candidate : candidates) {
            SampleClaim claim = candidate.value;
            List<String> buckets = bucketsOf(claim);
            if (!Collections.disjoint(blocked, buckets)) {
                blocked.addAll(buckets);
                continue;
            }
            boolean force = now - candidate.key.arrival() >= holdMs + fateWaitMs;
            Optional<BandVote> vote = decide(candidate.key.offset(), claim, force);
            if (vote.isEmpty()) {
                blocked.addAll(buckets);
                continue;
            }
            ClaimBatch batch = candidate.key.batch();
            votes.computeIfAbsent(
                            KeyValue.pair(batch.getOriginPartition(), batch.getRound()), origin -> new ArrayList<>())
                    .add(vote.get());
            decided.computeIfAbsent(candidate.key.offset(), b -> new HashSet<>())
                    .add(claim.getSampleId());
        }
        votes.forEach((origin, answered) -> context.forward(
                new Record<>(Integer.toString(origin.key), new VoteBatch(origin.key, origin.value, answered), now)));
        decided.forEach((offset, ids) -> {
            Held batch = held.get(offset);
            List<SampleClaim> rest = new ArrayList<>(batch.batch().getClaims());
            rest.removeIf(claim -> ids.contains(claim.getSampleId()));
            if (rest.isEmpty()) {
                held.remove(batch.offset());
                heldStore.delete(batch.offset());
            } else {
                Held remaining = new Held(batch.offset(), batch.arrival(), copy(batch.batch(), rest));
                held.put(batch.offset(), remaining);
                heldStore.put(batch.offset(), ValueAndTimestamp.make(remaining.batch(), batch.arrival()));
            }
        });
        flushUnsettled();
    }

    /** Remembers that a sample joined buckets here, in the unsettled record {@code key}. */
    private void remember(long key, SampleClaim joined) {
        forget(joined.getSampleId());
        unsettled.put(joined.getSampleId(), joined);
        unsettledKey.put(joined.getSampleId(), key);
        unsettledRecords.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(joined.getSampleId(), joined);
        changed.add(key);
    }

    /** Forgets an unsettled sample; returns the buckets it joined, or null when it was not unsettled. */
    private SampleClaim forget(String sampleId) {
        SampleClaim joined = unsettled.remove(sampleId);
        Long key = unsettledKey.remove(sampleId);
        if (key != null) {
            unsettledRecords.get(key).remove(sampleId);
            changed.add(key);
        }
        return joined;
    }

    /**
     * Writes the changed unsettled records: one per claim batch whose samples joined buckets here,
     * rewritten as their fates arrive and deleted with the last one, so the store costs a few
     * writes per batch rather than two per sample.
     */
    private void flushUnsettled() {
        for (long key : changed) {
            Map<String, SampleClaim> samples = unsettledRecords.get(key);
            if (samples == null || samples.isEmpty()) {
                unsettledRecords.remove(key);
                unsettledStore.delete(key);
            } else {
                unsettledStore.put(key, new ClaimBatch(0, 0, 0L, new ArrayList<>(samples.values()), List.of()));
            }
        }
        changed.clear();
    }

    /** Every bucket a claim names: band, semantic and exact. */
    private static List<String> bucketsOf(SampleClaim claim) {
        if (claim.getExactBucket() == null && claim.getSemanticBuckets().isEmpty()) {
            return claim.getBandBuckets();
        }
        List<String> buckets = new ArrayList<>(claim.getBandBuckets());
        buckets.addAll(claim.getSemanticBuckets());
        if (claim.getExactBucket() != null) {
            buckets.add(claim.getExactBucket());
        }
        return buckets;
    }

    private static ClaimBatch copy(ClaimBatch batch, List<SampleClaim> claims) {
        return new ClaimBatch(
                batch.getOwnerPartition(), batch.getOriginPartition(), batch.getRound(), claims, List.of());
    }

    /** A bucket's entry and the window it is stored under (null entry: the bucket is free). */
    private record Bucket(String key, BucketOwner entry, long storedAt) {}

    /**
     * The vote on a claim, or empty when it must wait for the fate of a member it matches; with
     * {@code force}, unsettled members count as kept.
     */
    private Optional<BandVote> decide(long key, SampleClaim claim, boolean force) {
        Optional<BandVote> vote = decide(key, claim, unsettled::containsKey);
        if (vote.isEmpty() && force) {
            meters.count(SynthMeters.CURATOR_DEDUP_FORCED);
            return decide(key, claim, id -> false);
        }
        return vote;
    }

    /** @param key the offset of the claim's batch: the unsettled record it is kept in if it joins */
    private Optional<BandVote> decide(long key, SampleClaim claim, Predicate<String> isUnsettled) {
        Predicate<String> settled = isUnsettled.negate();
        long stored = epochStart(claim.getOrderTs());
        Bucket exactBucket = null;
        BandBuckets.Decision exact = null;
        if (claim.getExactBucket() != null) {
            exactBucket = bucket(claim.getExactBucket(), stored);
            exact = BandBuckets.decideExact(exactBucket.entry(), settled, claim);
            if (exact.waits()) {
                return Optional.empty();
            }
        }
        List<Decided> bands = decideAll(
                claim.getBandBuckets(),
                stored,
                entry -> BandBuckets.decideBand(entry, this::signatureOf, settled, claim));
        List<Decided> semantics = bands == null
                ? null
                : decideAll(
                        claim.getSemanticBuckets(),
                        stored,
                        entry -> BandBuckets.decideSemantic(entry, this::vectorOf, settled, claim));
        if (semantics == null) {
            return Optional.empty();
        }
        BandVote vote = BandBuckets.vote(claim.getSampleId(), exact, decisions(bands), decisions(semantics));
        if (vote.getExactDupOf() != null || vote.getDupOf() != null || vote.getSemanticDupOf() != null) {
            return Optional.of(vote); // a duplicate here joins nothing here
        }
        SampleClaim joined = new SampleClaim(
                claim.getSampleId(),
                claim.getOrderTs(),
                claim.getThreshold(),
                EMPTY,
                new ArrayList<>(),
                null,
                null,
                EMPTY,
                new ArrayList<>(),
                claim.getSemanticThreshold());
        if (exact != null && exact.claimJoins()) {
            owners.put(exactBucket.key(), BandBuckets.ownerOf(claim), stored);
            joined.setExactBucket(exactBucket.key());
        }
        join(bands, claim, joined.getBandBuckets());
        join(semantics, claim, joined.getSemanticBuckets());
        if (!joined.getBandBuckets().isEmpty()) {
            signatures.put(claim.getSampleId(), claim.getSignature(), stored);
        }
        if (!joined.getSemanticBuckets().isEmpty()) {
            vectors.put(claim.getSampleId(), claim.getVector(), stored);
        }
        if (joined.getExactBucket() != null
                || !joined.getBandBuckets().isEmpty()
                || !joined.getSemanticBuckets().isEmpty()) {
            SampleClaim before = unsettled.get(claim.getSampleId());
            if (before != null) { // claimed again after its origin restarted: joined more buckets
                joined.getBandBuckets().addAll(0, before.getBandBuckets());
                joined.getSemanticBuckets().addAll(0, before.getSemanticBuckets());
                if (joined.getExactBucket() == null) {
                    joined.setExactBucket(before.getExactBucket());
                }
            }
            remember(key, joined);
        }
        return Optional.of(vote);
    }

    /** A similarity bucket a claim names, and the decision on it. */
    private record Decided(Bucket bucket, BandBuckets.Decision decision) {}

    /**
     * The decisions on a claim's similarity buckets (MinHash bands or semantic buckets), in order;
     * null when one of them must wait for a member's fate.
     */
    private List<Decided> decideAll(
            List<String> keys, long stored, java.util.function.Function<BucketOwner, BandBuckets.Decision> rule) {
        List<Decided> decided = new ArrayList<>(keys.size());
        for (String key : keys) {
            Bucket bucket = bucket(key, stored);
            BandBuckets.Decision decision = rule.apply(bucket.entry());
            if (decision.waits()) {
                return null;
            }
            decided.add(new Decided(bucket, decision));
        }
        return decided;
    }

    private static List<BandBuckets.Decision> decisions(List<Decided> decided) {
        return decided.stream().map(Decided::decision).toList();
    }

    /** Adds the claim to every bucket whose decision lets it join, recording their keys in {@code joined}. */
    private void join(List<Decided> decided, SampleClaim claim, List<String> joined) {
        for (Decided d : decided) {
            if (d.decision().claimJoins()) {
                owners.put(
                        d.bucket().key(),
                        BandBuckets.withMember(d.bucket().entry(), claim),
                        d.bucket().storedAt());
                joined.add(d.bucket().key());
            }
        }
    }

    /** The stored signature of a bucket member (empty if expired: matches nothing). */
    private ByteBuffer signatureOf(BucketMember member) {
        ByteBuffer signature = signatures.fetch(member.getSampleId(), epochStart(member.getOrderTs()));
        return signature == null ? EMPTY : signature;
    }

    /** The stored embedding of a semantic bucket member (empty if expired: matches nothing). */
    private ByteBuffer vectorOf(BucketMember member) {
        ByteBuffer vector = vectors.fetch(member.getSampleId(), epochStart(member.getOrderTs()));
        return vector == null ? EMPTY : vector;
    }

    /**
     * The bucket's entry: the one of the epoch before the claim's (always the earlier one), else of
     * the claim's own epoch; a free bucket is stored under the claim's epoch.
     */
    private Bucket bucket(String key, long epochStart) {
        BucketOwner previous = owners.fetch(key, epochStart - epoch);
        if (previous != null) {
            return new Bucket(key, previous, epochStart - epoch);
        }
        return new Bucket(key, owners.fetch(key, epochStart), epochStart);
    }
}
