package io.synthstream.common.task;

import io.synthstream.avro.Attribute;
import io.synthstream.avro.AttributeValue;
import io.synthstream.avro.GenerationRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A request's attribute space as the planner samples it: its declared attributes plus, for a
 * classification request without a {@code label} attribute, an implicit one over the label set
 * (uniform). The evaluator declares the same space for coverage, balance weights and steering, so
 * steering can move the label too.
 */
public final class AttributeSpace {
    private AttributeSpace() {}

    /**
     * The attribute space: declared attributes (a dependent attribute listed only per parent
     * value shows the union of those values in {@code values}, for coverage and weights) plus
     * the implicit label.
     */
    public static List<Attribute> of(GenerationRequest request) {
        List<Attribute> attributes = new ArrayList<>();
        for (Attribute a : request.getAttributes()) {
            attributes.add(a.getValues().isEmpty() && !a.getValuesBy().isEmpty() ? withUnion(a) : a);
        }
        boolean hasLabel = attributes.stream().anyMatch(a -> a.getName().equals("label"));
        if (!hasLabel
                && TaskKinds.CLASSIFICATION.equals(request.getTask().getKind())
                && !request.getTask().getLabels().isEmpty()) {
            List<AttributeValue> values = request.getTask().getLabels().stream()
                    .map(l -> AttributeValue.newBuilder()
                            .setValue(l)
                            .setWeight(1.0)
                            .build())
                    .toList();
            attributes.add(
                    Attribute.newBuilder().setName("label").setValues(values).build());
        }
        return attributes;
    }

    private static Attribute withUnion(Attribute a) {
        Map<String, AttributeValue> union = new LinkedHashMap<>();
        a.getValuesBy().values().forEach(list -> list.forEach(v -> union.putIfAbsent(v.getValue(), v)));
        return Attribute.newBuilder(a)
                .setValues(new ArrayList<>(union.values()))
                .build();
    }

    /**
     * The space in sampling order: every attribute after the one it depends on.
     *
     * @throws IllegalArgumentException naming the attributes of a cycle or an unknown parent
     */
    public static List<Attribute> ordered(GenerationRequest request) {
        List<Attribute> space = of(request);
        Map<String, Attribute> byName = new LinkedHashMap<>();
        space.forEach(a -> byName.put(a.getName(), a));
        List<Attribute> ordered = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (Attribute a : space) {
            visit(a, byName, done, new LinkedHashSet<>(), ordered);
        }
        return ordered;
    }

    private static void visit(
            Attribute a, Map<String, Attribute> byName, Set<String> done, Set<String> path, List<Attribute> out) {
        if (done.contains(a.getName())) {
            return;
        }
        if (!path.add(a.getName())) {
            throw new IllegalArgumentException(
                    "attributes depend on each other in a cycle: " + String.join(" -> ", path) + " -> " + a.getName());
        }
        String parent = a.getDependsOn();
        if (parent != null) {
            Attribute p = byName.get(parent);
            if (p == null) {
                throw new IllegalArgumentException("attributes." + a.getName() + ".depends_on '" + parent
                        + "' is no attribute of the request; use one of " + byName.keySet());
            }
            visit(p, byName, done, path, out);
        }
        path.remove(a.getName());
        done.add(a.getName());
        out.add(a);
    }

    /** The values of {@code a} given the values chosen so far: its parent value's list, else its own. */
    public static List<AttributeValue> valuesFor(Attribute a, Map<String, String> chosen) {
        if (a.getDependsOn() != null) {
            List<AttributeValue> byParent = a.getValuesBy().get(chosen.get(a.getDependsOn()));
            if (byParent != null && !byParent.isEmpty()) {
                return byParent;
            }
        }
        return a.getValues();
    }
}
