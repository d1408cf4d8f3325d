package io.synthstream.generator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.schemas.TestRecords;
import org.junit.jupiter.api.Test;

class TopUpTest {
    private static io.synthstream.avro.RequestStatus status(long accepted, long rejected, long rejectedQuality) {
        var s = TestRecords.status();
        s.setAccepted(accepted);
        s.setRejected(rejected);
        s.setRejectedQuality(rejectedQuality);
        s.setFailed(0);
        return s;
    }

    @Test
    void shouldWaitWhileWhatIsInFlightMayStillMeetTheTarget() {
        assertThat(TopUp.next(10, 30, 10, null)).isEqualTo(new TopUp.Decision(10, false, null));
        assertThat(TopUp.next(10, 30, 10, status(5, 0, 0))).isEqualTo(new TopUp.Decision(10, false, null));
    }

    @Test
    void shouldTopUpExactlyTheShortfallTheLedgerProves() {
        assertThat(TopUp.next(10, 30, 10, status(6, 1, 3))).isEqualTo(new TopUp.Decision(14, false, null));
        assertThat(TopUp.next(28, 30, 10, status(2, 10, 16))).isEqualTo(new TopUp.Decision(30, false, null));
    }

    @Test
    void shouldStopAtTheTargetOrTheCap() {
        assertThat(TopUp.next(14, 30, 10, status(10, 1, 3))).isEqualTo(new TopUp.Decision(14, true, null));
        assertThat(TopUp.next(30, 30, 10, status(5, 10, 15)))
                .isEqualTo(new TopUp.Decision(30, true, TopUp.CAP_REACHED));
    }

    @Test
    void aRequestsTargetAndMaxPlannedDecideWhetherAndHowFarItIsToppedUp() {
        var request = TestRecords.request("r");
        request.setCount(10);
        request.setQuality(io.synthstream.avro.QualitySettings.newBuilder().build());
        var planned = io.synthstream.common.quality.QualityPolicy.of(request);
        assertThat(planned.targetsAccepted())
                .as("target planned: count samples are planned, no top-up")
                .isFalse();

        request.setQuality(io.synthstream.avro.QualitySettings.newBuilder()
                .setTarget("accepted")
                .setMaxPlanned(12L)
                .build());
        var accepted = io.synthstream.common.quality.QualityPolicy.of(request);
        assertThat(accepted.targetsAccepted()).isTrue();
        // 6 accepted and 4 rejected of 10: the shortfall of 4 is capped by max_planned 12
        assertThat(TopUp.next(10, accepted.maxPlanned(), 10, status(6, 4, 0)))
                .isEqualTo(new TopUp.Decision(12, false, null));
        request.setQuality(io.synthstream.avro.QualitySettings.newBuilder()
                .setTarget("accepted")
                .setMaxPlanned(20L)
                .build());
        assertThat(TopUp.next(
                        10,
                        io.synthstream.common.quality.QualityPolicy.of(request).maxPlanned(),
                        10,
                        status(6, 4, 0)))
                .isEqualTo(new TopUp.Decision(14, false, null));
    }
}
