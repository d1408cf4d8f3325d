package io.synthstream.common.task;

import io.synthstream.avro.Attribute;
import io.synthstream.avro.AttributeValue;
import io.synthstream.avro.GenerationRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * A request's attribute space as the planner samples it: its declared attributes plus, for a
 * classification request without a {@code label} attribute, an implicit one over the label set
 * (uniform). The evaluator declares the same space for coverage, balance weights and steering, so
 * steering can move the label too.
 */
public final class AttributeSpace {
    private AttributeSpace() {}

    public static List<Attribute> of(GenerationRequest request) {
        List<Attribute> attributes = new ArrayList<>(request.getAttributes());
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
}
