package io.synthstream.evaluator.logic;

import io.synthstream.avro.Attribute;
import io.synthstream.avro.AttributeValue;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.common.task.AttributeSpace;
import io.synthstream.evaluator.avro.DatasetAccumulators;
import io.synthstream.evaluator.avro.EvalEvent;
import io.synthstream.evaluator.avro.WindowEntry;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One dataset's evaluation state in memory: the accumulators the cumulative report is built from
 * (n-gram counters, the bottom-k text sample, the faithfulness sketch, coverage counts, exemplars,
 * the d×d embedding moments) and the window of most recent scored samples that kNN and the recent
 * metrics read.
 *
 * <p>Events are first appended to the dataset's log (a sequence number each, {@link #entry});
 * {@link #fold} adds a logged entry to the accumulators, once per report, in sequence order, and
 * records the last folded sequence number with them. The dataset stage keeps the log and the
 * accumulators in its stores and this state in front of them ({@link #load}, {@link #replay},
 * {@link #accumulators}, {@link #momentsBytes}); nothing here touches a store.
 */
public final class DatasetState {
    /** The human-reviewed sample ids a dataset remembers as demonstrations. */
    static final int MAX_HUMAN_IDS = 1000;

    /** Human acceptances appended to the log and not folded yet. */
    private final java.util.Set<String> unfoldedHuman = new java.util.HashSet<>();

    /** Largest n of the distinct-n metrics. */
    public static final int MAX_N = 3;
    /** Distinct attribute-value combinations counted per dataset. */
    static final int MAX_COMBINATIONS = 10_000;

    private final String dataset;
    private final DatasetSettings settings;
    private final DatasetAccumulators acc;
    private final DistinctCounter[] distinct = new DistinctCounter[MAX_N];
    private final ScoreSummary faithfulness;
    private EmbeddingMoments moments;
    private final ArrayDeque<WindowEntry> recent = new ArrayDeque<>();
    /** The decoded vectors of the samples in {@link #recent} that have one, oldest first. */
    private final ArrayDeque<Neighbours.Point> points = new ArrayDeque<>();
    /** Sequence numbers of scored entries that left the recent window: their log entries can go. */
    private final List<Long> evicted = new ArrayList<>();

    private final Set<String> declaredRequests = new HashSet<>();
    private long lastReplayed = -1;

    /** The label consistency and novelty of a sample against the dataset's recent samples (null: none). */
    public record NeighbourScores(Double labelConsistency, Double novelty, Neighbours.Vote vote) {}

    private DatasetState(String dataset, DatasetSettings settings, DatasetAccumulators stored, ByteBuffer moments) {
        this.dataset = dataset;
        this.settings = settings;
        this.acc = stored == null ? DatasetAccumulators.newBuilder().build() : stored;
        acc.setCuratedCounts(copy(acc.getCuratedCounts()));
        acc.setRejectedCounts(copy(acc.getRejectedCounts()));
        acc.setDeclared(new HashMap<>(acc.getDeclared()));
        acc.setCombinations(new HashMap<>(acc.getCombinations()));
        this.moments = moments == null ? null : EmbeddingMoments.fromBytes(moments);
        List<ByteBuffer> counters = acc.getNgramDistinct();
        List<Long> totals = new ArrayList<>(acc.getNgramTotals());
        for (int n = 0; n < MAX_N; n++) {
            distinct[n] = n < counters.size()
                    ? DistinctCounter.fromBytes(counters.get(n), settings.distinctExactLimit())
                    : new DistinctCounter(settings.distinctExactLimit());
            if (totals.size() <= n) {
                totals.add(0L);
            }
        }
        acc.setNgramTotals(totals);
        this.faithfulness = acc.getFaithfulnessSketch() == null
                ? new ScoreSummary()
                : ScoreSummary.fromBytes(acc.getFaithfulnessSketch(), acc.getFaithfulnessSum());
    }

    /**
     * A dataset's state from its stored accumulators and moments (null for a new dataset); then
     * {@link #replay} its log and call {@link #loaded}.
     */
    public static DatasetState load(
            String dataset, DatasetSettings settings, DatasetAccumulators stored, ByteBuffer moments) {
        return new DatasetState(dataset, settings, stored, moments);
    }

    /** Replays one entry of the stored log, in sequence order, while loading. */
    public void replay(WindowEntry entry) {
        lastReplayed = Math.max(lastReplayed, entry.getSeq());
        if (DatasetEvents.SCORED.equals(entry.getKind())) {
            remember(entry);
        }
        rememberHuman(entry);
    }

    /** Notes a human's acceptance or correction not folded yet, so that demonstrations of it count at once. */
    public void rememberHuman(WindowEntry entry) {
        if (DatasetEvents.REVIEWED.equals(entry.getKind()) && entry.getReason() == null) {
            unfoldedHuman.add(entry.getSampleId());
        }
    }

    /** Whether any of {@code demonstrationIds} is a sample a human accepted or corrected. */
    public boolean showsHumanDemonstration(List<String> demonstrationIds) {
        for (String id : demonstrationIds) {
            if (unfoldedHuman.contains(id) || acc.getHumanIds().contains(id)) {
                return true;
            }
        }
        return false;
    }

    /** Ends loading: the log may be ahead of the accumulators (entries appended since the last report). */
    public void loaded() {
        acc.setNextSeq(Math.max(acc.getNextSeq(), lastReplayed + 1));
    }

    public String dataset() {
        return dataset;
    }

    /** A new log entry for an event, with the next sequence number. */
    public WindowEntry.Builder entry(EvalEvent event, String kind) {
        long seq = acc.getNextSeq();
        acc.setNextSeq(seq + 1);
        return WindowEntry.newBuilder()
                .setSeq(seq)
                .setKind(kind)
                .setSampleId(event.getSampleId() == null ? "" : event.getSampleId())
                .setRequestId(event.getRequestId())
                .setLabel(event.getLabel())
                .setAttributes(event.getAttributes());
    }

    /** Label consistency among the k nearest recent samples, and novelty against the window. */
    public NeighbourScores neighbours(float[] vector, String label, int k) {
        List<Neighbours.Point> earlier = new ArrayList<>();
        Iterator<Neighbours.Point> newest = points.descendingIterator();
        while (newest.hasNext() && earlier.size() < settings.windowSize()) {
            earlier.add(newest.next());
        }
        Neighbours.Vote vote = Neighbours.vote(vector, label, earlier, k);
        return new NeighbourScores(vote == null ? null : vote.consistency(), Neighbours.novelty(vector, earlier), vote);
    }

    /** Adds a scored entry to the recent window; the oldest beyond its size leave it. */
    public void remember(WindowEntry scored) {
        recent.addLast(scored);
        if (scored.getEmbedding() != null) {
            points.addLast(new Neighbours.Point(
                    scored.getSampleId(), scored.getLabel(), Vectors.decode(scored.getEmbedding())));
        }
        while (recent.size() > settings.keptSamples()) {
            WindowEntry old = recent.removeFirst();
            if (!points.isEmpty() && points.peekFirst().id().equals(old.getSampleId())) {
                points.removeFirst();
            }
            evicted.add(old.getSeq());
        }
    }

    /** Sequence numbers of entries that left the recent window since the last call. */
    public List<Long> takeEvicted() {
        List<Long> taken = List.copyOf(evicted);
        evicted.clear();
        return taken;
    }

    /** The first log entry not folded yet. */
    public long firstUnfolded() {
        return acc.getFoldedSeq() + 1;
    }

    /** The last log entry appended. */
    public long lastAppended() {
        return acc.getNextSeq() - 1;
    }

    /**
     * Folds a log entry (the next one in sequence) into the accumulators, declaring its request's
     * attribute values once its spec is known.
     */
    public void fold(WindowEntry entry, Function<String, Optional<GenerationRequest>> specs) {
        declare(entry.getRequestId(), specs);
        if (DatasetEvents.SCORED.equals(entry.getKind())) {
            foldScored(entry);
        } else if (DatasetEvents.REVIEWED.equals(entry.getKind())) {
            foldReviewed(entry);
        } else {
            entry.getAttributes().forEach((a, value) -> increment(acc.getRejectedCounts(), a, value));
        }
        acc.setFoldedSeq(entry.getSeq());
    }

    private void foldReviewed(WindowEntry entry) {
        acc.setExemplars(ExemplarPool.reviewed(acc.getExemplars(), settings.exemplarsPerGroup(), entry));
        acc.setCorrectionsPending(true);
        List<String> ids = new ArrayList<>(acc.getHumanIds());
        ids.remove(entry.getSampleId());
        if (entry.getReason() == null) {
            ids.add(entry.getSampleId());
        }
        acc.setHumanIds(
                ids.size() > MAX_HUMAN_IDS
                        ? new ArrayList<>(ids.subList(ids.size() - MAX_HUMAN_IDS, ids.size()))
                        : ids);
        unfoldedHuman.remove(entry.getSampleId());
    }

    private void foldScored(WindowEntry entry) {
        acc.setSamples(acc.getSamples() + 1);
        if (entry.getHumanDemonstrations()) {
            acc.setHumanDemonstrationSamples(acc.getHumanDemonstrationSamples() + 1);
        }
        if (entry.getText() != null) {
            List<String> words = NGrams.words(entry.getText());
            for (int n = 1; n <= MAX_N; n++) {
                long[] grams = NGrams.hashes(words, n);
                acc.getNgramTotals().set(n - 1, acc.getNgramTotals().get(n - 1) + grams.length);
                for (long g : grams) {
                    distinct[n - 1].add(g);
                }
            }
            acc.setReservoir(
                    BottomK.add(acc.getReservoir(), settings.reservoirSize(), entry.getSampleId(), entry.getText()));
        }
        if (entry.getFaithfulness() != null) {
            faithfulness.add(entry.getFaithfulness());
        }
        float[] vector = Vectors.decode(entry.getEmbedding());
        if (vector != null) {
            if (moments == null) {
                moments = new EmbeddingMoments(vector.length);
            }
            if (vector.length == moments.dimension()) {
                moments.add(vector);
            }
        }
        TreeMap<String, String> attributes = new TreeMap<>(entry.getAttributes());
        attributes.forEach((a, value) -> increment(acc.getCuratedCounts(), a, value));
        if (!attributes.isEmpty()) {
            String key = cell(attributes);
            if (acc.getCombinations().containsKey(key) || acc.getCombinations().size() < MAX_COMBINATIONS) {
                acc.getCombinations().merge(key, 1L, Long::sum);
            }
        }
        acc.setExemplars(ExemplarPool.add(acc.getExemplars(), settings.exemplarsPerGroup(), entry));
    }

    /** The key of an attribute cell: {@code a=v|b=w} in attribute order. */
    public static String cell(Map<String, String> attributes) {
        StringBuilder cell = new StringBuilder();
        new TreeMap<>(attributes)
                .forEach((a, value) -> cell.append(cell.length() == 0 ? "" : "|")
                        .append(a)
                        .append('=')
                        .append(value));
        return cell.toString();
    }

    /**
     * The provisional balance weight of a sample with these attribute values: its cell's declared
     * share (the product of the declared weights' shares) over its share of the samples folded so
     * far ({@link SampleWeights#provisionalBalance}).
     */
    public double provisionalBalance(Map<String, String> attributes) {
        double target = 1;
        for (Map.Entry<String, String> a : attributes.entrySet()) {
            Map<String, Double> declared = acc.getDeclared().get(a.getKey());
            if (declared == null || declared.isEmpty()) {
                continue;
            }
            double total =
                    declared.values().stream().mapToDouble(Double::doubleValue).sum();
            target *= total > 0 ? declared.getOrDefault(a.getValue(), 0.0) / total : 0;
        }
        long all = acc.getCombinations().values().stream()
                .mapToLong(Long::longValue)
                .sum();
        Long seen = acc.getCombinations().get(cell(attributes));
        return SampleWeights.provisionalBalance(target, all == 0 || seen == null ? 0 : (double) seen / all);
    }

    /** Records the attribute values and target a request declares, once its spec is known. */
    private void declare(String requestId, Function<String, Optional<GenerationRequest>> specs) {
        if (declaredRequests.contains(requestId)) {
            return;
        }
        Optional<GenerationRequest> found = specs.apply(requestId);
        if (found.isEmpty()) {
            return;
        }
        GenerationRequest spec = found.get();
        declaredRequests.add(requestId);
        for (Attribute a : AttributeSpace.of(spec)) {
            Map<String, Double> values = new HashMap<>(acc.getDeclared().getOrDefault(a.getName(), Map.of()));
            for (AttributeValue value : a.getValues()) {
                values.put(value.getValue(), value.getWeight());
            }
            acc.getDeclared().put(a.getName(), values);
        }
        if (spec.getEvaluation() != null && spec.getEvaluation().getTargetPerCell() != null) {
            acc.setTargetPerCell(spec.getEvaluation().getTargetPerCell());
        }
    }

    /** The accumulators (live: steering records its schedule in them). */
    public DatasetAccumulators acc() {
        return acc;
    }

    /** Distinct n-grams seen so far (n from 1). */
    public double distinctCount(int n) {
        return distinct[n - 1].count();
    }

    public ScoreSummary faithfulness() {
        return faithfulness;
    }

    /** The running embedding moments, or null before the first vector. */
    public EmbeddingMoments moments() {
        return moments;
    }

    /** The recent scored samples, oldest first. */
    public Deque<WindowEntry> recent() {
        return recent;
    }

    /** The accumulators with the counters and sketch serialised, to store. */
    public DatasetAccumulators accumulators() {
        List<ByteBuffer> counters = new ArrayList<>();
        for (DistinctCounter c : distinct) {
            counters.add(c.toBytes());
        }
        acc.setNgramDistinct(counters);
        acc.setFaithfulnessSketch(faithfulness.count() == 0 ? null : faithfulness.toBytes());
        acc.setFaithfulnessSum(faithfulness.sum());
        return acc;
    }

    /** The embedding moments to store, or null before the first vector. */
    public byte[] momentsBytes() {
        if (moments == null) {
            return null;
        }
        ByteBuffer b = moments.toBytes();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }

    private static void increment(Map<String, Map<String, Long>> counts, String attribute, String value) {
        counts.computeIfAbsent(attribute, k -> new HashMap<>()).merge(value, 1L, Long::sum);
    }

    private static Map<String, Map<String, Long>> copy(Map<String, Map<String, Long>> counts) {
        Map<String, Map<String, Long>> out = new HashMap<>();
        counts.forEach((k, v) -> out.put(k, new HashMap<>(v)));
        return out;
    }
}
