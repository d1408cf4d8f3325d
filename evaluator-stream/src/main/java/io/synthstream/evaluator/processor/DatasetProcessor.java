package io.synthstream.evaluator.processor;

import io.micrometer.core.instrument.MeterRegistry;
import io.synthstream.avro.Attribute;
import io.synthstream.avro.AttributeValue;
import io.synthstream.avro.DatasetReport;
import io.synthstream.avro.DiversityMetrics;
import io.synthstream.avro.Example;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.ScoredSample;
import io.synthstream.avro.SteeringUpdate;
import io.synthstream.common.metrics.SynthMeters;
import io.synthstream.evaluator.avro.DatasetAccumulators;
import io.synthstream.evaluator.avro.EvalEvent;
import io.synthstream.evaluator.avro.Exemplar;
import io.synthstream.evaluator.avro.ReservoirText;
import io.synthstream.evaluator.avro.WindowEntry;
import io.synthstream.evaluator.config.EvaluatorConfig;
import io.synthstream.evaluator.metrics.CompressionRatio;
import io.synthstream.evaluator.metrics.Coverage;
import io.synthstream.evaluator.metrics.DistinctCounter;
import io.synthstream.evaluator.metrics.EmbeddingMoments;
import io.synthstream.evaluator.metrics.NGrams;
import io.synthstream.evaluator.metrics.Neighbours;
import io.synthstream.evaluator.metrics.ScoreSummary;
import io.synthstream.evaluator.metrics.SelfBleu;
import io.synthstream.evaluator.metrics.SteeringPolicy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.datasketches.hash.MurmurHash3;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The per-dataset stage (keyed by dataset): neighbour scores, dataset reports and steering.
 *
 * <p>For a scored sample it computes label consistency and novelty against the dataset's most
 * recent samples (an in-memory mirror of the window store), publishes the finished {@link
 * ScoredSample}, and appends the sample to the dataset's event log ({@link
 * EvaluatorStores#WINDOW}, one small entry). Rejections are appended the same way; ledger statuses
 * replace the request's entry in {@link EvaluatorStores#REQUESTS}.
 *
 * <p>The heavy accumulators (n-gram sketches, the bottom-k text sample, the faithfulness sketch,
 * coverage counts, exemplars, and the d×d embedding moments) are not rewritten per sample: a
 * wall-clock punctuator folds the log entries above {@code folded_seq} into them once per report
 * interval and writes them back with the new {@code folded_seq}, in the same transaction as the
 * report. A crash at any point leaves the log and the accumulators consistent, so nothing is
 * folded twice or skipped.
 */
public final class DatasetProcessor implements Processor<String, EvalEvent, String, Out> {
    public static final String SCORED = "scored";
    public static final String REJECTED = "rejected";
    public static final String STATUS = "status";

    /** Distinct attribute-value combinations counted per dataset. */
    static final int MAX_COMBINATIONS = 10_000;

    private static final long RESERVOIR_SEED = 0x5EED_5A3BL;
    private static final int MAX_N = 3;

    private final EvaluatorConfig config;
    private final String app;
    private final Map<String, View> views = new HashMap<>();
    private final Set<String> dirty = new TreeSet<>();
    private ProcessorContext<String, Out> context;
    private KeyValueStore<String, WindowEntry> window;
    private KeyValueStore<String, DatasetAccumulators> accumulators;
    private KeyValueStore<String, byte[]> moments;
    private KeyValueStore<String, RequestStatus> requests;
    private TimestampedKeyValueStore<String, GenerationRequest> specs;
    private MeterRegistry meters;

    public DatasetProcessor(EvaluatorConfig config) {
        this.config = config;
        this.app = config.synth().applicationId();
    }

    /** A dataset's state, loaded from the stores on first use. */
    private static final class View {
        final String dataset;
        DatasetAccumulators acc;
        EmbeddingMoments moments;
        DistinctCounter[] distinct;
        ScoreSummary faithfulness;
        final ArrayDeque<WindowEntry> recent = new ArrayDeque<>();
        /** The decoded vectors of the samples in {@link #recent} that have one, oldest first. */
        final ArrayDeque<Neighbours.Point> points = new ArrayDeque<>();

        void add(WindowEntry entry, int keep, List<String> evicted) {
            recent.addLast(entry);
            if (entry.getEmbedding() != null) {
                points.addLast(new Neighbours.Point(
                        entry.getSampleId(), entry.getLabel(), Codec.vector(entry.getEmbedding())));
            }
            while (recent.size() > keep) {
                WindowEntry old = recent.removeFirst();
                if (!points.isEmpty() && points.peekFirst().id().equals(old.getSampleId())) {
                    points.removeFirst();
                }
                evicted.add(EvaluatorStores.windowKey(dataset, old.getSeq()));
            }
        }

        final List<String> evicted = new ArrayList<>();
        final Set<String> declaredRequests = new HashSet<>();

        View(String dataset) {
            this.dataset = dataset;
        }
    }

    @Override
    public void init(ProcessorContext<String, Out> context) {
        this.context = context;
        this.views.clear(); // re-initialised after a revive: state comes from the stores again
        this.dirty.clear();
        this.window = context.getStateStore(EvaluatorStores.WINDOW);
        this.accumulators = context.getStateStore(EvaluatorStores.ACCUMULATORS);
        this.moments = context.getStateStore(EvaluatorStores.MOMENTS);
        this.requests = context.getStateStore(EvaluatorStores.REQUESTS);
        this.specs = context.getStateStore(EvaluatorStores.SPECS);
        this.meters = SynthMeters.fromAppConfigs(context.appConfigs()).orElse(null);
        context.schedule(config.reportInterval(), PunctuationType.WALL_CLOCK_TIME, this::report);
    }

    @Override
    public void process(Record<String, EvalEvent> record) {
        EvalEvent e = record.value();
        if (e.getDataset().isEmpty()) {
            return; // a ledger whose dataset is not known yet
        }
        View v = view(e.getDataset());
        switch (e.getKind()) {
            case SCORED -> scored(v, e);
            case REJECTED ->
                append(v, entry(v, e, REJECTED).setReason(e.getReason()).build());
            case STATUS ->
                requests.put(
                        EvaluatorStores.scoped(e.getDataset(), e.getRequestId()),
                        Codec.decode(RequestStatus::fromByteBuffer, e.getStatus()));
            default -> throw new IllegalArgumentException("Unknown evaluator event kind " + e.getKind());
        }
        dirty.add(e.getDataset());
    }

    private void scored(View v, EvalEvent e) {
        ScoredSample scored = Codec.decode(ScoredSample::fromByteBuffer, e.getScored());
        float[] vector = Codec.vector(e.getEmbedding());
        if (vector != null) {
            List<Neighbours.Point> earlier = new ArrayList<>();
            Iterator<Neighbours.Point> newest = v.points.descendingIterator();
            while (newest.hasNext() && earlier.size() < config.windowSize()) {
                earlier.add(newest.next());
            }
            scored.setLabelConsistency(Neighbours.labelConsistency(vector, e.getLabel(), earlier, knnK(e)));
            scored.setNovelty(Neighbours.novelty(vector, earlier));
        }
        context.forward(new Record<>(e.getSampleId(), new Out(Out.Kind.SCORED, scored), System.currentTimeMillis()));
        var faith = scored.getFaithfulness();
        WindowEntry entry = entry(v, e, SCORED)
                .setText(e.getText())
                .setEmbedding(e.getEmbedding())
                .setFaithfulness(faith == null ? null : faith.getScore())
                .setAdherence(scored.getConditionAdherence())
                .setConsistency(scored.getLabelConsistency())
                .setFields(scored.getSample().getFields())
                .build();
        append(v, entry);
        v.add(entry, Math.max(config.windowSize(), config.recentSize()), v.evicted);
    }

    private WindowEntry.Builder entry(View v, EvalEvent e, String kind) {
        long seq = v.acc.getNextSeq();
        v.acc.setNextSeq(seq + 1);
        return WindowEntry.newBuilder()
                .setSeq(seq)
                .setKind(kind)
                .setSampleId(e.getSampleId() == null ? "" : e.getSampleId())
                .setRequestId(e.getRequestId())
                .setLabel(e.getLabel())
                .setAttributes(e.getAttributes());
    }

    private void append(View v, WindowEntry entry) {
        window.put(EvaluatorStores.windowKey(v.dataset, entry.getSeq()), entry);
    }

    private int knnK(EvalEvent e) {
        GenerationRequest spec = spec(e.getRequestId());
        if (spec != null && spec.getEvaluation() != null && spec.getEvaluation().getKnnK() != null) {
            return spec.getEvaluation().getKnnK();
        }
        return config.knnK();
    }

    private View view(String dataset) {
        View v = views.get(dataset);
        if (v != null) {
            return v;
        }
        v = new View(dataset);
        DatasetAccumulators acc = accumulators.get(dataset);
        v.acc = acc == null ? DatasetAccumulators.newBuilder().build() : acc;
        v.acc.setCuratedCounts(copy(v.acc.getCuratedCounts()));
        v.acc.setRejectedCounts(copy(v.acc.getRejectedCounts()));
        v.acc.setDeclared(new HashMap<>(v.acc.getDeclared()));
        v.acc.setCombinations(new HashMap<>(v.acc.getCombinations()));
        byte[] m = moments.get(dataset);
        v.moments = m == null ? null : EmbeddingMoments.fromBytes(ByteBuffer.wrap(m));
        v.distinct = new DistinctCounter[MAX_N];
        List<ByteBuffer> stored = v.acc.getNgramDistinct();
        List<Long> totals = new ArrayList<>(v.acc.getNgramTotals());
        for (int n = 0; n < MAX_N; n++) {
            v.distinct[n] = n < stored.size()
                    ? DistinctCounter.fromBytes(stored.get(n), config.distinctExactLimit())
                    : new DistinctCounter(config.distinctExactLimit());
            if (totals.size() <= n) {
                totals.add(0L);
            }
        }
        v.acc.setNgramTotals(totals);
        v.faithfulness = v.acc.getFaithfulnessSketch() == null
                ? new ScoreSummary()
                : ScoreSummary.fromBytes(v.acc.getFaithfulnessSketch(), v.acc.getFaithfulnessSum());
        long lastSeq = -1;
        int keep = Math.max(config.windowSize(), config.recentSize());
        try (KeyValueIterator<String, WindowEntry> log =
                window.range(EvaluatorStores.windowKey(dataset, 0), EvaluatorStores.upperBound(dataset))) {
            while (log.hasNext()) {
                var kv = log.next();
                lastSeq = Math.max(lastSeq, kv.value.getSeq());
                if (SCORED.equals(kv.value.getKind())) {
                    v.add(kv.value, keep, v.evicted);
                }
            }
        }
        // The log may be ahead of the accumulators (entries appended since the last report).
        v.acc.setNextSeq(Math.max(v.acc.getNextSeq(), lastSeq + 1));
        views.put(dataset, v);
        return v;
    }

    private void report(long now) {
        for (String dataset : List.copyOf(dirty)) {
            View v = views.get(dataset);
            fold(v);
            DatasetReport report = build(v, now);
            context.forward(new Record<>(dataset, new Out(Out.Kind.REPORT, report), now));
            if (meters != null) {
                SynthMeters.evaluatorReports(meters, app).increment();
                gauges(report);
            }
            steer(v, now);
            persist(v);
        }
        dirty.clear();
    }

    /** Folds the log entries above folded_seq into the accumulators; drops what is no longer needed. */
    private void fold(View v) {
        long from = v.acc.getFoldedSeq() + 1;
        long to = v.acc.getNextSeq() - 1;
        List<String> done = new ArrayList<>(v.evicted);
        v.evicted.clear();
        if (from <= to) {
            try (KeyValueIterator<String, WindowEntry> log = window.range(
                    EvaluatorStores.windowKey(v.dataset, from), EvaluatorStores.windowKey(v.dataset, to))) {
                while (log.hasNext()) {
                    var kv = log.next();
                    WindowEntry entry = kv.value;
                    declare(v, entry.getRequestId());
                    if (SCORED.equals(entry.getKind())) {
                        foldScored(v, entry);
                    } else {
                        entry.getAttributes().forEach((a, value) -> increment(v.acc.getRejectedCounts(), a, value));
                        done.add(kv.key);
                    }
                    v.acc.setFoldedSeq(entry.getSeq());
                }
            }
        }
        done.forEach(window::delete);
    }

    private void foldScored(View v, WindowEntry entry) {
        DatasetAccumulators acc = v.acc;
        acc.setSamples(acc.getSamples() + 1);
        if (entry.getText() != null) {
            List<String> words = NGrams.words(entry.getText());
            for (int n = 1; n <= MAX_N; n++) {
                long[] grams = NGrams.hashes(words, n);
                acc.getNgramTotals().set(n - 1, acc.getNgramTotals().get(n - 1) + grams.length);
                for (long g : grams) {
                    v.distinct[n - 1].add(g);
                }
            }
            sampleText(v, entry);
        }
        if (entry.getFaithfulness() != null) {
            v.faithfulness.add(entry.getFaithfulness());
        }
        float[] vector = Codec.vector(entry.getEmbedding());
        if (vector != null) {
            if (v.moments == null) {
                v.moments = new EmbeddingMoments(vector.length);
            }
            if (vector.length == v.moments.dimension()) {
                v.moments.add(vector);
            }
        }
        TreeMap<String, String> attributes = new TreeMap<>(entry.getAttributes());
        attributes.forEach((a, value) -> increment(acc.getCuratedCounts(), a, value));
        if (!attributes.isEmpty()) {
            StringBuilder cell = new StringBuilder();
            attributes.forEach((a, value) -> cell.append(cell.length() == 0 ? "" : "|")
                    .append(a)
                    .append('=')
                    .append(value));
            String key = cell.toString();
            if (acc.getCombinations().containsKey(key) || acc.getCombinations().size() < MAX_COMBINATIONS) {
                acc.getCombinations().merge(key, 1L, Long::sum);
            }
        }
        exemplar(v, entry);
    }

    /** Bottom-k by a hash of the sample id: the same k samples whatever the arrival order. */
    private void sampleText(View v, WindowEntry entry) {
        long rank = MurmurHash3.hash(entry.getSampleId().getBytes(StandardCharsets.UTF_8), RESERVOIR_SEED)[0];
        List<ReservoirText> reservoir = new ArrayList<>(v.acc.getReservoir());
        int limit = config.reservoirSize();
        if (reservoir.size() >= limit
                && rank >= reservoir.get(reservoir.size() - 1).getRank()) {
            return;
        }
        ReservoirText item = new ReservoirText(rank, entry.getSampleId(), entry.getText());
        int at = 0;
        while (at < reservoir.size() && reservoir.get(at).getRank() < rank) {
            at++;
        }
        reservoir.add(at, item);
        if (reservoir.size() > limit) {
            reservoir.remove(reservoir.size() - 1);
        }
        v.acc.setReservoir(reservoir);
    }

    private void exemplar(View v, WindowEntry entry) {
        int perGroup = config.exemplarsPerGroup();
        if (perGroup == 0 || entry.getFields().isEmpty()) {
            return;
        }
        double score = value(entry.getFaithfulness()) + value(entry.getAdherence()) + value(entry.getConsistency());
        List<Exemplar> all = new ArrayList<>(v.acc.getExemplars());
        all.add(new Exemplar(
                entry.getSampleId(),
                entry.getLabel() == null ? "*" : entry.getLabel(),
                score,
                entry.getFields(),
                entry.getAttributes()));
        all.sort(Comparator.comparing(Exemplar::getGroup)
                .thenComparing(Comparator.comparingDouble(Exemplar::getScore).reversed())
                .thenComparing(Exemplar::getSampleId));
        List<Exemplar> kept = new ArrayList<>();
        Map<String, Integer> perLabel = new HashMap<>();
        for (Exemplar x : all) {
            if (perLabel.merge(x.getGroup(), 1, Integer::sum) <= perGroup) {
                kept.add(x);
            }
        }
        v.acc.setExemplars(kept);
    }

    private static double value(Double d) {
        return d == null ? 0 : d;
    }

    /** Records the attribute values and target a request declares, once its spec is known. */
    private void declare(View v, String requestId) {
        if (v.declaredRequests.contains(requestId)) {
            return;
        }
        GenerationRequest spec = spec(requestId);
        if (spec == null) {
            return;
        }
        v.declaredRequests.add(requestId);
        for (Attribute a : spec.getAttributes()) {
            Map<String, Double> values = new HashMap<>(v.acc.getDeclared().getOrDefault(a.getName(), Map.of()));
            for (AttributeValue value : a.getValues()) {
                values.put(value.getValue(), value.getWeight());
            }
            v.acc.getDeclared().put(a.getName(), values);
        }
        if (spec.getEvaluation() != null && spec.getEvaluation().getTargetPerCell() != null) {
            v.acc.setTargetPerCell(spec.getEvaluation().getTargetPerCell());
        }
    }

    private DatasetReport build(View v, long now) {
        DatasetAccumulators acc = v.acc;
        List<String> sampleTexts =
                acc.getReservoir().stream().map(ReservoirText::getText).toList();
        DiversityMetrics.Builder cumulative = DiversityMetrics.newBuilder()
                .setSamples(acc.getSamples())
                .setCompressionRatio(CompressionRatio.of(sampleTexts))
                .setSelfBleu(SelfBleu.of(sampleTexts.stream().map(NGrams::words).toList()));
        for (int n = 1; n <= MAX_N; n++) {
            long total = acc.getNgramTotals().get(n - 1);
            Double d = total == 0 ? null : v.distinct[n - 1].count() / total;
            switch (n) {
                case 1 -> cumulative.setDistinct1(d);
                case 2 -> cumulative.setDistinct2(d);
                default -> cumulative.setDistinct3(d);
            }
        }
        if (v.moments != null) {
            cumulative.setMeanPairwiseCosine(v.moments.meanPairwiseCosine()).setVendiScore(v.moments.vendi());
        }
        DatasetReport.Builder report = DatasetReport.newBuilder()
                .setDataset(v.dataset)
                .setGeneratedAt(Instant.ofEpochMilli(now))
                .setCumulative(cumulative.build())
                .setRecent(recent(v))
                .setCoverage(Coverage.of(acc.getCuratedCounts(), acc.getDeclared(), acc.getTargetPerCell()))
                .setCombinationsCovered(acc.getCombinations().size())
                .setFaithfulness(v.faithfulness.distribution());
        long requested = 0, curated = 0, rejected = 0, failed = 0, prompt = 0, completion = 0;
        Map<String, Long> byReason = new TreeMap<>();
        try (KeyValueIterator<String, RequestStatus> all =
                requests.range(EvaluatorStores.scoped(v.dataset, ""), EvaluatorStores.upperBound(v.dataset))) {
            while (all.hasNext()) {
                RequestStatus s = all.next().value;
                requested += s.getRequested();
                curated += s.getCurated();
                rejected += s.getRejected();
                failed += s.getFailed();
                prompt += s.getPromptTokens();
                completion += s.getCompletionTokens();
                s.getRejectedByReason().forEach((r, c) -> byReason.merge(r, c, Long::sum));
            }
        }
        Double cost = null;
        if (config.pricePrompt() != null && config.priceCompletion() != null) {
            cost = (prompt * config.pricePrompt() + completion * config.priceCompletion()) / 1e6;
        }
        return report.setRequested(requested)
                .setCurated(curated)
                .setRejected(rejected)
                .setRejectedByReason(byReason)
                .setFailed(failed)
                .setPromptTokens(prompt)
                .setCompletionTokens(completion)
                .setEstimatedCostUsd(cost)
                .build();
    }

    /** Metrics over the last recent.size samples, computed from scratch; null until there are that many. */
    private DiversityMetrics recent(View v) {
        int size = config.recentSize();
        if (v.recent.size() < size) {
            return null;
        }
        List<List<String>> words = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        Iterator<WindowEntry> newest = v.recent.descendingIterator();
        while (newest.hasNext() && texts.size() < size) {
            WindowEntry e = newest.next();
            String text = e.getText() == null ? "" : e.getText();
            texts.add(text);
            words.add(NGrams.words(text));
            float[] vector = Codec.vector(e.getEmbedding());
            if (vector != null) {
                vectors.add(vector);
            }
        }
        DiversityMetrics.Builder m = DiversityMetrics.newBuilder()
                .setSamples(texts.size())
                .setDistinct1(NGrams.distinct(words, 1))
                .setDistinct2(NGrams.distinct(words, 2))
                .setDistinct3(NGrams.distinct(words, 3))
                .setCompressionRatio(CompressionRatio.of(texts))
                .setSelfBleu(SelfBleu.of(words));
        if (!vectors.isEmpty()) {
            EmbeddingMoments moments = EmbeddingMoments.of(vectors, vectors.get(0).length);
            m.setMeanPairwiseCosine(moments.meanPairwiseCosine()).setVendiScore(moments.vendi());
        }
        return m.build();
    }

    /** The report's headline values as gauges, for Prometheus, Grafana and the dashboard. */
    private void gauges(DatasetReport r) {
        String d = r.getDataset();
        DiversityMetrics c = r.getCumulative();
        SynthMeters.datasetMetric(meters, app, d, "curated", (double) r.getCurated());
        SynthMeters.datasetMetric(meters, app, d, "rejected", (double) r.getRejected());
        SynthMeters.datasetMetric(meters, app, d, "failed", (double) r.getFailed());
        SynthMeters.datasetMetric(
                meters, app, d, "yield", r.getRequested() == 0 ? null : (double) r.getCurated() / r.getRequested());
        SynthMeters.datasetMetric(
                meters,
                app,
                d,
                "faithfulness_mean",
                r.getFaithfulness() == null ? null : r.getFaithfulness().getMean());
        SynthMeters.datasetMetric(meters, app, d, "distinct_2", c.getDistinct2());
        SynthMeters.datasetMetric(meters, app, d, "self_bleu", c.getSelfBleu());
        SynthMeters.datasetMetric(meters, app, d, "compression_ratio", c.getCompressionRatio());
        SynthMeters.datasetMetric(meters, app, d, "mean_pairwise_cosine", c.getMeanPairwiseCosine());
        SynthMeters.datasetMetric(meters, app, d, "vendi_score", c.getVendiScore());
    }

    private void steer(View v, long now) {
        DatasetAccumulators acc = v.acc;
        long folded = acc.getFoldedSeq() + 1;
        if (!config.steeringEnabled()
                || now - acc.getSteeringAt() < config.steeringInterval().toMillis()
                || folded - acc.getSteeringSamples() < config.steeringMinSamples()) {
            return;
        }
        SteeringPolicy.Result result = SteeringPolicy.compute(
                acc.getDeclared(),
                acc.getCuratedCounts(),
                acc.getRejectedCounts(),
                acc.getTargetPerCell(),
                config.steeringMinYield());
        if (result.weights().isEmpty() && acc.getExemplars().isEmpty()) {
            return;
        }
        List<Example> exemplars = new ArrayList<>();
        for (Exemplar x : acc.getExemplars()) {
            exemplars.add(Example.newBuilder()
                    .setId(x.getSampleId())
                    .setFields(x.getFields())
                    .setAttributes(x.getAttributes())
                    .build());
        }
        Map<String, Map<String, Double>> weights = new HashMap<>(result.weights());
        SteeringUpdate update = SteeringUpdate.newBuilder()
                .setDataset(v.dataset)
                .setVersion(acc.getSteeringVersion() + 1)
                .setGeneratedAt(Instant.ofEpochMilli(now))
                .setAttributeWeights(weights)
                .setExemplars(exemplars)
                .setReason(result.reason())
                .build();
        acc.setSteeringVersion(update.getVersion());
        acc.setSteeringAt(now);
        acc.setSteeringSamples(folded);
        context.forward(new Record<>(v.dataset, new Out(Out.Kind.STEERING, update), now));
        if (meters != null) {
            SynthMeters.evaluatorSteering(meters, app).increment();
        }
    }

    private void persist(View v) {
        List<ByteBuffer> distinct = new ArrayList<>();
        for (DistinctCounter c : v.distinct) {
            distinct.add(c.toBytes());
        }
        v.acc.setNgramDistinct(distinct);
        v.acc.setFaithfulnessSketch(v.faithfulness.count() == 0 ? null : v.faithfulness.toBytes());
        v.acc.setFaithfulnessSum(v.faithfulness.sum());
        accumulators.put(v.dataset, v.acc);
        if (v.moments != null) {
            ByteBuffer b = v.moments.toBytes();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            moments.put(v.dataset, bytes);
        }
    }

    private GenerationRequest spec(String requestId) {
        ValueAndTimestamp<GenerationRequest> spec = specs.get(requestId);
        return spec == null ? null : spec.value();
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
