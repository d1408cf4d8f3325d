package io.synthstream.generator.logic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.synthstream.avro.Attribute;
import io.synthstream.avro.AttributeValue;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.ModelParams;
import io.synthstream.common.json.ReplyJson;
import io.synthstream.common.llm.LlmProvider;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.common.llm.SimulatedContent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Attribute values proposed by the model (AttrPrompt, Yu et al. 2023): an attribute with {@code
 * propose: N} and no values gets N values from one design call; a dependent one gets N per value
 * of its parent (class-specific subtopics per label), once the parent's values are known. The
 * values are written into the accepted spec, so planning never asks again and a replay plans the
 * same tuples. Pure decisions; the ingest processor makes the calls through the LLM runtime.
 */
public final class AttributeProposals {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final char SEPARATOR = '\u0000';

    private AttributeProposals() {}

    /** One design call: the attribute, and the parent value it is for (null for an independent one). */
    public record Ask(String attribute, String parentValue) {}

    /** A reply that gives no usable values; the message quotes an excerpt of it. */
    public static final class UnusableProposal extends Exception {
        private static final long serialVersionUID = 1L;

        public UnusableProposal(String message) {
            super(message);
        }
    }

    /** Whether some attribute of the request still waits for proposed values. */
    public static boolean needed(GenerationRequest request) {
        return request.getAttributes().stream().anyMatch(a -> a.getPropose() != null && a.getProposedBy() == null);
    }

    /** The calls that can be made now: every missing value list whose parent's values are known. */
    public static List<Ask> pending(GenerationRequest request) {
        Map<String, Attribute> byName = new LinkedHashMap<>();
        io.synthstream.common.task.AttributeSpace.of(request).forEach(a -> byName.put(a.getName(), a));
        List<Ask> asks = new ArrayList<>();
        for (Attribute a : request.getAttributes()) {
            if (a.getPropose() == null || a.getProposedBy() != null) {
                continue;
            }
            if (a.getDependsOn() == null) {
                asks.add(new Ask(a.getName(), null));
                continue;
            }
            Attribute parent = byName.get(a.getDependsOn());
            if (parent == null || (parent.getPropose() != null && parent.getProposedBy() == null)) {
                continue; // the parent's values come first
            }
            for (AttributeValue v : parent.getValues()) {
                if (!a.getValuesBy().containsKey(v.getValue())) {
                    asks.add(new Ask(a.getName(), v.getValue()));
                }
            }
        }
        return asks;
    }

    /** The runtime call id of {@code ask}: unique per request, attribute and parent value. */
    public static String callId(String requestId, Ask ask) {
        return requestId
                + SEPARATOR
                + ask.attribute()
                + SEPARATOR
                + (ask.parentValue() == null ? "" : ask.parentValue());
    }

    /** The request id and ask of a call id made by {@link #callId}. */
    public static Map.Entry<String, Ask> parseCallId(String callId) {
        String[] parts = callId.split(String.valueOf(SEPARATOR), -1);
        return Map.entry(parts[0], new Ask(parts[1], parts[2].isEmpty() ? null : parts[2]));
    }

    /** The design call for {@code ask}, with the request's model and a schema of exactly N strings. */
    public static LlmRequest call(GenerationRequest request, Ask ask, LlmProvider providers) {
        Attribute a = attribute(request, ask.attribute());
        int n = a.getPropose();
        String task = request.getTask().getDescription() != null
                ? request.getTask().getDescription()
                : request.getTask().getKind() + " data";
        StringBuilder user = new StringBuilder()
                .append("We are generating a synthetic dataset '")
                .append(request.getDataset())
                .append("': ")
                .append(task)
                .append(".\nPropose ")
                .append(n)
                .append(" distinct, specific values for the attribute '")
                .append(a.getName())
                .append("'");
        if (a.getDescription() != null) {
            user.append(" (").append(a.getDescription()).append(")");
        }
        if (ask.parentValue() != null) {
            user.append(" for samples whose ")
                    .append(a.getDependsOn())
                    .append(" is '")
                    .append(ask.parentValue())
                    .append("'");
        }
        user.append(". Together the values should cover the attribute's range well for training data; each value"
                + " is a short phrase (one to five words), and no two mean the same.\n\nReply with only a JSON"
                + " object: {\"values\": [");
        user.append(n).append(" strings]}");
        ObjectNode schema = JSON.createObjectNode().put("type", "object");
        ObjectNode values = schema.putObject("properties").putObject("values");
        values.put("type", "array")
                .put("minItems", n)
                .put("maxItems", n)
                .putObject("items")
                .put("type", "string");
        schema.putArray("required").add("values");
        schema.put("additionalProperties", false);
        ModelParams params = request.getModel();
        Map<String, String> hints = new LinkedHashMap<>();
        hints.put(SimulatedContent.SAMPLE_HINT, callId(request.getRequestId(), ask));
        hints.put(
                SimulatedContent.ATTRIBUTE_HINT_PREFIX + a.getName(),
                ask.parentValue() == null ? "" : ask.parentValue());
        return new LlmRequest(
                params.getModel(),
                List.of(
                        LlmRequest.Message.system(
                                "You design the attribute space of a synthetic dataset: dimensions and their values."),
                        LlmRequest.Message.user(user.toString())),
                params.getTemperature() == null ? 0.7 : params.getTemperature(),
                params.getTopP(),
                Math.max(256, 24 * n),
                params.getSeed(),
                providers.select(params.getProvider()).structuredOutput(),
                schema,
                hints,
                params.getExtra(),
                params.getProvider());
    }

    /**
     * The values of a reply: at least two distinct non-blank strings, at most the number asked
     * (extra ones are dropped).
     *
     * @throws UnusableProposal quoting an excerpt of the reply
     */
    public static List<String> values(String reply, int wanted) throws UnusableProposal {
        JsonNode node;
        try {
            node = ReplyJson.extract(reply);
        } catch (ReplyJson.NoJsonObjectException e) {
            throw new UnusableProposal("the reply holds no JSON object: " + excerpt(reply));
        }
        JsonNode array = node.path("values");
        if (!array.isArray()) {
            throw new UnusableProposal("the reply has no \"values\" array: " + excerpt(reply));
        }
        Set<String> seen = new LinkedHashSet<>();
        List<String> values = new ArrayList<>();
        for (JsonNode v : array) {
            String text = v.isTextual() ? v.asText().strip() : v.isValueNode() ? v.asText() : "";
            if (!text.isBlank()
                    && text.length() <= 200
                    && seen.add(text.toLowerCase(Locale.ROOT))
                    && values.size() < wanted) {
                values.add(text);
            }
        }
        if (values.size() < 2) {
            throw new UnusableProposal(
                    "the reply gives " + values.size() + " usable distinct values (2 at least): " + excerpt(reply));
        }
        return values;
    }

    /** {@code request} with {@code values} filled in for {@code ask}, proposed by {@code model}. */
    public static GenerationRequest fill(GenerationRequest request, Ask ask, List<String> values, String model) {
        GenerationRequest copy = GenerationRequest.newBuilder(request).build();
        List<Attribute> attributes = new ArrayList<>();
        for (Attribute a : copy.getAttributes()) {
            if (!a.getName().equals(ask.attribute())) {
                attributes.add(a);
                continue;
            }
            Attribute.Builder filled = Attribute.newBuilder(a);
            List<AttributeValue> list = values.stream()
                    .map(v -> AttributeValue.newBuilder().setValue(v).build())
                    .toList();
            if (ask.parentValue() == null) {
                filled.setValues(new ArrayList<>(list));
                filled.setProposedBy(model);
            } else {
                Map<String, List<AttributeValue>> byParent = new LinkedHashMap<>(a.getValuesBy());
                byParent.put(ask.parentValue(), new ArrayList<>(list));
                filled.setValuesBy(byParent);
            }
            attributes.add(filled.build());
        }
        copy.setAttributes(attributes);
        // a dependent attribute is done once every parent value has its list
        List<Attribute> done = new ArrayList<>();
        for (Attribute a : copy.getAttributes()) {
            boolean complete = a.getPropose() != null
                    && a.getProposedBy() == null
                    && a.getDependsOn() != null
                    && pending(copy).stream().noneMatch(p -> p.attribute().equals(a.getName()))
                    && !a.getValuesBy().isEmpty();
            done.add(complete ? Attribute.newBuilder(a).setProposedBy(model).build() : a);
        }
        copy.setAttributes(done);
        return copy;
    }

    private static Attribute attribute(GenerationRequest request, String name) {
        return request.getAttributes().stream()
                .filter(a -> a.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no attribute " + name));
    }

    static String excerpt(String reply) {
        if (reply == null) {
            return "(empty)";
        }
        String flat = reply.replaceAll("\\s+", " ").strip();
        return "\"" + (flat.length() > 200 ? flat.substring(0, 200) + "…" : flat) + "\"";
    }
}
