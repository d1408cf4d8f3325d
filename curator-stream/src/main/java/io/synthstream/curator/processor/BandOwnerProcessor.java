package io.synthstream.curator.processor;

import io.synthstream.curator.avro.BandVote;
import io.synthstream.curator.avro.BucketMember;
import io.synthstream.curator.avro.BucketOwner;
import io.synthstream.curator.avro.ClaimBatch;
import io.synthstream.curator.avro.SampleClaim;
import io.synthstream.curator.avro.VoteBatch;
import io.synthstream.curator.logic.BandBuckets;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The owner of dedup buckets: each input record is a batch of claims on buckets this partition
 * owns ({@link BandRouting}), so each bucket is decided on exactly one partition of the cluster.
 * Decides every claim with {@link BandBuckets} and answers each batch with one {@link VoteBatch}
 * for its origin partition, one vote per sample.
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
 * race; only the choice of which one is kept then follows arrival). Held batches are in {@code curator-held-claims} (changelogged, one put and
 * one delete per batch), so a restart or a moved task releases them as it would have. A hold of
 * 0 decides each batch on arrival, in the same order within the batch.
 *
 * <p><b>Storage.</b> Entries are stored at the start of their sample's epoch ({@link
 * #epochStart}: half the retention, the stores' segment length), so a lookup is two point reads
 * (the claim's epoch and the one before) instead of an iterator over every segment, and expiry
 * stays the window stores' whole-segment drop. An owner is therefore found when it is less than
 * half the retention older than the claim, and never when it is more than the whole retention
 * older.
 */
final class BandOwnerProcessor implements Processor<String, ClaimBatch, String, VoteBatch> {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** How often held batches are checked at most: releases land within this after their hold. */
    private static final long MAX_TICK_MS = 100;

    private final long epoch;
    private final long holdMs;
    /** Held batches in arrival order. */
    private final Deque<Held> held = new ArrayDeque<>();

    private ProcessorContext<String, VoteBatch> context;
    private WindowStore<String, BucketOwner> owners;
    private WindowStore<String, ByteBuffer> signatures;
    private TimestampedKeyValueStore<Long, ClaimBatch> heldStore;
    private long lastArrival;

    /** A batch waiting for its release: its offset on the claims topic (the store key) and arrival time. */
    private record Held(long offset, long arrival, ClaimBatch batch) {}

    /**
     * @param epoch the epoch length: {@link CuratorStores#segmentInterval}
     * @param hold how long a batch is held before its claims are decided
     */
    BandOwnerProcessor(long epoch, Duration hold) {
        this.epoch = epoch;
        this.holdMs = hold.toMillis();
    }

    /** The start of the epoch of a timestamp: where entries made at that time are stored. */
    long epochStart(long timestamp) {
        return Math.floorDiv(timestamp, epoch) * epoch;
    }

    @Override
    public void init(ProcessorContext<String, VoteBatch> context) {
        this.context = context;
        this.owners = context.getStateStore(CuratorStores.BAND_OWNERS);
        this.signatures = context.getStateStore(CuratorStores.BAND_SIGNATURES);
        this.heldStore = context.getStateStore(CuratorStores.HELD_CLAIMS);
        held.clear();
        List<Held> restored = new ArrayList<>();
        try (KeyValueIterator<Long, ValueAndTimestamp<ClaimBatch>> all = heldStore.all()) {
            all.forEachRemaining(
                    entry -> restored.add(new Held(entry.key, entry.value.timestamp(), entry.value.value())));
        }
        restored.sort(Comparator.comparingLong(Held::arrival).thenComparingLong(Held::offset));
        held.addAll(restored);
        lastArrival = restored.isEmpty() ? 0 : restored.get(restored.size() - 1).arrival();
        if (holdMs > 0 || !held.isEmpty()) {
            long tick = Math.max(1, Math.min(Math.max(holdMs / 4, 1), MAX_TICK_MS));
            context.schedule(Duration.ofMillis(tick), PunctuationType.WALL_CLOCK_TIME, this::release);
        }
    }

    @Override
    public void process(Record<String, ClaimBatch> record) {
        if (holdMs == 0) {
            decide(List.of(new Held(-1, context.currentSystemTimeMs(), record.value())));
            return;
        }
        long offset = context.recordMetadata()
                .map(RecordMetadata::offset)
                .orElseThrow(() -> new IllegalStateException("a claim batch without an offset"));
        long arrival = Math.max(lastArrival, context.currentSystemTimeMs());
        lastArrival = arrival;
        heldStore.put(offset, ValueAndTimestamp.make(record.value(), arrival));
        held.addLast(new Held(offset, arrival, record.value()));
    }

    /**
     * Decides the claims of the held batches whose hold is over at {@code now}, and with them every
     * held claim that sorts before the last of those: a claim that arrived a moment after a later
     * one is decided before it, not after.
     */
    private void release(long now) {
        List<Held> due = new ArrayList<>();
        while (!held.isEmpty() && held.peekFirst().arrival() + holdMs <= now) {
            due.add(held.pollFirst());
        }
        if (due.isEmpty()) {
            return;
        }
        SampleClaim last = due.stream()
                .flatMap(batch -> batch.batch().getClaims().stream())
                .max(BandBuckets.DECISION_ORDER)
                .orElse(null);
        List<Held> deciding = new ArrayList<>(due);
        List<Held> waiting = new ArrayList<>(held.size());
        for (Held batch : held) {
            List<SampleClaim> before = new ArrayList<>();
            List<SampleClaim> after = new ArrayList<>();
            for (SampleClaim claim : batch.batch().getClaims()) {
                (last != null && BandBuckets.DECISION_ORDER.compare(claim, last) < 0 ? before : after).add(claim);
            }
            if (!before.isEmpty()) {
                deciding.add(new Held(-1, batch.arrival(), copy(batch.batch(), before)));
                Held rest = new Held(batch.offset(), batch.arrival(), copy(batch.batch(), after));
                if (after.isEmpty()) {
                    heldStore.delete(batch.offset());
                } else {
                    heldStore.put(batch.offset(), ValueAndTimestamp.make(rest.batch(), batch.arrival()));
                    waiting.add(rest);
                }
            } else {
                waiting.add(batch);
            }
        }
        held.clear();
        held.addAll(waiting);
        decide(deciding);
        for (Held batch : due) {
            heldStore.delete(batch.offset());
        }
    }

    private static ClaimBatch copy(ClaimBatch batch, List<SampleClaim> claims) {
        return new ClaimBatch(batch.getOwnerPartition(), batch.getOriginPartition(), batch.getRound(), claims);
    }

    /** Decides the claims of the batches in decision order and answers each batch with its votes. */
    private void decide(List<Held> batches) {
        List<KeyValue<Integer, SampleClaim>> claims = new ArrayList<>();
        List<List<BandVote>> votes = new ArrayList<>(batches.size());
        for (int i = 0; i < batches.size(); i++) {
            votes.add(new ArrayList<>(batches.get(i).batch().getClaims().size()));
            for (SampleClaim claim : batches.get(i).batch().getClaims()) {
                claims.add(KeyValue.pair(i, claim));
            }
        }
        claims.sort(Comparator.comparing(claim -> claim.value, BandBuckets.DECISION_ORDER));
        for (KeyValue<Integer, SampleClaim> claim : claims) {
            votes.get(claim.key).add(decide(claim.value));
        }
        for (int i = 0; i < batches.size(); i++) {
            ClaimBatch batch = batches.get(i).batch();
            int origin = batch.getOriginPartition();
            context.forward(new Record<>(
                    Integer.toString(origin),
                    new VoteBatch(origin, batch.getRound(), votes.get(i)),
                    batches.get(i).arrival()));
        }
    }

    /** A bucket's entry and the window it is stored under (null entry: the bucket is free). */
    private record Bucket(String key, BucketOwner entry, long storedAt) {}

    private BandVote decide(SampleClaim claim) {
        long stored = epochStart(claim.getOrderTs());
        Bucket exactBucket = null;
        BandBuckets.Decision exact = null;
        if (claim.getExactBucket() != null) {
            exactBucket = bucket(claim.getExactBucket(), stored);
            exact = BandBuckets.decideExact(exactBucket.entry(), claim);
        }
        List<Bucket> bandBuckets = new ArrayList<>(claim.getBandBuckets().size());
        List<BandBuckets.Decision> bands =
                new ArrayList<>(claim.getBandBuckets().size());
        for (String key : claim.getBandBuckets()) {
            Bucket bucket = bucket(key, stored);
            bandBuckets.add(bucket);
            bands.add(BandBuckets.decideBand(bucket.entry(), this::signatureOf, claim));
        }
        BandVote vote = BandBuckets.vote(claim.getSampleId(), exact, bands);
        if (vote.getExactDupOf() != null || vote.getDupOf() != null) {
            return vote; // a duplicate here joins nothing here
        }
        if (exact != null && exact.claimJoins()) {
            owners.put(exactBucket.key(), BandBuckets.ownerOf(claim), stored);
        }
        boolean joined = false;
        for (int i = 0; i < bands.size(); i++) {
            if (bands.get(i).claimJoins()) {
                Bucket bucket = bandBuckets.get(i);
                owners.put(bucket.key(), BandBuckets.withMember(bucket.entry(), claim), bucket.storedAt());
                joined = true;
            }
        }
        if (joined) {
            signatures.put(claim.getSampleId(), claim.getSignature(), stored);
        }
        return vote;
    }

    /** The stored signature of a bucket member (empty if expired: matches nothing). */
    private ByteBuffer signatureOf(BucketMember member) {
        ByteBuffer signature = signatures.fetch(member.getSampleId(), epochStart(member.getOrderTs()));
        return signature == null ? EMPTY : signature;
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
