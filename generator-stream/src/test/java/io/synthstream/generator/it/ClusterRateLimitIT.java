package io.synthstream.generator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.common.app.StreamsApp;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.generator.config.GeneratorConfig;
import io.synthstream.generator.topology.GeneratorTopology;
import io.synthstream.local.EmbeddedPlatform;
import io.synthstream.local.FakeOpenAiServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code llm.requests.per.minute} is the whole deployment's: one, two or three generator instances
 * of one app, each counting the others in the consumer group, together never send the fake server
 * more than the limit in any 10-second window.
 */
class ClusterRateLimitIT {
    private static final int PER_MINUTE = 120;
    private static final Duration MEASURE = Duration.ofSeconds(16);

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void theInstancesTogetherStayUnderTheClusterLimit(int instances) throws Exception {
        try (EmbeddedPlatform platform = EmbeddedPlatform.ephemeral();
                FakeOpenAiServer server = FakeOpenAiServer.start(
                        FakeOpenAiServer.Settings.instant().withLatency(Duration.ofMillis(20), 0.3), 0)) {
            List<LlmRuntime> runtimes = new ArrayList<>();
            List<StreamsApp> apps = new ArrayList<>();
            try {
                for (int i = 0; i < instances; i++) {
                    Map<String, Object> settings = GeneratorIT.settings(platform, server, "it-rate");
                    settings.put(LlmSettings.REQUESTS_PER_MINUTE.key(), PER_MINUTE);
                    settings.put(LlmSettings.LIMITS_REFRESH_MS.key(), 500L);
                    settings.put(SynthConfig.TOPIC_PARTITIONS.key(), 6);
                    SynthConfig config = new SynthConfig(GeneratorConfig.definition(), settings);
                    LlmRuntime runtime = LlmSettings.runtime(config);
                    runtimes.add(runtime);
                    apps.add(StreamsApp.start(
                            config, GeneratorTopology.build(config, runtime, false), GeneratorTopology.TOPICS));
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!(runtimes.stream().allMatch(r -> r.gate().instances() == instances)
                        && apps.stream().allMatch(a -> a.state() == KafkaStreams.State.RUNNING))) {
                    assertThat(System.nanoTime())
                            .as("every instance running and counted")
                            .isLessThan(deadline);
                    Thread.sleep(100);
                }
                long start = System.currentTimeMillis();
                GeneratorIT.submit(platform, "req-rate", 2000);
                Thread.sleep(MEASURE.toMillis());
                List<Long> arrivals =
                        server.chatArrivals().stream().filter(t -> t >= start).toList();
                int worst = 0;
                for (int i = 0; i < arrivals.size(); i++) {
                    int j = i;
                    while (j < arrivals.size() && arrivals.get(j) < arrivals.get(i) + 10_000) {
                        j++;
                    }
                    worst = Math.max(worst, j - i);
                }
                long first = arrivals.isEmpty() ? start : arrivals.get(0);
                double seconds = (arrivals.isEmpty() ? 0 : arrivals.get(arrivals.size() - 1) - first) / 1000.0;
                System.out.printf(
                        "%d instance(s), limit %d/min: %d calls in %.1f s (%.2f of the limit), at most %d in a"
                                + " 10-second window (limit %d)%n",
                        instances,
                        PER_MINUTE,
                        arrivals.size(),
                        seconds,
                        seconds == 0 ? 0 : (arrivals.size() - 1) / seconds / (PER_MINUTE / 60.0),
                        worst,
                        PER_MINUTE / 6);
                assertThat(arrivals.size()).as("calls were made").isGreaterThan(PER_MINUTE / 6);
                assertThat(worst).as("calls in any 10 s: the cluster's limit").isLessThanOrEqualTo(PER_MINUTE / 6);
            } finally {
                apps.forEach(StreamsApp::close);
                runtimes.forEach(LlmRuntime::close);
            }
        }
    }
}
