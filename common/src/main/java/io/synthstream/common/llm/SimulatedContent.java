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
 * refusals and malformed JSON, so the curator and the repair path see them too; and mislabelled
 * samples (text in the tone of another label, labelled with the wanted one) and low-quality ones
 * (word salad that ignores its label and conditions), so the quality gate does. A judge call is
 * answered by {@link SimulatedJudge}, which reads the text only.
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

    /**
     * Hint: the seed text a seeded sample is grounded in; questions ask about it and other text
     * fields answer from one of its sentences.
     */
    public static final String SEED_HINT = "seed";

    /** What {@link #planted} names: text in another label's tone, and word salad. */
    public static final String MISLABELLED = "mislabelled";

    public static final String LOW_QUALITY = "low_quality";

    /** What a refusal says; the curator's refusal filter catches it. */
    public static final String REFUSAL = "I'm sorry, but as an AI language model I cannot help with that request.";

    /**
     * Fault rates of the content (each a probability in [0, 1]).
     *
     * @param duplicate an exact copy of another reply with the same hints
     * @param nearDuplicate such a copy with one word changed
     * @param refusal every text field holds a refusal
     * @param malformed the reply is cut-off JSON
     * @param mislabel the text is written in the tone of another label than the one the reply carries
     * @param lowQuality the text is word salad: no tone, no conditions, repeated words
     */
    public record Rates(
            double duplicate,
            double nearDuplicate,
            double refusal,
            double malformed,
            double mislabel,
            double lowQuality) {
        public static final Rates NONE = new Rates(0, 0, 0, 0, 0, 0);
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

    /**
     * The share of the items of a list of objects that are one of {@link #FAVOURITE_ITEMS} items
     * the simulator comes back to across calls, as a model repeats itself: Self-Instruct's novelty
     * filter then rejects more of a round's instructions as its pool grows.
     */
    static final double REPEATED_ITEM = 0.25;

    static final int FAVOURITE_ITEMS = 64;

    private SimulatedContent() {}

    private static JsonNode object(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the simulator wrote invalid JSON: " + json, e);
        }
    }

    /**
     * A reply to a call whose expected object is described by {@code schema} (JSON schema with
     * {@code properties}); without a schema, a single {@code text} field. A judge call ({@link
     * SimulatedJudge#isJudgeCall}) gets a verdict on the sample in {@code prompt}.
     *
     * @param prompt the last user message, or null
     */
    public static String reply(String prompt, ObjectNode schema, Map<String, String> hints, long seed, Rates rates) {
        if (prompt != null && SimulatedJudge.isJudgeCall(schema)) {
            return SimulatedJudge.verdict(prompt, schema, seed);
        }
        return reply(schema, hints, seed, rates);
    }

    /**
     * What the simulator plants in the reply to the call named {@code sampleHint} ({@value
     * #MISLABELLED}, {@value #LOW_QUALITY}, or null): decided by the hint alone, so a harness can
     * know the truth for a sample id without the reply carrying any mark of it.
     *
     * @param labelled whether the call wants a label (only such a reply can be mislabelled)
     */
    public static String planted(String sampleHint, Rates rates, boolean labelled) {
        if (sampleHint == null) {
            return null;
        }
        double roll = new SplittableRandom(Mix.mix(sampleHint.hashCode() * 0x9E3779B97F4A7C15L + 0x51L)).nextDouble();
        if (roll < rates.mislabel()) {
            return labelled ? MISLABELLED : null;
        }
        return roll < rates.mislabel() + rates.lowQuality() ? LOW_QUALITY : null;
    }

    /** A generation reply (see {@link #reply(String, ObjectNode, Map, long, Rates)}). */
    public static String reply(ObjectNode schema, Map<String, String> hints, long seed, Rates rates) {
        SplittableRandom fate = new SplittableRandom(Mix.mix(seed ^ 0x5DEECE66DL));
        double roll = fate.nextDouble();
        boolean malformed = roll < rates.malformed();
        boolean refusal = !malformed && roll < rates.malformed() + rates.refusal();
        String wanted = hints.get(LABEL_HINT);
        String plant = planted(hints.get(SAMPLE_HINT), rates, wanted != null);
        String toneOf = MISLABELLED.equals(plant) ? otherLabel(schema, wanted, fate) : wanted;
        boolean lowQuality = LOW_QUALITY.equals(plant);
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
        String label = wanted;
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
                JsonNode items = spec.path("items");
                if ("object".equals(items.path("type").asText()) && items.has("properties")) {
                    // a list of objects (Self-Instruct's new instructions): each filled like a reply
                    int n = spec.path("minItems").asInt(random.nextInt(2, 5));
                    for (int i = 0; i < n; i++) {
                        long itemSeed = random.nextDouble() < REPEATED_ITEM
                                ? Math.floorMod(random.nextLong(), FAVOURITE_ITEMS)
                                : random.nextLong();
                        array.add(object(reply((ObjectNode) items, Map.of(), itemSeed, Rates.NONE)));
                    }
                } else if (spec.has("minItems")) {
                    // a list of a given length (a design call for attribute values): distinct phrases
                    int n = spec.path("minItems").asInt();
                    java.util.Set<String> phrases = new java.util.LinkedHashSet<>();
                    while (phrases.size() < n && phrases.size() < ADJECTIVES.length * OBJECTS.length) {
                        phrases.add(pick(random, ADJECTIVES) + " " + pick(random, OBJECTS));
                    }
                    phrases.forEach(array::add);
                } else {
                    int n = random.nextInt(2, 5);
                    for (int i = 0; i < n; i++) {
                        array.add(pick(random, OBJECTS));
                    }
                }
            } else {
                String text = refusal
                        ? REFUSAL
                        : lowQuality ? wordSalad(random) : text(field.getKey(), hints, toneOf, random);
                if (near) {
                    text = text.replaceFirst("\\b(the|a|my|our)\\b", "this");
                }
                reply.put(field.getKey(), text);
            }
        }
        String json = reply.toString();
        return malformed ? json.substring(0, Math.max(1, json.length() / 2)) : json;
    }

    /**
     * A text grounded in {@code seed}: a question about one of its sentences, or an answer that
     * restates it (the sentence is drawn per call, so an answer is supported by the passage but
     * need not answer the question of an earlier step).
     */
    private static String grounded(String seed, boolean question, SplittableRandom random) {
        String[] sentences = seed.strip().split("(?<=[.!?])\\s+");
        String sentence = sentences[random.nextInt(sentences.length)].strip();
        String[] words = sentence.split("\\s+");
        String topic = words.length == 0 ? "it" : longest(words);
        if (question) {
            return "According to the passage, what is said about " + topic + "?";
        }
        String body = sentence.length() > 300 ? sentence.substring(0, 300) : sentence;
        return "The passage states that " + Character.toLowerCase(body.charAt(0)) + body.substring(1);
    }

    private static String longest(String[] words) {
        String best = words[0];
        for (String w : words) {
            String clean = w.replaceAll("[^\\p{L}\\p{N}-]", "");
            if (clean.length() > best.length()) {
                best = clean;
            }
        }
        return best.replaceAll("[^\\p{L}\\p{N}-]", "");
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
        String seed = hints.get(SEED_HINT);
        if (seed != null && !seed.isBlank()) {
            return grounded(seed, question, random);
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

    /** Another label than {@code wanted}: from the schema's label enum, else from the simulator's tones. */
    private static String otherLabel(ObjectNode schema, String wanted, SplittableRandom random) {
        List<String> others = new ArrayList<>();
        if (schema != null) {
            schema.path("properties").forEach(spec -> {
                List<String> values = new ArrayList<>();
                spec.path("enum").forEach(v -> values.add(v.asText()));
                if (values.contains(wanted)) {
                    values.stream().filter(v -> !v.equals(wanted)).forEach(others::add);
                }
            });
        }
        if (others.isEmpty()) {
            TONE.keySet().stream()
                    .filter(t -> !t.equalsIgnoreCase(wanted))
                    .sorted()
                    .forEach(others::add);
        }
        return others.get(random.nextInt(others.size()));
    }

    /** Words from the vocabulary in no order, one said twice, no capital and no full stop. */
    private static String wordSalad(SplittableRandom random) {
        List<String> words = new ArrayList<>();
        int n = random.nextInt(9, 15);
        for (int i = 0; i < n; i++) {
            String[] pool = switch (random.nextInt(4)) {
                case 0 -> ADJECTIVES;
                case 1 -> VERBS;
                case 2 -> OBJECTS;
                default -> SUBJECTS;
            };
            words.add(pick(random, pool));
        }
        int twice = random.nextInt(words.size());
        words.add(twice, words.get(twice));
        return String.join(" ", words).toLowerCase(Locale.ROOT);
    }

    /**
     * How many of the simulator's tone sentences for {@code label} the (lower-cased) text holds;
     * the judge's reading of tone. A label without a tone is recognised by the sentence the
     * simulator writes for it.
     */
    static int toneEvidence(String lowerText, String label) {
        String[] tone = TONE.get(label.toLowerCase(Locale.ROOT));
        if (tone == null) {
            return lowerText.contains(("Clearly a matter of " + label + ".").toLowerCase(Locale.ROOT)) ? 1 : 0;
        }
        int found = 0;
        for (String sentence : tone) {
            if (lowerText.contains(sentence.toLowerCase(Locale.ROOT))) {
                found++;
            }
        }
        return found;
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
