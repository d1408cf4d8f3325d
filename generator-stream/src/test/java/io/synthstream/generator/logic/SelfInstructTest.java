package io.synthstream.generator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.Example;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.ModelParams;
import io.synthstream.avro.SelfInstructDecision;
import io.synthstream.avro.Spend;
import io.synthstream.avro.TaskSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SelfInstructTest {
    private static final io.synthstream.avro.SelfInstruct DEFAULTS =
            io.synthstream.avro.SelfInstruct.newBuilder().build();

    private static GenerationRequest request(io.synthstream.avro.SelfInstruct settings, String... seeds) {
        List<Example> examples = new ArrayList<>();
        for (String seed : seeds) {
            examples.add(Example.newBuilder()
                    .setFields(Map.of("instruction", seed, "output", "x"))
                    .build());
        }
        return GenerationRequest.newBuilder()
                .setRequestId("r1")
                .setDataset("d")
                .setCreatedAt(Instant.EPOCH)
                .setTask(TaskSpec.newBuilder().setKind("instruction").build())
                .setCount(3)
                .setModel(ModelParams.newBuilder().build())
                .setExamples(examples)
                .setSelfInstruct(settings)
                .build();
    }

    @Test
    void theHeuristicFiltersAreThePapers() {
        assertThat(SelfInstruct.filtered(DEFAULTS, "Summarise the text.")).startsWith("too_short: 3 words");
        assertThat(SelfInstruct.filtered(DEFAULTS, "Summarise the text below.")).isNull();
        assertThat(SelfInstruct.filtered(DEFAULTS, "word ".repeat(151))).startsWith("too_long: 151 words");
        assertThat(SelfInstruct.filtered(DEFAULTS, "Describe the IMAGES in the slide deck."))
                .startsWith("excluded_word: names 'images'");
        assertThat(SelfInstruct.filtered(DEFAULTS, "Tell me how to go to the station quickly."))
                .as("a phrase, matched on whole words")
                .startsWith("excluded_word: names 'go to'");
        assertThat(SelfInstruct.filtered(DEFAULTS, "Explain the mapping between these two lists."))
                .as("'map' is not a part of 'mapping'")
                .isNull();
        assertThat(SelfInstruct.filtered(DEFAULTS, "- List three colours you like."))
                .startsWith("punctuation");
        assertThat(SelfInstruct.filtered(DEFAULTS, "Écris un poème sur la mer."))
                .startsWith("non_ascii");
        assertThat(SelfInstruct.filtered(DEFAULTS, "   ")).startsWith("missing");
        io.synthstream.avro.SelfInstruct own = io.synthstream.avro.SelfInstruct.newBuilder()
                .setExcludedWords(List.of("spreadsheet"))
                .setMinInstructionWords(2)
                .build();
        assertThat(SelfInstruct.filtered(own, "Describe the image."))
                .as("the request's own list")
                .isNull();
        assertThat(SelfInstruct.filtered(own, "Sort the spreadsheet by date."))
                .startsWith("excluded_word: names 'spreadsheet'");
    }

    @Test
    void candidatesAreDecidedInOrderAgainstSeedsThePoolAndEachOther() {
        GenerationRequest spec = request(
                io.synthstream.avro.SelfInstruct.newBuilder()
                        .setInstructionsPerRound(5)
                        .build(),
                "Give three tips for staying healthy.");
        SelfInstruct.Pool seeds = SelfInstruct.Pool.of(SelfInstruct.seeds(spec));
        SelfInstruct.Pool pool = new SelfInstruct.Pool();
        pool.add("old", "Write a limerick about a cat who loves the sea.");
        List<SelfInstruct.Candidate> candidates = List.of(
                new SelfInstruct.Candidate("Write a limerick about a dog who loves the sea.", false),
                new SelfInstruct.Candidate("Translate the sentence into German, keeping the tone.", false),
                new SelfInstruct.Candidate("Translate the sentence into Spanish, keeping the tone.", true),
                new SelfInstruct.Candidate("Give three tips for staying healthy in winter.", false));
        Spend spend = Spend.newBuilder().setCalls(1).build();
        List<SelfInstructDecision> decisions =
                SelfInstruct.decide(spec, 7, candidates, seeds, pool, k -> "s" + k, List.of("seed-0", "old"), spend);

        assertThat(decisions).hasSize(5);
        assertThat(decisions.get(0).getFiltered()).startsWith("not_novel: ROUGE-L 0.90 against old");
        assertThat(decisions.get(1).getJoined()).isTrue();
        assertThat(decisions.get(1).getPoolSize()).isEqualTo(1);
        assertThat(decisions.get(2).getFiltered())
                .as("the same round's earlier instruction is in the pool")
                .startsWith("not_novel: ROUGE-L 0.88 against s1");
        assertThat(decisions.get(2).getClassification()).isTrue();
        assertThat(decisions.get(3).getFiltered()).startsWith("not_novel: ROUGE-L 0.86 against seed-0");
        assertThat(decisions.get(4).getFiltered()).isEqualTo("missing: the reply listed 4 of 5 instructions");
        assertThat(decisions).allSatisfy(d -> assertThat(d.getRound()).isEqualTo(7));
        assertThat(decisions.get(0).getRoundSpend())
                .as("candidate 0 carries the round's call")
                .isEqualTo(spend);
        assertThat(decisions.subList(1, 5))
                .allSatisfy(d -> assertThat(d.getRoundSpend()).isNull());
        assertThat(pool.all()).extracting(SelfInstruct.Demonstration::id).containsExactly("old", "s1");
    }

    @Test
    void aHigherMaxSimilarityKeepsCloserInstructionsAndMaxWordsBoundsTheirLength() {
        io.synthstream.avro.SelfInstruct lenient = io.synthstream.avro.SelfInstruct.newBuilder()
                .setInstructionsPerRound(2)
                .setMaxSimilarity(0.95)
                .setMaxInstructionWords(10)
                .build();
        GenerationRequest spec = request(lenient, "Give three tips for staying healthy.");
        SelfInstruct.Pool pool = new SelfInstruct.Pool();
        pool.add("old", "Write a limerick about a cat who loves the sea.");
        List<SelfInstructDecision> decisions = SelfInstruct.decide(
                spec,
                0,
                List.of(
                        new SelfInstruct.Candidate("Write a limerick about a dog who loves the sea.", false),
                        new SelfInstruct.Candidate("Write a limerick about a dog who loves the deep blue sea.", false)),
                SelfInstruct.Pool.of(SelfInstruct.seeds(spec)),
                pool,
                k -> "s" + k,
                List.of(),
                null);
        assertThat(decisions.get(0).getFiltered())
                .as("ROUGE-L 0.90 is below max_similarity 0.95")
                .isNull();
        assertThat(decisions.get(0).getMaxSimilarity()).isCloseTo(0.9, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(decisions.get(1).getFiltered()).startsWith("too_long: 12 words, above max_instruction_words 10");
    }

    @Test
    void aFullPoolStopsGrowingButStillChecksEveryInstruction() {
        GenerationRequest spec = request(
                io.synthstream.avro.SelfInstruct.newBuilder()
                        .setInstructionsPerRound(3)
                        .setPoolLimit(2)
                        .build(),
                "Give three tips for staying healthy.");
        SelfInstruct.Pool pool = new SelfInstruct.Pool();
        pool.add("p0", "Write a limerick about a cat who loves the sea.");
        List<SelfInstructDecision> decisions = SelfInstruct.decide(
                spec,
                0,
                List.of(
                        new SelfInstruct.Candidate("Name the planets of the solar system in order.", false),
                        new SelfInstruct.Candidate("Write a limerick about a cat who loves the sea!", false),
                        new SelfInstruct.Candidate("Explain how a bill becomes a law in Canada.", false)),
                SelfInstruct.Pool.of(SelfInstruct.seeds(spec)),
                pool,
                k -> "s" + k,
                List.of(),
                null);
        assertThat(decisions.get(0).getJoined()).isTrue();
        assertThat(decisions.get(1).getFiltered())
                .as("checked against the whole pool")
                .startsWith("not_novel");
        assertThat(decisions.get(2).getFiltered()).isNull();
        assertThat(decisions.get(2).getJoined()).as("the pool is full").isFalse();
        assertThat(pool.size()).isEqualTo(2);

        assertThat(SelfInstruct.rounds(decisions)).singleElement().satisfies(r -> {
            assertThat(r.asked()).isEqualTo(3);
            assertThat(r.joined()).isEqualTo(1);
            assertThat(r.full()).isEqualTo(1);
            assertThat(r.notNovel()).isEqualTo(1);
            assertThat(r.poolAfter()).isEqualTo(2);
            assertThat(r.rejectedShare()).isEqualTo(1.0 / 3);
        });
    }

    @Test
    void demonstrationsMixSeedTasksAndThePoolAndAreTheSameForTheSameRound() {
        GenerationRequest spec = request(
                io.synthstream.avro.SelfInstruct.newBuilder()
                        .setSeedDemonstrations(3)
                        .setPoolDemonstrations(2)
                        .build(),
                "s zero task",
                "s one task",
                "s two task",
                "s three task",
                "s four task",
                "s five task");
        List<SelfInstruct.Demonstration> seeds = SelfInstruct.seeds(spec);
        List<SelfInstruct.Demonstration> pool = List.of(
                new SelfInstruct.Demonstration("p0", "pool zero"),
                new SelfInstruct.Demonstration("p1", "pool one"),
                new SelfInstruct.Demonstration("p2", "pool two"));
        List<SelfInstruct.Demonstration> shown = SelfInstruct.demonstrations(spec, 4, seeds, pool);
        assertThat(shown).hasSize(5);
        assertThat(shown).filteredOn(d -> d.id().startsWith("p")).hasSize(2);
        assertThat(shown).filteredOn(d -> d.id().startsWith("seed-")).hasSize(3);
        assertThat(shown).doesNotHaveDuplicates();
        assertThat(SelfInstruct.demonstrations(spec, 4, seeds, pool)).isEqualTo(shown);
        assertThat(SelfInstruct.demonstrations(spec, 5, seeds, pool))
                .as("another round draws again")
                .isNotEqualTo(shown);

        List<SelfInstruct.Demonstration> early = SelfInstruct.demonstrations(spec, 0, seeds, pool.subList(0, 1));
        assertThat(early).as("a small pool: seed tasks make up the rest").hasSize(5);
        assertThat(early).filteredOn(d -> d.id().startsWith("seed-")).hasSize(4);
    }

    @Test
    void aRoundsReplyIsAListOfObjectsOrStrings() {
        assertThat(SelfInstruct.candidates(Map.of(
                        "instructions",
                        "[{\"instruction\": \" Sort the list. \", \"classification\": true}, \"Name a colour.\", 3]")))
                .containsExactly(
                        new SelfInstruct.Candidate("Sort the list.", true),
                        new SelfInstruct.Candidate("Name a colour.", false),
                        new SelfInstruct.Candidate("", false));
        assertThat(SelfInstruct.problem(Map.of("instructions", "\"one\""))).contains("must be a JSON array");
        assertThat(SelfInstruct.problem(Map.of("instructions", "[]"))).isNull();
    }

    @Test
    void aKeptInstructionsInstanceCallFollowsTheOrder() {
        GenerationRequest auto = request(DEFAULTS, "x y z w");
        assertThat(SelfInstruct.instanceStep(auto, true)).isEqualTo(2);
        assertThat(SelfInstruct.instanceStep(auto, false)).isEqualTo(1);
        GenerationRequest inputFirst = request(
                io.synthstream.avro.SelfInstruct.newBuilder()
                        .setInstanceOrder("input_first")
                        .build(),
                "x y z w");
        assertThat(SelfInstruct.instanceStep(inputFirst, true)).isEqualTo(1);
        List<StepPlan> steps = StepPlan.of(auto);
        assertThat(steps.get(2).outputFields())
                .extracting(f -> f.getName())
                .as("output first: the label is written before the input")
                .containsExactly("output", "input");
        assertThat(steps.get(1).outputFields()).extracting(f -> f.getName()).containsExactly("input", "output");
    }

    @Test
    void thePoolsPassedOverInstructionsNeverChangeTheClosestMatch() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        String[] vocabulary =
                "write a short poem story list explain how why the sea cat code tips three for".split(" ");
        java.util.function.Supplier<String> text = () -> {
            StringBuilder t = new StringBuilder();
            for (int i = random.nextInt(3, 12); i > 0; i--) {
                t.append(vocabulary[random.nextInt(vocabulary.length)]).append(' ');
            }
            return t.toString();
        };
        SelfInstruct.Pool pool = new SelfInstruct.Pool();
        List<String> held = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            held.add(text.get());
            pool.add("p" + i, held.get(i));
        }
        for (int trial = 0; trial < 200; trial++) {
            String candidate = text.get() + (trial % 2 == 0 ? "unheard" : "");
            double best = -1;
            String bestId = null;
            for (int i = 0; i < held.size(); i++) {
                double f1 = io.synthstream.common.text.RougeL.f1(candidate, held.get(i));
                if (f1 > best + 1e-12) {
                    best = f1;
                    bestId = "p" + i;
                }
            }
            SelfInstruct.Closest closest = pool.closest(io.synthstream.common.text.RougeL.words(candidate));
            assertThat(closest.similarity())
                    .as(candidate)
                    .isCloseTo(best, org.assertj.core.api.Assertions.within(1e-12));
            assertThat(closest.id())
                    .as("the first of the equally close: %s", candidate)
                    .isEqualTo(bestId);
        }
    }
}
