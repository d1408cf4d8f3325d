package io.synthstream.common.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.synthstream.avro.Spend;
import io.synthstream.avro.StoredResponse;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.common.llm.ResponseKeys;
import io.synthstream.common.testing.MutableClock;
import io.synthstream.common.testing.ProcessorTestSupport;
import io.synthstream.common.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

class ResponseStoreTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private final MutableClock clock = new MutableClock(NOW);
    private final SynthSerdes serdes = ProcessorTestSupport.serdes();
    private final MockProcessorContext<Void, Void> context =
            ProcessorTestSupport.context("store-test", new SimpleMeterRegistry());
    private final KeyValueStore<String, byte[]> store =
            ProcessorTestSupport.keyValueStore(context, "responses", Serdes.String(), Serdes.ByteArray());

    private byte[] reply(Instant answeredAt) {
        return serdes.value(Topics.LLM_RESPONSES)
                .serializer()
                .serialize(
                        Topics.LLM_RESPONSES.name(),
                        StoredResponse.newBuilder()
                                .setContent("c")
                                .setFinishReason("stop")
                                .setModel("m")
                                .setPromptTokens(1)
                                .setCompletionTokens(1)
                                .setLatencyMs(1)
                                .setAttempts(1)
                                .setSpend(Spend.newBuilder().setCalls(1).build())
                                .setAnsweredAt(answeredAt)
                                .build());
    }

    private ResponseStore.Keeper keeper(Duration cacheRetention) {
        ResponseStore.Keeper keeper = new ResponseStore("responses", serdes, cacheRetention, clock).new Keeper();
        keeper.init(context);
        return keeper;
    }

    @Test
    void tombstonesRemoveAReplyAndCacheEntriesAreKeptOnlyWithTheCacheOn() {
        String call = ResponseKeys.call("s-1/step-0", LlmRequest.text("x"));
        String cache = ResponseKeys.cache("c0.s0/step-0", LlmRequest.text("x"));
        ResponseStore.Keeper off = keeper(null);
        off.process(new Record<>(call, reply(NOW), 0));
        off.process(new Record<>(cache, reply(NOW), 0));
        assertThat(store.get(call)).isNotNull();
        assertThat(store.get(cache)).isNull();

        off.process(new Record<>(call, null, 0));
        assertThat(store.get(call)).isNull();

        keeper(Duration.ofDays(1)).process(new Record<>(cache, reply(NOW), 0));
        assertThat(store.get(cache)).isNotNull();
    }

    @Test
    void thePurgeDropsRepliesPastTheirRetentionAndUnreadableRecords() {
        ResponseStore.Keeper keeper = keeper(Duration.ofDays(1));
        keeper.process(new Record<>(
                "call|old", reply(NOW.minus(ResponseStore.CALL_RETENTION).minusSeconds(1)), 0));
        keeper.process(new Record<>("call|recent", reply(NOW.minus(Duration.ofDays(6))), 0));
        keeper.process(new Record<>("cache|old", reply(NOW.minus(Duration.ofDays(2))), 0));
        keeper.process(new Record<>("cache|recent", reply(NOW.minus(Duration.ofHours(2))), 0));
        keeper.process(new Record<>("call|garbage", new byte[] {1, 2, 3}, 0));

        assertThat(keeper.purge(NOW)).isEqualTo(3);
        assertThat(store.get("call|recent")).isNotNull();
        assertThat(store.get("cache|recent")).isNotNull();
    }

    @Test
    void thePurgeRunsByItselfOnceItsIntervalIsOver() {
        ResponseStore.Keeper keeper = keeper(Duration.ofDays(1));
        keeper.process(new Record<>("cache|a", reply(NOW), 0));
        clock.set(NOW.plus(Duration.ofDays(2)));
        keeper.process(new Record<>("cache|b", reply(clock.instant()), 0));

        assertThat(store.get("cache|a")).isNull();
        assertThat(store.get("cache|b")).isNotNull();
    }
}
