package io.synthstream.common.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.synthstream.avro.AuditCounts;
import org.junit.jupiter.api.Test;

class AgreementTest {
    private static AuditCounts table(long passAccepted, long passRejected, long rejectAccepted, long rejectRejected) {
        return AuditCounts.newBuilder()
                .setSent(passAccepted + passRejected + rejectAccepted + rejectRejected)
                .setPassAccepted(passAccepted)
                .setPassRejected(passRejected)
                .setRejectAccepted(rejectAccepted)
                .setRejectRejected(rejectRejected)
                .build();
    }

    @Test
    void kappaPrecisionAndRecallOfATextbookTable() {
        // 50 samples, agreement 0.70, chance agreement 0.50: kappa 0.40.
        Agreement a = Agreement.of(table(20, 5, 10, 15));
        assertThat(a.n()).isEqualTo(50);
        assertThat(a.observed()).isCloseTo(0.70, within(1e-9));
        assertThat(a.kappa()).isCloseTo(0.40, within(1e-9));
        // SE = sqrt(0.7 * 0.3 / (50 * 0.5^2)) = 0.1296
        assertThat(a.kappaLow()).isCloseTo(0.40 - 1.96 * 0.12961, within(1e-4));
        assertThat(a.kappaHigh()).isCloseTo(0.40 + 1.96 * 0.12961, within(1e-4));
        assertThat(a.precision()).isCloseTo(0.8, within(1e-9));
        assertThat(a.recall()).isCloseTo(20.0 / 30, within(1e-9));
        assertThat(Agreement.strength(a.kappa())).isEqualTo("fair");
        assertThat(Agreement.describe(table(20, 5, 10, 15)))
                .isEqualTo("50 sent, 50 decided by people; agreement 0.70, kappa 0.40 [0.15, 0.65] fair;"
                        + " precision 0.80 (20 of 25), recall 0.67 (20 of 30)");
    }

    @Test
    void perfectAndChanceAgreement() {
        assertThat(Agreement.of(table(30, 0, 0, 20)).kappa()).isEqualTo(1.0);
        assertThat(Agreement.of(table(30, 0, 0, 20)).kappaHigh()).isEqualTo(1.0);
        // The gate's decisions are independent of the people's: kappa 0.
        assertThat(Agreement.of(table(25, 25, 25, 25)).kappa()).isCloseTo(0.0, within(1e-9));
        assertThat(Agreement.of(table(0, 10, 10, 0)).kappa()).isEqualTo(-1.0);
        assertThat(Agreement.strength(-1.0)).isEqualTo("poor");
        assertThat(Agreement.strength(0.9)).isEqualTo("almost perfect");
    }

    @Test
    void undefinedFiguresAreSaidNotInvented() {
        // Both always "accept": agreement is 1 but kappa is undefined; nothing was rejected.
        AuditCounts oneClass = table(12, 0, 0, 0);
        assertThat(Agreement.of(oneClass).kappa()).isNaN();
        assertThat(Agreement.describe(oneClass))
                .contains("agreement 1.00")
                .contains("kappa undefined")
                .contains("precision 1.00 (12 of 12)");
        AuditCounts onlyRejects = table(0, 0, 0, 4);
        assertThat(Agreement.describe(onlyRejects))
                .contains("precision n/a (0 of 0)")
                .contains("recall n/a");
        AuditCounts waiting = AuditCounts.newBuilder().setSent(5).setTimedOut(2).build();
        assertThat(Agreement.of(waiting).n()).isZero();
        assertThat(Agreement.describe(waiting))
                .isEqualTo("5 sent, 0 decided by people, 2 timed out (the gate's decision stood)");
    }
}
