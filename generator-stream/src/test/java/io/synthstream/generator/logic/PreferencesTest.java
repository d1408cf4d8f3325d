package io.synthstream.generator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.OutputField;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PreferencesTest {

    @Test
    void theBestIsChosenAndTheWorstRejectedFirstOfTheBestLastOfTheWorst() {
        assertThat(Preferences.select(List.of(2.0, 5.0, 3.0))).isEqualTo(new Preferences.Pair(1, 0, 5.0, 2.0));
        assertThat(Preferences.select(List.of(4.0, 5.0, 5.0, 1.0, 1.0)))
                .as("ties within the best and within the worst: first best, last worst")
                .isEqualTo(new Preferences.Pair(1, 4, 5.0, 1.0));
        Preferences.Pair tie = Preferences.select(List.of(3.0, 3.0, 3.0));
        assertThat(tie).isEqualTo(new Preferences.Pair(0, 2, 3.0, 3.0));
        assertThat(tie.tie()).isTrue();
        assertThat(tie.margin()).isZero();
        assertThat(Preferences.select(List.of(4.0, 3.0)).margin()).isEqualTo(1.0);
    }

    @Test
    void aPairWinsOnlyWhenBothOrdersNameItAndOtherwiseEachGetsHalf() {
        // 1 vs 2: both orders name 2 (as B, then as A): a win for 2.
        // 1 vs 3: the first order says A (1), the second says A (3): position bias, a tie.
        // 2 vs 3: one order says tie: a tie.
        Map<String, String> winners = Map.of("1_2", "B", "2_1", "A", "1_3", "A", "3_1", "a", "2_3", "tie", "3_2", "B");
        assertThat(Preferences.wins(3, winners)).containsExactly(0.5, 1.5, 1.0);
        assertThat(Preferences.wins(2, Map.of("1_2", "A", "2_1", "B"))).containsExactly(1.0, 0.0);
        assertThat(Preferences.wins(2, Map.of("1_2", "A", "2_1", "A")))
                .as("the judge always prefers the first shown: no preference")
                .containsExactly(0.5, 0.5);
    }

    @Test
    void aRatingOutsideOneToFiveOrAWinnerOtherThanABOrTieIsAReplyThatDidNotParse() {
        StepPlan rating = new StepPlan("rating_1", "rating", "", "", List.<OutputField>of(), null);
        StepPlan compare = new StepPlan("compare_1_2", "compare", "", "", List.<OutputField>of(), null);
        assertThat(Preferences.problem(rating, Map.of("score", "5"))).isNull();
        assertThat(Preferences.problem(rating, Map.of("score", "1.0"))).isNull();
        assertThat(Preferences.problem(rating, Map.of("score", "7"))).contains("from 1 to 5, got 7");
        assertThat(Preferences.problem(rating, Map.of("score", "4.5"))).contains("got 4.5");
        assertThat(Preferences.problem(rating, Map.of("score", "great"))).contains("got great");
        assertThat(Preferences.problem(rating, Map.of())).contains("got null");
        assertThat(Preferences.problem(compare, Map.of("winner", "Tie"))).isNull();
        assertThat(Preferences.problem(compare, Map.of("winner", "both"))).contains("A, B or tie, got both");
    }
}
