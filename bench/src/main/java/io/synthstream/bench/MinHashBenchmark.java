package io.synthstream.bench;

import io.synthstream.common.text.TextNormalizer;
import io.synthstream.curator.logic.MinHasher;
import io.synthstream.curator.logic.Shingler;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Near-dedup cost per document on one core: normalise, word 5-gram shingles, a 14 × 8 MinHash
 * signature and its band keys ({@code signature}), against normalisation and shingling alone
 * ({@code shinglesOnly}), the part every dedup scheme pays. {@link #main} prints documents/s and
 * MB/s per core.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MinHashBenchmark {
    @Param({"1024"})
    public int documentBytes;

    private List<String> documents;
    private final Shingler shingler = new Shingler(5);
    private final MinHasher minHasher = MinHasher.defaults();
    private int next;

    @Setup
    public void setUp() {
        documents = TextCorpus.texts(1, 1000, documentBytes);
    }

    private String nextDocument() {
        String document = documents.get(next);
        next = (next + 1) % documents.size();
        return document;
    }

    @Benchmark
    public List<String> signature() {
        long[] shingles = shingler.shingles(TextNormalizer.words(TextNormalizer.normalize(nextDocument())));
        return minHasher.bandKeys(minHasher.signature(shingles));
    }

    @Benchmark
    public long[] shinglesOnly() {
        return shingler.shingles(TextNormalizer.words(TextNormalizer.normalize(nextDocument())));
    }

    /** Runs both benchmarks and prints documents/s and MB/s per core. */
    public static void main(String[] args) throws Exception {
        double averageBytes = TextCorpus.texts(1, 1000, 1024).stream()
                .mapToInt(text -> text.getBytes(StandardCharsets.UTF_8).length)
                .average()
                .orElseThrow();
        for (RunResult result : new Runner(new OptionsBuilder()
                        .include(MinHashBenchmark.class.getName())
                        .threads(1)
                        .build())
                .run()) {
            double docsPerSecond = result.getPrimaryResult().getScore();
            System.out.printf(
                    Locale.ROOT,
                    "%-14s %,10.0f docs/s  %6.2f MB/s per core  (%.0f-byte documents, error ±%,.0f docs/s)%n",
                    result.getParams().getBenchmark().replaceAll(".*\\.", ""),
                    docsPerSecond,
                    docsPerSecond * averageBytes / 1_000_000,
                    averageBytes,
                    result.getPrimaryResult().getScoreError());
        }
    }
}
