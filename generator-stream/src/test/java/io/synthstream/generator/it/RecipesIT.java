package io.synthstream.generator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.Sample;
import io.synthstream.avro.StepTrace;
import io.synthstream.common.app.StreamsApp;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.common.task.Messages;
import io.synthstream.generator.config.GeneratorConfig;
import io.synthstream.generator.topology.GeneratorTopology;
import io.synthstream.local.EmbeddedPlatform;
import io.synthstream.local.FakeOpenAiServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recipes on the embedded platform, with the generator killed ({@code kill -9}) in the middle
 * of its multi-call samples and two instances taking over: each finishes exactly once afterwards,
 * with every turn in order.
 */
class RecipesIT {
    private static final int COUNT = 30;
    private static final int TURNS = 3;
    private static final int SI_ROUNDS = 10;
    private static final int SI_PER_ROUND = 4;
    /** Self-Instruct's calls: one per round and one per kept instruction. */
    private static final long SI_CALLS = SI_ROUNDS * (1L + SI_PER_ROUND);

    @Test
    void recipesKilledMidwayFinishExactlyOnceWithEveryCallInOrderAndTheirLineage(@TempDir Path dir) throws Exception {
        try (EmbeddedPlatform platform = EmbeddedPlatform.ephemeral();
                FakeOpenAiServer server = FakeOpenAiServer.start(
                        FakeOpenAiServer.Settings.instant().withLatency(Duration.ofMillis(150), 0.5), 0)) {
            Map<String, Object> settings = GeneratorIT.settings(platform, server, "it-chat");
            settings.put(LlmSettings.MAX_IN_FLIGHT.key(), 8);
            String request = """
                    {"request_id": "chat-kill", "dataset": "chats", "count": %d,
                     "task": {"kind": "conversation", "description": "planning a trip"},
                     "attributes": [{"name": "traveller", "values": [{"value": "a student"}, {"value": "a family"}]}],
                     "conversation": {"turns": %d, "min_turns": %d}}
                    """.formatted(COUNT, TURNS, TURNS);
            String pairs = """
                    {"request_id": "pairs-kill", "dataset": "pairs", "count": %d,
                     "task": {"kind": "preference", "description": "travel advice"},
                     "preference": {"candidates": 3}}
                    """.formatted(COUNT);
            String evolved = """
                    {"request_id": "evol-kill", "dataset": "evolved", "count": %d,
                     "task": {"kind": "instruction", "description": "kitchen chemistry"},
                     "evolution": {"rounds": 3}}
                    """.formatted(COUNT);
            String selfInstruct = """
                    {"request_id": "si-kill", "dataset": "instructions", "count": %d,
                     "task": {"kind": "instruction"},
                     "examples": [
                       {"fields": {"instruction": "Give three tips for a good night's sleep."}},
                       {"fields": {"instruction": "Rewrite the sentence so that it sounds more formal."}},
                       {"fields": {"instruction": "Is the following statement a fact or an opinion?"}}],
                     "self_instruct": {"instructions_per_round": %d, "seed_demonstrations": 2,
                                       "pool_demonstrations": 2}}
                    """.formatted(SI_ROUNDS, SI_PER_ROUND);
            Process child = GeneratorIT.startChild(settings, dir.resolve("state-1"), dir.resolve("child-1.log"));
            try {
                GeneratorIT.submit(platform, "chat-kill", request);
                GeneratorIT.submit(platform, "pairs-kill", pairs);
                GeneratorIT.submit(platform, "evol-kill", evolved);
                GeneratorIT.submit(platform, "si-kill", selfInstruct);
                // Kill once turns are being taken but before most conversations are done.
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (server.requests() < COUNT * 6L && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(child.isAlive())
                        .as("child log: %s", dir.resolve("child-1.log"))
                        .isTrue();
                child.destroyForcibly().waitFor();
            } finally {
                child.destroyForcibly();
            }
            long callsBeforeKill = server.requests();
            assertThat(callsBeforeKill)
                    .as("killed midway: turns taken, conversations unfinished")
                    .isBetween((long) COUNT, COUNT * (2L * TURNS + 7 + 7) + SI_CALLS - 1);

            // Two instances take over: this JVM and a second child, so the tasks (and the pools'
            // partition) are shared out, rebalanced as the second joins, and restored from changelogs.
            Process second = GeneratorIT.startChild(settings, dir.resolve("state-3"), dir.resolve("child-2.log"));
            settings.put(SynthConfig.STATE_DIR.key(), dir.resolve("state-2").toString());
            SynthConfig config = new SynthConfig(GeneratorConfig.definition(), settings);
            try (AutoCloseable stopSecond = second::destroyForcibly;
                    var runtime = LlmSettings.runtime(config);
                    StreamsApp app = StreamsApp.start(
                            config, GeneratorTopology.build(config, runtime, false), GeneratorTopology.TOPICS)) {
                GeneratorIT.Outcomes outcomes =
                        GeneratorIT.Outcomes.await(platform, "chat-kill", COUNT, Duration.ofMinutes(3));
                outcomes.assertExactly(COUNT);
                assertThat(outcomes.deadLetters).isEmpty();
                for (Sample s : outcomes.records) {
                    List<Messages.Message> messages =
                            Messages.parse(s.getFields().get("messages"));
                    assertThat(Messages.problem(s.getFields().get("messages")))
                            .as(s.getSampleId())
                            .isEmpty();
                    assertThat(messages).as(s.getSampleId()).hasSize(1 + 2 * TURNS);
                    assertThat(s.getTrace().getSteps())
                            .extracting(StepTrace::getName)
                            .as("each turn once, in order, across the kill")
                            .containsExactly("user-1", "assistant-1", "user-2", "assistant-2", "user-3", "assistant-3");
                    for (int t = 0; t < 2 * TURNS; t++) {
                        assertThat(messages.get(t + 1).content())
                                .isEqualTo(s.getTrace()
                                        .getSteps()
                                        .get(t)
                                        .getOutput()
                                        .get("content"));
                    }
                }
                GeneratorIT.Outcomes pairOutcomes =
                        GeneratorIT.Outcomes.await(platform, "pairs-kill", COUNT, Duration.ofMinutes(3));
                pairOutcomes.assertExactly(COUNT);
                assertThat(pairOutcomes.deadLetters).isEmpty();
                for (Sample s : pairOutcomes.records) {
                    assertThat(s.getTrace().getSteps())
                            .extracting(StepTrace::getName)
                            .as("prompt, every candidate and every rating once, in order, across the kill")
                            .containsExactly(
                                    "prompt",
                                    "candidate_1",
                                    "candidate_2",
                                    "candidate_3",
                                    "rating_1",
                                    "rating_2",
                                    "rating_3");
                    String chosen = s.getFields().get("chosen");
                    assertThat(s.getTrace().getSteps())
                            .as("the chosen response is one of the sample's own candidates")
                            .anySatisfy(t ->
                                    assertThat(t.getOutput().get("response")).isEqualTo(chosen));
                }
                // Evol-Instruct: 1 + 3 samples per instruction, each round once with its lineage.
                GeneratorIT.Outcomes chains =
                        GeneratorIT.Outcomes.await(platform, "evol-kill", COUNT * 4, Duration.ofMinutes(3));
                chains.assertExactly(COUNT * 4);
                assertThat(chains.deadLetters).isEmpty();
                Map<String, List<Sample>> byRoot = new java.util.TreeMap<>();
                for (Sample s : chains.records) {
                    byRoot.computeIfAbsent(s.getTrace().getLineage().getRootId(), k -> new java.util.ArrayList<>())
                            .add(s);
                }
                assertThat(byRoot).hasSize(COUNT);
                byRoot.forEach((root, rounds) -> {
                    assertThat(rounds)
                            .extracting(s -> s.getTrace().getLineage().getRound())
                            .as(
                                    "rounds of %s, each once across the kill (keyed by their own ids, so read in"
                                            + " any order)",
                                    root)
                            .containsExactlyInAnyOrder(0, 1, 2, 3);
                    for (Sample s : rounds) {
                        var lineage = s.getTrace().getLineage();
                        if (lineage.getRound() > 0) {
                            assertThat(lineage.getParentId()).startsWith(root);
                            Sample parent = rounds.stream()
                                    .filter(p -> p.getSampleId().equals(lineage.getParentId()))
                                    .findFirst()
                                    .orElseThrow();
                            assertThat(parent.getTrace().getLineage().getEliminated())
                                    .as("a parent is a survivor")
                                    .isNull();
                            assertThat(parent.getTrace().getLineage().getRound())
                                    .isLessThan(lineage.getRound());
                        }
                    }
                });
                assertSelfInstructDecidedOnceInOrder(platform);
                assertThat(second.isAlive())
                        .as("the second instance ran throughout: %s", dir.resolve("child-2.log"))
                        .isTrue();
            }
            // Every call is paid about once: only calls in flight at the kill (at most 8) go again.
            assertThat(server.requests()).isLessThanOrEqualTo(COUNT * (2L * TURNS + 7 + 7) + SI_CALLS + 8);
        }
    }

    /**
     * Self-Instruct across the kill: every planned instruction once, and the pool decided in
     * (round, position) order exactly once: each decision saw as many pool instructions as joined
     * before it, and each round showed only instructions that had joined in an earlier round.
     */
    private static void assertSelfInstructDecidedOnceInOrder(EmbeddedPlatform platform) throws Exception {
        GeneratorIT.Outcomes outcomes =
                GeneratorIT.Outcomes.await(platform, "si-kill", SI_ROUNDS * SI_PER_ROUND, Duration.ofMinutes(3));
        outcomes.assertExactly(SI_ROUNDS * SI_PER_ROUND);
        assertThat(outcomes.deadLetters).isEmpty();
        List<io.synthstream.avro.SelfInstructDecision> decisions = outcomes.records.stream()
                .map(s -> s.getTrace().getSelfInstruct())
                .sorted(java.util.Comparator.comparingLong(io.synthstream.avro.SelfInstructDecision::getRound)
                        .thenComparingInt(io.synthstream.avro.SelfInstructDecision::getCandidate))
                .toList();
        assertThat(decisions)
                .extracting(d -> d.getRound() + ":" + d.getCandidate())
                .doesNotHaveDuplicates()
                .hasSize(SI_ROUNDS * SI_PER_ROUND);
        Map<String, Long> joinedIn = new java.util.HashMap<>();
        int joined = 0;
        for (io.synthstream.avro.SelfInstructDecision d : decisions) {
            assertThat(d.getPoolSize())
                    .as("round %d, instruction %d: the pool it was checked against", d.getRound(), d.getCandidate())
                    .isEqualTo(joined);
            if (d.getJoined()) {
                joined++;
            }
        }
        for (Sample s : outcomes.records) {
            if (s.getTrace().getSelfInstruct().getJoined()) {
                joinedIn.put(s.getSampleId(), s.getTrace().getSelfInstruct().getRound());
            }
        }
        assertThat(joined).as("the simulator's instructions are mostly novel").isGreaterThan(SI_PER_ROUND);
        for (io.synthstream.avro.SelfInstructDecision d : decisions) {
            for (String shown : d.getDemonstrationIds()) {
                if (joinedIn.containsKey(shown)) {
                    assertThat(joinedIn.get(shown))
                            .as("round %d showed a pool instruction of an earlier round", d.getRound())
                            .isLessThan(d.getRound());
                }
            }
        }
    }
}
