package io.synthstream.evaluator.logic;

import io.synthstream.common.task.TaskKinds;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The judge's default rubric per task kind: what a 5 and a 1 mean for faithfulness (does the
 * sample match its label and conditions, is it coherent and correct, is the format right). A
 * request's {@code evaluation.judge_rubric} replaces it; the version recorded with each score is
 * the default's name or a hash of the custom text.
 */
public final class Rubrics {
    /** Bumped whenever a default rubric's text changes. */
    public static final String DEFAULT_VERSION = "v2";

    private static final String SCALE = """
            Score from 1 to 5:
            5 = fully faithful: every requirement below is met, no errors;
            4 = faithful with a minor flaw (awkward wording, a small formatting slip);
            3 = partly faithful: one requirement is clearly missed or a factual error;
            2 = mostly unfaithful: several requirements missed, or incoherent in places;
            1 = unusable: wrong task, refusal, gibberish, or empty.
            """;

    private static final Map<String, String> DEFAULTS = Map.of(
            TaskKinds.CLASSIFICATION,
            """
            The sample is a text written for a classification dataset.
            - The text clearly expresses one of the allowed labels (which one, and whether it is the
              sample's, is answered separately in "label"; do not lower the score for it).
            - The text reflects every condition (attribute value) it was written for.
            - The text is fluent, coherent and self-contained, and does not mention the label by name
              unless natural.
            """,
            TaskKinds.INSTRUCTION,
            """
            The sample is an instruction-following example (instruction, optional input, output).
            - The instruction is clear and answerable; it reflects the conditions it was written for.
            - The output fully and correctly follows the instruction, without padding or refusals.
            - Output and instruction are coherent together; the format asked for is respected.
            """,
            TaskKinds.QA,
            """
            The sample is a question-answer pair.
            - The question is clear and reflects the conditions it was written for.
            - The answer is correct and answers exactly the question; when a context is given, the
              answer is supported by that context alone.
            - Any reasoning is consistent with the answer.
            """,
            TaskKinds.CONVERSATION,
            """
            The sample is a multi-turn conversation between a user and an AI assistant.
            - Every assistant reply is helpful, correct and answers the user's latest message in the
              context of the whole conversation (it remembers what was said before).
            - The user's messages read as a real person's: coherent, on the topic and conditions the
              conversation was written for, each building on the previous reply.
            - The conversation is coherent, free of refusals and repetition, and ends naturally.
            """,
            TaskKinds.PREFERENCE,
            """
            The sample is a preference pair for preference tuning: a prompt, a chosen and a rejected
            response.
            - The prompt is a clear, realistic request that reflects the conditions it was written for.
            - The chosen response answers the prompt well: helpful, correct and complete.
            - The chosen response is clearly better than the rejected one (the pair teaches something).
            """);

    private static final String GENERIC = """
            The sample is a structured record written for a synthetic dataset.
            - Every field holds what its name and the task description ask for.
            - The record reflects every condition (attribute value) it was written for.
            - It is fluent, coherent and correct.
            """;

    /** Added to the default rubric of a seeded sample: is it supported by, and faithful to, its seed. */
    static final String GROUNDED = """
            The sample was written from the seed record shown as "Seed" (a source passage or an
            original record):
            - Every fact the sample states is supported by the seed; nothing contradicts it, nothing
              is invented (an answer must be answerable from the passage alone).
            - A rewrite keeps the seed's meaning, and a label kept from the seed still fits the text.
            - The sample is not a copy of the seed.
            """;

    private Rubrics() {}

    /** The rubric text for a request: its own, else its kind's default. */
    public static String rubric(String kind, String custom) {
        return rubric(kind, custom, false);
    }

    /**
     * @param grounded whether the sample has a seed: the default rubric gains the groundedness
     *     requirements (a custom rubric is used as written)
     */
    public static String rubric(String kind, String custom, boolean grounded) {
        boolean own = custom != null && !custom.isBlank();
        String body = own ? custom.strip() + "\n" : DEFAULTS.getOrDefault(kind, GENERIC);
        return body + (grounded && !own ? GROUNDED : "") + SCALE;
    }

    /** {@link #version(String, String)}, with {@code -grounded} for the grounded default. */
    public static String version(String kind, String custom, boolean grounded) {
        String version = version(kind, custom);
        return grounded && (custom == null || custom.isBlank())
                ? version.replace("-" + DEFAULT_VERSION, "-grounded-" + DEFAULT_VERSION)
                : version;
    }

    /** The version recorded with a score: {@code default-<kind>-v1} or {@code custom-<sha256 prefix>}. */
    public static String version(String kind, String custom) {
        if (custom == null || custom.isBlank()) {
            return "default-" + (DEFAULTS.containsKey(kind) ? kind : "generic") + "-" + DEFAULT_VERSION;
        }
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256").digest(custom.strip().getBytes(StandardCharsets.UTF_8));
            return "custom-" + HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
