package io.synthstream.evaluator.processor;

import io.synthstream.avro.ReviewDecision;
import io.synthstream.avro.ReviewRequest;

/** What reaches the review processor: a sample sent to review, or a decision. Never serialized. */
public record ReviewInput(ReviewRequest review, ReviewDecision decision) {
    public static ReviewInput ofReview(ReviewRequest review) {
        return new ReviewInput(review, null);
    }

    public static ReviewInput ofDecision(ReviewDecision decision) {
        return new ReviewInput(null, decision);
    }
}
