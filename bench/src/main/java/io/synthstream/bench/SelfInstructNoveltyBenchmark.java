package io.synthstream.bench;

import io.synthstream.avro.Example;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.ModelParams;
import io.synthstream.avro.SelfInstruct;
import io.synthstream.avro.SelfInstructDecision;
import io.synthstream.avro.TaskSpec;
import io.synthstream.common.text.RougeL;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * What Self-Instruct's exact novelty check costs the generator's stream thread per round: 8 new
 * instructions decided against a full pool of {@code poolSize} instructions (ROUGE-L against
 * every one, {@code decideRound}), side by side with reading the 8 instructions' words only
 * ({@code wordsOnly}, the part any check pays). {@link #main} prints milliseconds per round and
 * the ratio to the baseline; the bound {@code self_instruct.pool_limit} documents comes from it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class SelfInstructNoveltyBenchmark {
    private static final int PER_ROUND = 8;

    @Param({"1000", "10000", "100000"})
    public int poolSize;

    private GenerationRequest spec;
    private io.synthstream.generator.logic.SelfInstruct.Pool seeds;
    private io.synthstream.generator.logic.SelfInstruct.Pool pool;
    private List<List<io.synthstream.generator.logic.SelfInstruct.Candidate>> rounds;
    private int next;

    /** Instruction-sized texts (about 90 bytes, 15 words) from the benchmark corpus. */
    static List<String> instructions(long seed, int count) {
        return TextCorpus.texts(seed, count, 90);
    }

    @Setup
    public void setUp() {
        List<Example> examples = new ArrayList<>();
        for (String seed : instructions(7, 175)) { // the paper's 175 seed tasks
            examples.add(
                    Example.newBuilder().setFields(Map.of("instruction", seed)).build());
        }
        spec = GenerationRequest.newBuilder()
                .setRequestId("bench")
                .setDataset("bench")
                .setCreatedAt(Instant.EPOCH)
                .setTask(TaskSpec.newBuilder().setKind("instruction").build())
                .setCount(1)
                .setModel(ModelParams.newBuilder().build())
                .setExamples(examples)
                .setSelfInstruct(SelfInstruct.newBuilder()
                        .setInstructionsPerRound(PER_ROUND)
                        .setPoolLimit(poolSize) // full: the pool stays at poolSize
                        .build())
                .build();
        seeds = io.synthstream.generator.logic.SelfInstruct.Pool.of(
                io.synthstream.generator.logic.SelfInstruct.seeds(spec));
        pool = new io.synthstream.generator.logic.SelfInstruct.Pool();
        List<String> texts = instructions(11, poolSize);
        for (int i = 0; i < texts.size(); i++) {
            pool.add("p" + i, texts.get(i));
        }
        rounds = new ArrayList<>();
        List<String> candidates = instructions(13, PER_ROUND * 64);
        for (int r = 0; r < 64; r++) {
            List<io.synthstream.generator.logic.SelfInstruct.Candidate> round = new ArrayList<>();
            for (int k = 0; k < PER_ROUND; k++) {
                round.add(new io.synthstream.generator.logic.SelfInstruct.Candidate(
                        "Write " + candidates.get(r * PER_ROUND + k), false));
            }
            rounds.add(round);
        }
    }

    private List<io.synthstream.generator.logic.SelfInstruct.Candidate> nextRound() {
        List<io.synthstream.generator.logic.SelfInstruct.Candidate> round = rounds.get(next);
        next = (next + 1) % rounds.size();
        return round;
    }

    @Benchmark
    public List<SelfInstructDecision> decideRound() {
        return io.synthstream.generator.logic.SelfInstruct.decide(
                spec, 0, nextRound(), seeds, pool, k -> "c" + k, List.of(), null);
    }

    @Benchmark
    public int wordsOnly() {
        int words = 0;
        for (io.synthstream.generator.logic.SelfInstruct.Candidate c : nextRound()) {
            words += RougeL.words(c.instruction()).size();
        }
        return words;
    }

    /** Runs both benchmarks per pool size and prints ms per round and the ratio to the baseline. */
    public static void main(String[] args) throws Exception {
        Map<String, Double> ms = new java.util.TreeMap<>();
        for (RunResult result : new Runner(new OptionsBuilder()
                        .include(SelfInstructNoveltyBenchmark.class.getName())
                        .threads(1)
                        .build())
                .run()) {
            ms.put(
                    result.getParams().getParam("poolSize") + " "
                            + result.getParams().getBenchmark().replaceAll(".*\\.", ""),
                    result.getPrimaryResult().getScore());
        }
        for (String size : List.of("1000", "10000", "100000")) {
            double round = ms.getOrDefault(size + " decideRound", Double.NaN);
            double baseline = ms.getOrDefault(size + " wordsOnly", Double.NaN);
            System.out.printf(
                    java.util.Locale.ROOT,
                    "pool %6s: %.2f ms per round of %d (exact ROUGE-L against %s + 175 seed tasks),"
                            + " baseline words only %.4f ms, ratio %.0fx%n",
                    size,
                    round,
                    PER_ROUND,
                    size,
                    baseline,
                    round / baseline);
        }
    }
}
