package io.synthstream.curator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JaccardTest {
    @Test
    void shouldComputeJaccardAndContainmentOfSortedSets() {
        long[] a = {1, 2, 3, 4};
        long[] b = {3, 4, 5};

        assertThat(Jaccard.exact(a, b)).isEqualTo(2.0 / 5);
        assertThat(Jaccard.containment(b, a)).isEqualTo(2.0 / 3);
        assertThat(Jaccard.exact(a, a)).isEqualTo(1.0);
        assertThat(Jaccard.exact(new long[0], new long[0])).isEqualTo(1.0);
        assertThat(Jaccard.exact(a, new long[0])).isZero();
        assertThat(Jaccard.containment(new long[0], a)).isZero();
    }
}
