package io.synthstream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fake server's capacity models: which requests wait, which slow down. Only lower bounds on
 * time are checked (a request can never finish early; a loaded machine may make it late).
 */
class ServerCapacityTest {
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    /** Admits {@code n} requests of 100 ms at once; the time each finished after the start, in ms. */
    private List<Long> serve(ServerCapacity capacity, int n) throws InterruptedException {
        List<Long> finished = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(n);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            capacity.admit(100, () -> {
                finished.add((System.nanoTime() - start) / 1_000_000);
                done.countDown();
            });
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        return finished.stream().sorted().toList();
    }

    @Test
    void slotsServeCAtOnceAndQueueTheRest() throws Exception {
        ServerCapacity slots = ServerCapacity.parse("slots:2", scheduler);
        List<Long> finished = serve(slots, 6);
        assertThat(slots.peakInService()).isEqualTo(2);
        // Two at a time: the third and fourth waited for a slot, the last two for two turns.
        assertThat(finished.get(0)).isGreaterThanOrEqualTo(99);
        assertThat(finished.get(2)).isGreaterThanOrEqualTo(199);
        assertThat(finished.get(4)).isGreaterThanOrEqualTo(299);
    }

    @Test
    void sharingSlowsEveryRequestPastTheKnee() throws Exception {
        ServerCapacity sharing = ServerCapacity.parse("sharing:2", scheduler);
        List<Long> finished = serve(sharing, 6);
        assertThat(sharing.peakInService())
                .as("nobody waits: all are in service")
                .isEqualTo(6);
        // 600 ms of work served at most 2 ms per ms (the knee): the last cannot finish before 300 ms.
        assertThat(finished.get(5)).isGreaterThanOrEqualTo(299);

        ServerCapacity belowKnee = ServerCapacity.parse("sharing:8", scheduler);
        assertThat(serve(belowKnee, 4).get(0)).isGreaterThanOrEqualTo(99);
    }

    @Test
    void unlimitedServesEachInItsOwnTime() throws Exception {
        ServerCapacity unlimited = ServerCapacity.parse("unlimited", scheduler);
        serve(unlimited, 6);
        assertThat(unlimited.peakInService()).isEqualTo(6);
    }

    @Test
    void aBadModelIsRefusedWithTheChoices() {
        for (String bad : List.of("slots", "slots:0", "sharing:x", "queue:4", "unlimited:3")) {
            assertThatThrownBy(() -> ServerCapacity.parse(bad, scheduler))
                    .hasMessageContaining("'" + bad + "'")
                    .hasMessageContaining("slots:<c>");
        }
    }
}
