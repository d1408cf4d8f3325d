package io.synthstream.common.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResponseKeysTest {
    private static LlmRequest request(String prompt, Long seed, Map<String, String> hints) {
        return new LlmRequest(
                "gpt-4o-mini",
                List.of(LlmRequest.Message.system("You write reviews."), LlmRequest.Message.user(prompt)),
                0.9,
                null,
                256,
                seed,
                LlmRequest.ResponseFormat.JSON_OBJECT,
                null,
                hints);
    }

    @Test
    void theSameCallOfTheSameRequestHasTheSameKeyAndAnyChangeGivesAnother() {
        LlmRequest r = request("a phone review", 7L, Map.of("synth.sample", "s-1/0"));

        assertThat(ResponseKeys.call("s-1/step-0", r))
                .isEqualTo(
                        ResponseKeys.call("s-1/step-0", request("a phone review", 7L, Map.of("synth.sample", "s-1/0"))))
                .startsWith("call|s-1/step-0|")
                .isNotEqualTo(ResponseKeys.call("s-2/step-0", r))
                .isNotEqualTo(ResponseKeys.call("s-1/step-0", request("a laptop review", 7L, Map.of())))
                .isNotEqualTo(ResponseKeys.call("s-1/step-0", request("a phone review", 8L, Map.of())))
                .isNotEqualTo(ResponseKeys.call("s-1/step-0", r.withProvider("local")));
    }

    @Test
    void theCacheKeyIsWhatTheServerSeesAtAPlaceNotTheSampleItIsFor() {
        LlmRequest first = request("a phone review", 7L, Map.of("synth.sample", "req-a-c3-s0/0"));
        LlmRequest rerun = request("a phone review", 7L, Map.of("synth.sample", "req-b-c3-s0/0"));

        assertThat(ResponseKeys.cache("c3.s0/step-0", first))
                .as("hints name the sample; only the simulator reads them")
                .isEqualTo(ResponseKeys.cache("c3.s0/step-0", rerun))
                .startsWith("cache|")
                .isNotEqualTo(ResponseKeys.cache("c4.s0/step-0", first))
                .isNotEqualTo(ResponseKeys.cache("c3.s0/step-0", request("a phone review", null, Map.of())));
        assertThat(ResponseKeys.cache("c3.s0/step-0", first.withIdempotencyKey("k")))
                .as("the idempotency key is not part of the call")
                .isEqualTo(ResponseKeys.cache("c3.s0/step-0", first));
    }

    @Test
    void fieldsCannotRunIntoEachOther() {
        assertThat(ResponseKeys.cache("ab", request("c", null, Map.of())))
                .isNotEqualTo(ResponseKeys.cache("a", request("bc", null, Map.of())));
    }

    @Test
    void theIdempotencyKeyIsAStableDigestThatNamesNothing() {
        String callKey = ResponseKeys.call("req-secret-c1-s0/step-0", request("x", null, Map.of()));

        assertThat(ResponseKeys.idempotencyKey(callKey))
                .hasSize(32)
                .matches("[0-9a-f]+")
                .isEqualTo(ResponseKeys.idempotencyKey(callKey))
                .doesNotContain("secret");
    }
}
