package io.synthstream.common.streams.async;

import io.synthstream.common.llm.LlmRuntime;

/** How one {@link Call} of a pending entry ended, handed to its stage's {@link AsyncWork} on the stream thread. */
public sealed interface CallResult permits CallResult.Answer, CallResult.Value {
    /** The call's name. */
    String call();

    /** An LLM call's completion: a response, or a terminal failure after the runtime's retries. */
    record Answer(String call, LlmRuntime.Completion completion) implements CallResult {}

    /** A task's value, or the error it failed with ({@code value} is then null). */
    record Value(String call, Object value, Throwable error) implements CallResult {}
}
