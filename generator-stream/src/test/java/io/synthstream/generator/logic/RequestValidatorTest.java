package io.synthstream.generator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.Attribute;
import io.synthstream.avro.AttributeValue;
import io.synthstream.avro.GenerationRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestValidatorTest {
    private static final RequestValidator.Limits LIMITS = new RequestValidator.Limits(1000, 1 << 20);

    @Test
    void aValidRequestHasNoProblems() throws Exception {
        assertThat(RequestValidator.problems(PlannerTest.request(""), 100, LIMITS))
                .isEmpty();
    }

    @Test
    void aBalancedSpaceTooLargeToEnumerateIsRejected() throws Exception {
        GenerationRequest request = PlannerTest.request(", \"sampling_mode\": \"balanced\"");
        List<AttributeValue> values = new ArrayList<>();
        for (int v = 0; v < 1000; v++) {
            values.add(new AttributeValue("v" + v, 1.0));
        }
        List<Attribute> attributes = new ArrayList<>();
        for (int a = 0; a < 8; a++) {
            attributes.add(new Attribute("a" + a, values));
        }
        request.setAttributes(attributes);
        assertThat(RequestValidator.problems(request, 100, LIMITS))
                .anySatisfy(p -> assertThat(p).contains("more than 2^63 combinations"));
    }

    @Test
    void anOversizeRequestIsRejectedBeforeAnythingElse() throws Exception {
        assertThat(RequestValidator.problems(PlannerTest.request(""), 2 << 20, LIMITS))
                .singleElement()
                .satisfies(p -> assertThat(p).contains("above the limit"));
    }
}
