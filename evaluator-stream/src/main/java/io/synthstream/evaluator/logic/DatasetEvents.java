package io.synthstream.evaluator.logic;

import io.synthstream.avro.Rejection;
import io.synthstream.avro.RequestStatus;
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
