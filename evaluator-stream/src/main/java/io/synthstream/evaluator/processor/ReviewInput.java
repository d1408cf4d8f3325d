package io.synthstream.evaluator.processor;

import io.synthstream.avro.ReviewDecision;
import io.synthstream.avro.ReviewRequest;

/**
 * What reaches the review processor: a sample sent to review, a decision, or a decision as plain
 * JSON bytes (read by the processor, which refuses what does not parse). Never serialized.
 */
public record ReviewInput(ReviewRequest review, ReviewDecision decision, byte[] json) {
    public static ReviewInput ofReview(ReviewRequest review) {
        return new ReviewInput(review, null, null);
    }

    public static ReviewInput ofDecision(ReviewDecision decision) {
        return new ReviewInput(null, decision, null);
    }

    public static ReviewInput ofJson(byte[] json) {
        return new ReviewInput(null, null, json == null ? new byte[0] : json);
    }
}
