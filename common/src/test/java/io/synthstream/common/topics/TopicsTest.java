package io.synthstream.common.topics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class TopicsTest {
    @Test
    void shouldDeclareEveryDesignTopicOnceWithItsCleanupPolicy() {
        assertThat(Topics.ALL)
                .extracting(TopicSpec::name)
                .doesNotHaveDuplicates()
                .hasSize(21);
        assertThat(Topics.ALL.stream().filter(TopicSpec::compacted).map(TopicSpec::name))
                .containsExactlyInAnyOrder(
                        "synth.specs",
                        "synth.test-records",
                        "synth.plan",
                        "synth.reports",
                        "synth.evaluations",
                        "synth.request-status",
                        "synth.steering",
                        "synth.llm-responses");
    }

    @Test
    void shouldCreateTopicsWithPartitionsReplicationAndCleanupPolicy() {
        NewTopic steering = TopicAdmin.newTopic(Topics.STEERING, 6, Optional.of((short) 3));
        NewTopic raw = TopicAdmin.newTopic(Topics.SAMPLES_RAW, 6, Optional.empty());

        assertThat(steering.numPartitions()).isEqualTo(6);
        assertThat(steering.replicationFactor()).isEqualTo((short) 3);
        assertThat(steering.configs()).containsEntry("cleanup.policy", "compact");
        assertThat(raw.configs()).containsEntry("cleanup.policy", "delete");
        assertThat(raw.replicationFactor()).isEqualTo((short) -1);
    }

    @Test
    void theResponsesTopicIsCompactedAndDeletedByTimeSoThatCacheEntriesCannotPileUp() {
        NewTopic responses = TopicAdmin.newTopic(Topics.LLM_RESPONSES, 3, Optional.empty());

        assertThat(responses.configs())
                .containsEntry("cleanup.policy", "compact,delete")
                .containsEntry("retention.ms", Long.toString(Topics.RESPONSES_MAX_RETENTION.toMillis()));
    }
}
