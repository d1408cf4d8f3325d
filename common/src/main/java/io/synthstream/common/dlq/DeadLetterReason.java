package io.synthstream.common.dlq;

import io.synthstream.common.llm.LlmFailure;
import java.util.Locale;

/**
 * Every reason a record can be dead-lettered for, in one place: the apps name reasons only
 * through these constants, and the reasons table in {@code docs/outcomes.md} lists each of them
 * with the class and method that decides it (a test keeps the two in step). The code written on a
 * {@code DeadLetter} is the constant's name in lower case ({@link #code()}).
 */
public enum DeadLetterReason {
    /** A value that cannot be decoded (not Avro in the wire format, unknown schema id, ...). */
    DESERIALIZATION_ERROR,
    /** A processor threw on a record (a bug); the processing exception handler wrote it. */
    PROCESSING_ERROR,
    /** A generation request that fails validation. */
    INVALID_REQUEST,
    /** A request whose request_id was accepted before. */
    DUPLICATE_REQUEST,
    /**
     * A seed that cannot be used: a bridged record that does not decode, or a seed without a field
     * the request's templates or {@code seeds.keep} reference (the request keeps running).
     */
    INVALID_SEED,
    /**
     * A seed whose request never planned it: the request was refused, had stopped, or did not
     * arrive within {@code generator.seeds.orphan.ms}.
     */
    ORPHAN_SEED,
    /**
     * A request whose attribute values the model was asked to propose ({@code propose}) got no
     * usable reply: the call failed, or the reply had fewer than two distinct values.
     */
    PROPOSAL_FAILED,
    /** A record whose request's spec did not reach the global synth.specs table in time. */
    UNKNOWN_SPEC,
    /** A step's templates cannot be rendered for a condition. */
    PROMPT_ERROR,
    /** A generation reply that does not parse, also after one repair turn. */
    UNPARSEABLE_OUTPUT,
    /** A generation reply cut off at max_tokens. */
    OUTPUT_TRUNCATED,
    /** A judge reply without a readable verdict (the sample goes on, unjudged). */
    UNREADABLE_VERDICT,
    /** A spec whose curation settings are invalid. */
    INVALID_CURATION_SETTINGS,
    /**
     * An embedding whose number of dimensions is not the embedder's (the model behind the
     * endpoint changed mid-dataset): its cosine with the dataset's vectors would mean nothing.
     */
    EMBEDDING_DIMENSIONS,
    /**
     * A review decision that cannot apply: malformed, for an unknown sample, an edit outside the
     * task's fields, a label outside its set, or a decision after the request completed.
     */
    INVALID_DECISION,
    /** LLM call: {@link LlmFailure.Kind#BAD_REQUEST}. */
    LLM_BAD_REQUEST,
    /** LLM call: {@link LlmFailure.Kind#AUTH}. */
    LLM_AUTH,
    /** LLM call: {@link LlmFailure.Kind#NOT_FOUND}. */
    LLM_NOT_FOUND,
    /** LLM call: {@link LlmFailure.Kind#RATE_LIMITED}, after every retry. */
    LLM_RATE_LIMITED,
    /** LLM call: {@link LlmFailure.Kind#SERVER_ERROR}, after every retry. */
    LLM_SERVER_ERROR,
    /** LLM call: {@link LlmFailure.Kind#CONNECTION}, after every retry. */
    LLM_CONNECTION,
    /** LLM call: {@link LlmFailure.Kind#TIMEOUT}, after every retry. */
    LLM_TIMEOUT,
    /** LLM call: {@link LlmFailure.Kind#CONTENT_FILTER}. */
    LLM_CONTENT_FILTER,
    /** LLM call: {@link LlmFailure.Kind#MALFORMED_RESPONSE}, after every retry. */
    LLM_MALFORMED_RESPONSE;

    /** The reason code written on dead letters and used as the meters' {@code reason} tag. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The reason of an LLM call that failed terminally with {@code kind}. */
    public static DeadLetterReason of(LlmFailure.Kind kind) {
        return valueOf("LLM_" + kind.name());
    }
}
