package io.synthstream.evaluator.topology;

import io.synthstream.avro.Attribute;
import io.synthstream.avro.AttributeValue;
import io.synthstream.avro.EvaluationSettings;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Rejection;
import io.synthstream.avro.RejectionReason;
import io.synthstream.avro.Sample;
import io.synthstream.schemas.TestRecords;
import java.util.List;
import java.util.Map;

/** Specs, samples and rejections for the evaluator's tests. */
final class Samples {
    private Samples() {}

    /** A classification spec over topic {books, phones, garden} with the given count. */
    static GenerationRequest spec(String requestId, int count) {
        GenerationRequest spec = TestRecords.request(requestId);
        spec.setCount(count);
        spec.setConditions(null);
        spec.setSamplingMode("weighted");
        spec.setAttributes(List.of(Attribute.newBuilder()
                .setName("topic")
                .setValues(List.of(
                        new AttributeValue("books", 1.0),
                        new AttributeValue("phones", 1.0),
                        new AttributeValue("garden", 1.0)))
                .build()));
        spec.setEvaluation(EvaluationSettings.newBuilder().build());
        return spec;
    }

    static Sample sample(String requestId, String id, String topic, String label, String text) {
        Sample s = TestRecords.sample(id);
        s.setRequestId(requestId);
        s.setAttributes(Map.of("topic", topic));
        s.setFields(Map.of("text", text, "label", label));
        return s;
    }

    static Rejection rejection(String requestId, String id, String topic, RejectionReason reason) {
        Rejection r = TestRecords.rejection();
        r.setSampleId(id);
        r.setRequestId(requestId);
        r.setReason(reason);
        r.setSample(sample(requestId, id, topic, "positive", "rejected text about " + topic));
        return r;
    }
}
