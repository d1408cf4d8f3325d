package io.synthstream.evaluator.logic;

import io.synthstream.avro.DatasetSample;
import io.synthstream.avro.Rejection;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.ReviewRequest;
import io.synthstream.common.avro.SingleObject;
import io.synthstream.evaluator.avro.EvalEvent;
import java.util.Map;

/**
 * The events the dataset stage consumes, keyed by dataset: a scored sample ({@link
 * Scoring#event}), a curator rejection, or a request's ledger after a change.
 */
public final class DatasetEvents {
    /** A curated sample with its per-sample scores. */
    public static final String SCORED = "scored";
    /** A curator rejection (yield per attribute value). */
    public static final String REJECTED = "rejected";
    /** A request's ledger (the report's totals). */
    public static final String STATUS = "status";
    /**
     * A human reviewer's decision on a sample in review: accepted (or corrected: the final fields
     * and label) when {@code reason} is null, else rejected. It shapes the exemplar pool.
     */
    public static final String REVIEWED = "reviewed";

    private DatasetEvents() {}

    public static EvalEvent rejected(Rejection rejection) {
        return EvalEvent.newBuilder()
                .setKind(REJECTED)
                .setDataset(rejection.getDataset())
                .setRequestId(rejection.getRequestId())
                .setSampleId(rejection.getSampleId())
                .setReason(rejection.getReason().name())
                .setAttributes(
                        rejection.getSample() == null
                                ? Map.of()
                                : rejection.getSample().getAttributes())
                .build();
    }

    /**
     * A human's decision on {@code review}: {@code accepted} (the sample as admitted, its fields and
     * label final) or, when that is null, a rejection for {@code reason}.
     */
    public static EvalEvent reviewed(ReviewRequest review, DatasetSample accepted, String reason) {
        DatasetSample sample = accepted != null ? accepted : review.getCandidate();
        return EvalEvent.newBuilder()
                .setKind(REVIEWED)
                .setDataset(review.getDataset())
                .setRequestId(review.getRequestId())
                .setSampleId(review.getSampleId())
                .setLabel(sample.getLabel())
                .setAttributes(sample.getScored().getSample().getAttributes())
                .setFields(sample.getFields())
                .setReason(accepted != null ? null : reason == null ? ReviewDecisions.REVIEW : reason)
                .build();
    }

    public static EvalEvent status(String requestId, RequestStatus status) {
        return EvalEvent.newBuilder()
                .setKind(STATUS)
                .setDataset(status.getDataset())
                .setRequestId(requestId)
                .setStatus(SingleObject.encode(status::toByteBuffer))
                .build();
    }

    /** The ledger an event of kind {@link #STATUS} carries. */
    public static RequestStatus statusOf(EvalEvent event) {
        return SingleObject.decode(RequestStatus::fromByteBuffer, event.getStatus());
    }
}
