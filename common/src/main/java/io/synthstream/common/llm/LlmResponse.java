package io.synthstream.common.llm;

/**
 * A completed chat-completion call.
 *
 * @param content the assistant message text
 * @param finishReason as reported ({@code stop}, {@code length}, {@code content_filter}, ...)
 * @param model the model that answered
 * @param promptTokens input tokens as reported by the provider (0 if it did not say)
 * @param completionTokens output tokens as reported by the provider
 * @param latencyMs wall time of the successful attempt
 * @param usageEstimated true when the provider reported no usage and the token counts are
 *     estimates ({@link TokenEstimates})
 */
public record LlmResponse(
        String content,
        String finishReason,
        String model,
        long promptTokens,
        long completionTokens,
        long latencyMs,
        boolean usageEstimated) {

    /** A reply whose usage the provider reported. */
    public LlmResponse(
            String content,
            String finishReason,
            String model,
            long promptTokens,
            long completionTokens,
            long latencyMs) {
        this(content, finishReason, model, promptTokens, completionTokens, latencyMs, false);
    }

    public LlmResponse withLatency(long millis) {
        return new LlmResponse(content, finishReason, model, promptTokens, completionTokens, millis, usageEstimated);
    }

    /** True when the reply was cut off at the token limit. */
    public boolean truncated() {
        return "length".equals(finishReason);
    }
}
