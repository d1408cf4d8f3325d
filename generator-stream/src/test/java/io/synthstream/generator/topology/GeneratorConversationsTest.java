package io.synthstream.generator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.Sample;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.common.task.Messages;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The conversation recipe in the generator's topology: turns, the prompts each side sees, the stop rule. */
class GeneratorConversationsTest {

    private static String request(String id, int turns, int minTurns) {
        return """
                {"request_id": "%s", "dataset": "chats", "count": 1,
                 "task": {"kind": "conversation", "description": "home baking"},
                 "attributes": [{"name": "persona", "values": [{"value": "a nervous beginner"}]}],
                 "conversation": {"turns": %d, "min_turns": %d,
                                  "assistant_system_template": "You are a baking coach for {{ persona }}."}}
                """.formatted(id, turns, minTurns);
    }

    @Test
    void turnsAlternateEachSideSeesTheConversationAndDoneEndsItBeforeItsMessage() {
        ScriptedProvider provider = new ScriptedProvider()
                .then("{\"content\": \"How do I bake bread?\", \"done\": false}", "stop")
                .then("{\"content\": \"Mix flour, water, yeast and salt.\"}", "stop")
                .then("{\"content\": \"Thanks, that is all!\", \"done\": true}", "stop");
        try (GeneratorFixture f = new GeneratorFixture(provider, Map.of())) {
            f.jsonRequests.pipeInput("c1", request("c1", 3, 1));
            f.pumpOutcomes(1);
            assertThat(f.deadLetterLog).isEmpty();
            Sample s = f.sampleLog.get(0);
            assertThat(s.getFields()).containsOnlyKeys("messages");
            assertThat(Messages.parse(s.getFields().get("messages")))
                    .as("the done turn is not sent: the conversation ends with the assistant")
                    .containsExactly(
                            new Messages.Message("system", "You are a baking coach for a nervous beginner."),
                            new Messages.Message("user", "How do I bake bread?"),
                            new Messages.Message("assistant", "Mix flour, water, yeast and salt."));
            assertThat(s.getTrace().getSteps())
                    .extracting(t -> t.getName())
                    .containsExactly("user-1", "assistant-1", "user-2");
            assertThat(provider.requests).hasSize(3);

            List<LlmRequest.Message> opening = provider.requests.get(0).messages();
            assertThat(opening.get(0).content())
                    .contains("You play a human user")
                    .contains("a nervous beginner");
            assertThat(opening.get(1).content()).contains("opening message");

            List<LlmRequest.Message> reply = provider.requests.get(1).messages();
            assertThat(reply).extracting(LlmRequest.Message::role).containsExactly("system", "user");
            assertThat(reply.get(0).content()).isEqualTo("You are a baking coach for a nervous beginner.");
            assertThat(reply.get(1).content()).startsWith("How do I bake bread?");

            List<LlmRequest.Message> followUp = provider.requests.get(2).messages();
            assertThat(followUp.get(1).content())
                    .contains("[user] How do I bake bread?")
                    .contains("[assistant] Mix flour, water, yeast and salt.");
        }
    }

    @Test
    void doneBeforeMinTurnsIsIgnoredAndTheLastTurnEndsTheConversation() {
        ScriptedProvider provider = new ScriptedProvider()
                .then("{\"content\": \"Hello!\", \"done\": true}", "stop")
                .then("{\"content\": \"Hi, how can I help?\"}", "stop")
                .then("{\"content\": \"Bread, please.\", \"done\": false}", "stop")
                .then("{\"content\": \"Here is a recipe.\"}", "stop");
        try (GeneratorFixture f = new GeneratorFixture(provider, Map.of())) {
            f.jsonRequests.pipeInput("c2", request("c2", 2, 2));
            f.pumpOutcomes(1);
            assertThat(f.deadLetterLog).isEmpty();
            List<Messages.Message> messages =
                    Messages.parse(f.sampleLog.get(0).getFields().get("messages"));
            assertThat(messages)
                    .extracting(Messages.Message::role)
                    .containsExactly("system", "user", "assistant", "user", "assistant");
            assertThat(messages.get(4).content()).isEqualTo("Here is a recipe.");
            List<LlmRequest.Message> last = provider.requests.get(3).messages();
            assertThat(last)
                    .as("the assistant sees the conversation as chat messages")
                    .extracting(LlmRequest.Message::role)
                    .containsExactly("system", "user", "assistant", "user");
            assertThat(Messages.problem(f.sampleLog.get(0).getFields().get("messages")))
                    .isEmpty();
        }
    }

    @Test
    void eachSideHasItsOwnModelAndSystemPromptAndTheSystemMessageCanBeLeftOut() {
        ScriptedProvider provider = new ScriptedProvider();
        try (GeneratorFixture f = new GeneratorFixture(provider, Map.of())) {
            f.jsonRequests.pipeInput("c4", """
                    {"request_id": "c4", "dataset": "chats", "count": 1, "task": {"kind": "conversation"},
                     "model": {"model": "request-model", "temperature": 0.9},
                     "conversation": {"turns": 1, "system_message": false,
                       "user_system_template": "You are a curious child in {{ dataset }}.",
                       "user_model": {"provider": "simulated", "model": "user-model", "temperature": 1.2,
                                      "top_p": 0.8, "max_tokens": 64, "seed": 7, "extra": {"presence_penalty": "0.5"}},
                       "assistant_model": {"provider": "default", "model": "assistant-model", "temperature": 0.1,
                                           "top_p": 0.5, "max_tokens": 512, "seed": 8,
                                           "extra": {"frequency_penalty": "0.2"}}}}
                    """);
            f.pumpOutcomes(1);
            assertThat(f.deadLetterLog).isEmpty();
            LlmRequest user = provider.requests.get(0);
            assertThat(user.messages().get(0).content()).isEqualTo("You are a curious child in chats.");
            assertThat(List.of(user.model(), user.temperature(), user.topP(), user.maxTokens(), user.seed()))
                    .containsExactly("user-model", 1.2, 0.8, 64, 7L);
            assertThat(user.extra()).containsEntry("presence_penalty", "0.5");
            assertThat(user.provider()).isEqualTo("simulated");
            LlmRequest assistant = provider.requests.get(1);
            assertThat(List.of(
                            assistant.model(),
                            assistant.temperature(),
                            assistant.topP(),
                            assistant.maxTokens(),
                            assistant.seed()))
                    .containsExactly("assistant-model", 0.1, 0.5, 512, 8L);
            assertThat(assistant.extra()).containsEntry("frequency_penalty", "0.2");
            assertThat(assistant.provider()).isEqualTo("default");
            assertThat(Messages.parse(f.sampleLog.get(0).getFields().get("messages")))
                    .extracting(Messages.Message::role)
                    .as("system_message false: the conversation starts with the user")
                    .containsExactly("user", "assistant");
        }
    }

    @Test
    void aFailedTurnDeadLettersTheWholeConversation() {
        ScriptedProvider provider = new ScriptedProvider()
                .then("{\"content\": \"Hello!\", \"done\": false}", "stop")
                .then("not json", "stop")
                .then("still not json", "stop");
        try (GeneratorFixture f = new GeneratorFixture(provider, Map.of())) {
            f.jsonRequests.pipeInput("c3", request("c3", 2, 2));
            f.pumpOutcomes(1);
            assertThat(f.sampleLog).as("nothing half-made is emitted").isEmpty();
            assertThat(f.deadLetterLog).singleElement().satisfies(d -> {
                assertThat(d.getReason()).isEqualTo("unparseable_output");
                assertThat(d.getSamples()).isEqualTo(1);
            });
        }
    }

    @Test
    void conversationSettingsOutOfRangeAreRefusedNamingTheField() {
        try (GeneratorFixture f = new GeneratorFixture(new ScriptedProvider(), Map.of())) {
            f.jsonRequests.pipeInput("bad", """
                    {"request_id": "bad", "dataset": "chats", "count": 1,
                     "task": {"kind": "conversation", "labels": ["x"]}, "chain_of_thought": true,
                     "conversation": {"turns": 21, "min_turns": 0, "judge_turns": "first"}}
                    """);
            f.jsonRequests.pipeInput("bad2", """
                    {"request_id": "bad2", "dataset": "chats", "count": 1, "task": {"kind": "qa"},
                     "conversation": {"turns": 2}}
                    """);
            f.pumpUntil(() -> f.deadLetterLog.size() == 2);
            assertThat(f.deadLetterLog.get(0).getMessage())
                    .contains("conversation.turns must be within [1, 20], got 21")
                    .contains("conversation.min_turns must be within [1, conversation.turns = 21], got 0")
                    .contains("conversation.judge_turns 'first' is unknown")
                    .contains("task.labels cannot be set for task.kind conversation")
                    .contains("chain_of_thought cannot be used with task.kind conversation");
            assertThat(f.deadLetterLog.get(1).getMessage()).contains("conversation is set but task.kind is 'qa'");
        }
    }
}
