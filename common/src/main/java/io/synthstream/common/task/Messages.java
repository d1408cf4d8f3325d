package io.synthstream.common.task;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A conversation as one field ({@link TaskKinds#MESSAGES}): the OpenAI chat format, a JSON array of
 * {@code {"role": "system"|"user"|"assistant", "content": "..."}} objects, as chat fine-tuning
 * (SFT) trainers read it. Written by the generator's conversation recipe, checked by the curator,
 * read by the evaluator's judge and by export.
 */
public final class Messages {
    public static final String SYSTEM = "system";
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";

    private static final Set<String> ROLES = Set.of(SYSTEM, USER, ASSISTANT);
    private static final ObjectMapper JSON = new ObjectMapper();

    private Messages() {}

    /** One message of a conversation. */
    public record Message(String role, String content) {}

    /** The field value of {@code messages}. */
    public static String json(List<Message> messages) {
        ArrayNode array = JSON.createArrayNode();
        for (Message m : messages) {
            array.addObject().put("role", m.role()).put("content", m.content());
        }
        return array.toString();
    }

    /**
     * The messages of a field value.
     *
     * @throws IllegalArgumentException naming what is wrong when the value is not a conversation
     */
    public static List<Message> parse(String value) {
        JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("is not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException("is not a JSON array of messages");
        }
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode m = node.get(i);
            String role = m.path("role").asText("");
            if (!m.isObject() || !ROLES.contains(role) || !m.path("content").isTextual()) {
                throw new IllegalArgumentException(
                        "message " + i + " is not {\"role\": system|user|assistant, \"content\": string}");
            }
            messages.add(new Message(role, m.path("content").asText()));
        }
        return messages;
    }

    /**
     * What is wrong with a field value as a conversation, if anything: it must parse, have at least
     * one user and one assistant turn after an optional leading system message, alternate user and
     * assistant starting with the user, end with the assistant, and have no blank turn.
     */
    public static Optional<String> problem(String value) {
        List<Message> messages;
        try {
            messages = parse(value);
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
        List<Message> turns = dialogueOf(messages);
        if (turns.size() < messages.size() - 1
                || (turns.size() == messages.size() - 1
                        && !SYSTEM.equals(messages.get(0).role()))) {
            return Optional.of("has a system message that is not the first");
        }
        if (turns.size() < 2) {
            return Optional.of("has no user and assistant turn");
        }
        for (int i = 0; i < turns.size(); i++) {
            String expected = i % 2 == 0 ? USER : ASSISTANT;
            if (!expected.equals(turns.get(i).role())) {
                return Optional.of("turn " + (i + 1) + " is " + turns.get(i).role() + ", expected " + expected
                        + " (user and assistant alternate, the user first)");
            }
            if (turns.get(i).content().isBlank()) {
                return Optional.of("turn " + (i + 1) + " (" + expected + ") is blank");
            }
        }
        if (!ASSISTANT.equals(turns.get(turns.size() - 1).role())) {
            return Optional.of("ends with a user turn; a conversation ends with the assistant's reply");
        }
        return Optional.empty();
    }

    /**
     * The user and assistant turns' text, one per line: what heuristics, dedup and similarity read;
     * a value that does not parse is returned as it is.
     */
    public static String dialogue(String value) {
        try {
            return dialogueOf(parse(value)).stream().map(Message::content).collect(Collectors.joining("\n"));
        } catch (IllegalArgumentException e) {
            return value;
        }
    }

    /** A readable transcript: one {@code [role] content} paragraph per message. */
    public static String transcript(List<Message> messages) {
        return messages.stream().map(m -> "[" + m.role() + "] " + m.content()).collect(Collectors.joining("\n\n"));
    }

    private static List<Message> dialogueOf(List<Message> messages) {
        return messages.stream().filter(m -> !SYSTEM.equals(m.role())).toList();
    }
}
