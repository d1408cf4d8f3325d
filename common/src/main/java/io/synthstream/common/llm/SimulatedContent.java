package io.synthstream.common.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The text of the built-in simulator (long because it writes plausible fields for every task kind
 * in one place): replies that fill the fields of a JSON schema, honour the
 * wanted label and attribute values from the call's hints, and vary enough (a few hundred words
 * combined into sentences) that deduplication and diversity metrics have real work. Deterministic
 * for the same seed. Configured rates plant exact duplicates, near duplicates (one word changed),
 * refusals and malformed JSON, so the curator and the repair path see them too.
 *
 * <p>Used by {@link SimulatedProvider} and by the fake OpenAI-compatible server; it is a load and
 * demo generator, not a language model.
 */
public final class SimulatedContent {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Hint keys: {@code label} and {@code attr.<name>}. */
    public static final String LABEL_HINT = "label";

    public static final String ATTRIBUTE_HINT_PREFIX = "attr.";

    /** Hint key naming the sample (and step) a call is for: replies to identical prompts still differ. */
    public static final String SAMPLE_HINT = "sample";

    /** What a refusal says; the curator's refusal filter catches it. */
    public static final String REFUSAL = "I'm sorry, but as an AI language model I cannot help with that request.";

    /**
     * Fault rates of the content (each a probability in [0, 1]).
     *
     * @param duplicate an exact copy of another reply with the same hints
     * @param nearDuplicate such a copy with one word changed
     * @param refusal every text field holds a refusal
     * @param malformed the reply is cut-off JSON
     */
    public record Rates(double duplicate, double nearDuplicate, double refusal, double malformed) {
        public static final Rates NONE = new Rates(0, 0, 0, 0);
    }

    private static final String[] ADJECTIVES = {
        "quiet",
        "bright",
        "crowded",
        "narrow",
        "ancient",
        "modern",
        "busy",
        "remote",
        "cozy",
        "vast",
        "tiny",
        "colorful",
        "rusty",
        "elegant",
        "noisy",
        "fragrant",
        "hidden",
        "famous",
        "humble",
        "curious",
        "sleepy",
        "windy",
        "sunlit",
        "frozen",
        "golden",
        "wooden",
        "digital",
        "rural",
        "coastal",
        "urban",
        "seasonal",
        "local"
    };
    private static final String[] SUBJECTS = {
        "the baker", "my neighbour", "the new manager", "a young engineer", "the delivery driver", "our teacher",
        "the tour guide", "a retired pilot", "the night nurse", "the shop owner", "my sister", "the chef",
        "a street musician", "the librarian", "the support agent", "an old friend", "the gardener", "the coach",
        "the landlord", "a software tester", "the museum curator", "the bus driver", "the pharmacist", "my cousin",
        "the waiter", "a data analyst", "the mechanic", "the receptionist", "the farmer", "the photographer"
    };
    private static final String[] VERBS = {
        "fixed",
        "described",
        "recommended",
        "delivered",
        "explained",
        "organised",
        "repaired",
        "painted",
        "reviewed",
        "cooked",
        "measured",
        "planned",
        "rebuilt",
        "photographed",
        "translated",
        "installed",
        "tested",
        "cleaned",
        "booked",
        "sketched",
        "compared",
        "answered",
        "returned",
        "updated",
        "shared"
    };
    private static final String[] OBJECTS = {
        "bicycle",
        "kitchen table",
        "train schedule",
        "garden fence",
        "laptop",
        "wedding cake",
        "spreadsheet",
        "roof",
        "concert tickets",
        "recipe",
        "heating system",
        "camera",
        "map of the city",
        "contract",
        "bookshelf",
        "phone plan",
        "science project",
        "boat",
        "playlist",
        "budget",
        "website",
        "lamp",
        "insurance claim",
        "hiking route",
        "vegetable patch",
        "invoice",
        "piano",
        "apartment",
        "suitcase"
    };
    private static final String[] PLACES = {
        "near the harbour", "before sunrise", "after the storm", "during the holidays", "in the old town",
        "on a rainy Tuesday", "at the market", "behind the station", "in under an hour", "without any help",
        "for the second time", "next to the river", "at the last minute", "over the weekend", "in the basement",
        "during lunch", "on the top floor", "with great care", "in front of everyone", "across the street"
    };
    private static final Map<String, String[]> TONE = Map.of(
            "positive",
            new String[] {
                "It was wonderful.", "I loved every minute of it.", "Absolutely delightful service.",
                "Highly recommended.", "It exceeded my expectations.", "What a pleasant surprise."
            },
            "negative",
            new String[] {
                "It was a disappointment.", "I regret the whole thing.", "Terrible experience overall.",
                "I would not recommend it.", "It fell far short of expectations.", "What a waste of time."
            },
            "neutral",
            new String[] {
                "It was fine, nothing special.", "It worked as described.", "An ordinary experience.",
                "Nothing to add either way.", "It met the basic requirements.", "Average, as expected."
            });

    private SimulatedContent() {}

    /**
     * A reply to a call whose expected object is described by {@code schema} (JSON schema with
     * {@code properties}); without a schema, a single {@code text} field.
     */
    public static String reply(ObjectNode schema, Map<String, String> hints, long seed, Rates rates) {
        SplittableRandom fate = new SplittableRandom(Mix.mix(seed ^ 0x5DEECE66DL));
        double roll = fate.nextDouble();
        boolean malformed = roll < rates.malformed();
        boolean refusal = !malformed && roll < rates.malformed() + rates.refusal();
        double copyRoll = fate.nextDouble();
        long textSeed = seed;
        boolean near = false;
        if (copyRoll < rates.duplicate() + rates.nearDuplicate()) {
            // A small pool of seeds per hint combination: replies with the same hints collide.
            TreeMap<String, String> conditions = new TreeMap<>(hints);
            conditions.remove(SAMPLE_HINT);
            textSeed = conditions.hashCode() * 31L + Math.floorMod(seed, 3);
            near = copyRoll >= rates.duplicate();
        }
        ObjectNode reply = JSON.createObjectNode();
        SplittableRandom random = new SplittableRandom(Mix.mix(textSeed));
        Iterator<Map.Entry<String, JsonNode>> fields = schema == null
                ? List.<Map.Entry<String, JsonNode>>of(
                                Map.entry("text", JSON.createObjectNode().put("type", "string")))
                        .iterator()
                : schema.path("properties").fields();
        String label = hints.get(LABEL_HINT);
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode spec = field.getValue();
            String type = spec.path("type").asText("string");
            if (spec.has("enum")) {
                List<String> allowed = new ArrayList<>();
                spec.path("enum").forEach(v -> allowed.add(v.asText()));
                String chosen = label != null && allowed.contains(label)
                        ? label
                        : allowed.isEmpty() ? "" : allowed.get(random.nextInt(allowed.size()));
                reply.put(field.getKey(), chosen);
            } else if ("integer".equals(type)) {
                int min = spec.path("minimum").asInt(1);
                int max = spec.path("maximum").asInt(99);
                reply.put(field.getKey(), random.nextInt(min, Math.max(min, max) + 1));
            } else if ("number".equals(type)) {
                reply.put(field.getKey(), Math.round(random.nextDouble() * 1000) / 10.0);
            } else if ("boolean".equals(type)) {
                reply.put(field.getKey(), random.nextBoolean());
            } else if ("array".equals(type)) {
                var array = reply.putArray(field.getKey());
                int n = random.nextInt(2, 5);
                for (int i = 0; i < n; i++) {
                    array.add(pick(random, OBJECTS));
                }
            } else {
                String text = refusal ? REFUSAL : text(field.getKey(), hints, label, random);
                if (near) {
                    text = text.replaceFirst("\\b(the|a|my|our)\\b", "this");
                }
                reply.put(field.getKey(), text);
            }
        }
        String json = reply.toString();
        return malformed ? json.substring(0, Math.max(1, json.length() / 2)) : json;
    }

    private static String text(String field, Map<String, String> hints, String label, SplittableRandom random) {
        StringBuilder text = new StringBuilder();
        List<String> attributes = new ArrayList<>();
        hints.forEach((key, value) -> {
            if (key.startsWith(ATTRIBUTE_HINT_PREFIX) && !key.equals(ATTRIBUTE_HINT_PREFIX + LABEL_HINT)) {
                attributes.add(value);
            }
        });
        attributes.sort(null);
        String name = field.toLowerCase(Locale.ROOT);
        boolean question = name.contains("question") || name.contains("instruction") || name.contains("prompt");
        if (name.contains("rationale") || name.contains("reasoning")) {
            text.append("First, consider ").append(pick(random, SUBJECTS)).append(" and the ");
            text.append(pick(random, OBJECTS))
                    .append(". Then weigh what happened ")
                    .append(pick(random, PLACES));
            text.append(". Therefore the answer follows.");
            return text.toString();
        }
        if (question) {
            text.append(random.nextBoolean() ? "Explain how " : "Describe why ");
            text.append(pick(random, SUBJECTS))
                    .append(' ')
                    .append(pick(random, VERBS))
                    .append(" the ");
            text.append(pick(random, ADJECTIVES))
                    .append(' ')
                    .append(pick(random, OBJECTS))
                    .append(' ');
            text.append(pick(random, PLACES));
            if (!attributes.isEmpty()) {
                text.append(", with a focus on ").append(String.join(" and ", attributes));
            }
            return text.append('?').toString();
        }
        int sentences = random.nextInt(2, 4);
        for (int i = 0; i < sentences; i++) {
            String subject = pick(random, SUBJECTS);
            text.append(Character.toUpperCase(subject.charAt(0))).append(subject.substring(1));
            text.append(' ').append(pick(random, VERBS)).append(" the ").append(pick(random, ADJECTIVES));
            text.append(' ')
                    .append(pick(random, OBJECTS))
                    .append(' ')
                    .append(pick(random, PLACES))
                    .append(". ");
        }
        if (!attributes.isEmpty()) {
            text.append("It was all about ")
                    .append(String.join(" and ", attributes))
                    .append(". ");
        }
        String[] tone = label == null ? null : TONE.get(label.toLowerCase(Locale.ROOT));
        if (tone != null) {
            text.append(pick(random, tone));
        } else if (label != null) {
            text.append("Clearly a matter of ").append(label).append('.');
        }
        return text.toString().trim();
    }

    private static String pick(SplittableRandom random, String[] words) {
        return words[random.nextInt(words.length)];
    }

    /** A 64-bit finaliser (SplitMix64) so that nearby seeds give unrelated streams. */
    static final class Mix {
        private Mix() {}

        static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            return z ^ (z >>> 31);
        }
    }
}
