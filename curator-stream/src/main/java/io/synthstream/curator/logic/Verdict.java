package io.synthstream.curator.logic;

import io.synthstream.avro.RejectionReason;

/**
 * Why a check dropped a sample: the reason code, the stage that decided, and a detail a user can
 * read (the measured value and the threshold).
 */
public record Verdict(RejectionReason reason, String stage, String detail) {}
