package io.synthstream.common.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The catalogue of SynthStream's own meters: every name, description and allowed tag is declared
 * here and nowhere else. Tags stay low-cardinality (app, stage, reason, dataset): never ids, keys or
 * text. Kafka client and Streams metrics are bound separately through Micrometer's Kafka binders.
 */
public enum SynthMeters {
    DEAD_LETTERS("synth.dlq.records", "Records written to synth.dlq", "app", "stage", "reason"),
    CURATOR_SAMPLES(
            "synth.curator.samples",
            "Samples the curator decided: outcome curated, rejected or dead_lettered, with the rejection or"
                    + " dead-letter reason (none when curated)",
            "app",
            "outcome",
            "reason"),
    CURATOR_DEDUP_FORCED(
            "synth.curator.dedup.forced",
            "Dedup claims decided without the fate of an earlier sample they match, after"
                    + " curator.dedup.fate.wait.ms: their dup_of may name a sample that was not kept",
            "app"),
    CURATOR_SEMANTIC_SKIPPED(
            "synth.curator.semantic.skipped",
            "Samples whose request asks for semantic dedup but that were curated without it, because"
                    + " no embedding was made (reason: failed, timeout, no_embedder)",
            "app",
            "reason"),
    LLM_CALLS(
            "synth.llm.calls",
            "LLM calls finished: outcome success or failure, with the failure reason (none on success)",
            "app",
            "outcome",
            "reason"),
    LLM_RETRIES("synth.llm.retries", "LLM call attempts that failed and were retried, by reason", "app", "reason"),
    LLM_IN_FLIGHT("synth.llm.in_flight", "LLM calls sent and not yet answered", "app"),
    LLM_CONCURRENCY_LIMIT(
            "synth.llm.concurrency.limit", "Current adaptive limit on LLM calls in flight (lower after 429s)", "app"),
    LLM_LATENCY("gen_ai.client.operation.duration", "Duration of one LLM call attempt", "app", "gen_ai.provider.name"),
    LLM_COST(
            "synth.llm.cost",
            "USD the LLM replies cost at the price table's prices, by model: the table's name for it, or unlisted",
            "app",
            "gen_ai.provider.name",
            "gen_ai.request.model"),
    LLM_BILLED_TOKENS(
            "synth.llm.billed.tokens",
            "Tokens of the LLM replies by model (the price table's name, or unlisted) and type input or output,"
                    + " estimated where the server reported no usage",
            "app",
            "gen_ai.provider.name",
            "gen_ai.request.model",
            "gen_ai.token.type"),
    LLM_RESPONSES(
            "synth.llm.responses",
            "LLM replies and synth.llm-responses: outcome kept (durable before the stream used it), unsaved"
                    + " (the topic could not take it: durability is degraded), recovered (a re-issued call took a"
                    + " reply paid before a restart) or cached (taken from the response cache)",
            "app",
            "outcome"),
    LLM_TOKENS(
            "gen_ai.client.token.usage",
            "Tokens per LLM call as reported by the provider, by type input or output",
            "app",
            "gen_ai.provider.name",
            "gen_ai.token.type"),
    GENERATOR_REQUESTS(
            "synth.generator.requests", "Generation requests: outcome accepted or rejected", "app", "outcome"),
    GENERATOR_CONDITIONS("synth.generator.conditions", "Condition tuples planned", "app"),
    GENERATOR_PROPOSALS(
            "synth.generator.proposals", "Attribute-value design calls: outcome proposed or failed", "app", "outcome"),
    GENERATOR_SEEDS(
            "synth.generator.seeds",
            "Seeds: outcome received, planned, failed (dead-lettered) or unused (left at the cap)",
            "app",
            "outcome"),
    GENERATOR_TOP_UPS(
            "synth.generator.top.ups", "Samples planned beyond count for requests that target accepted samples", "app"),
    GENERATOR_SAMPLES(
            "synth.generator.samples",
            "Samples finished by the generator: outcome generated or dead_lettered, with the reason",
            "app",
            "outcome",
            "reason"),
    EVALUATOR_SAMPLES(
            "synth.evaluator.samples",
            "Curated samples the evaluator scored, by faithfulness status judged, unjudged or disabled",
            "app",
            "faithfulness"),
    EVALUATOR_GATE(
            "synth.evaluator.gate",
            "Scored samples by the quality gate's decision pass, reject or review",
            "app",
            "decision"),
    EVALUATOR_REPORTS("synth.evaluator.reports", "Dataset reports published to synth.reports", "app"),
    EVALUATOR_STEERING("synth.evaluator.steering", "Steering updates published to synth.steering", "app"),
    EVALUATOR_REVIEW_QUEUE(
            "synth.evaluator.review.queue",
            "Samples of a dataset waiting for a review decision on this instance",
            "app",
            "dataset"),
    EVALUATOR_REVIEW_OLDEST(
            "synth.evaluator.review.oldest.seconds",
            "How long the oldest sample of a dataset waiting for review on this instance has waited",
            "app",
            "dataset"),
    DATASET_METRIC(
            "synth.dataset.metric",
            "A dataset's latest report value: metric curated, rejected, failed, yield, faithfulness_mean,"
                    + " distinct_2, self_bleu, compression_ratio, mean_pairwise_cosine or vendi_score",
            "app",
            "dataset",
            "metric"),
    ASYNC_DEFERRED(
            "synth.async.deferred",
            "Records an async stage has stored but not begun on this instance, waiting for room in the LLM"
                    + " runtime or the stage's pool: a backlog the input topic's consumer lag no longer shows",
            "app",
            "stage"),
    STREAMS_STATE(
            "synth.streams.state", "Kafka Streams state of the app: 1 while RUNNING or REBALANCING, else 0", "app");

    private final String meterName;
    private final String description;
    private final String[] tagKeys;

    SynthMeters(String meterName, String description, String... tagKeys) {
        this.meterName = meterName;
        this.description = description;
        this.tagKeys = tagKeys;
    }

    public String meterName() {
        return meterName;
    }

    public String description() {
        return description;
    }

    public String[] tagKeys() {
        return tagKeys.clone();
    }

    public static Counter llmCalls(MeterRegistry registry, String app, String outcome, String reason) {
        return LLM_CALLS.counter(registry, app, outcome, reason);
    }

    /** What replies of {@code model} (a price-table name or {@code unlisted}) cost. */
    public static Counter llmCost(MeterRegistry registry, String app, String provider, String model) {
        return LLM_COST.counter(registry, app, provider, model);
    }

    /** Tokens of replies of {@code model} (a price-table name or {@code unlisted}), input or output. */
    public static Counter llmBilledTokens(
            MeterRegistry registry, String app, String provider, String model, String type) {
        return LLM_BILLED_TOKENS.counter(registry, app, provider, model, type);
    }

    /** Replies by what became of them on {@code synth.llm-responses}: kept, unsaved, recovered or cached. */
    public static Counter llmResponses(MeterRegistry registry, String app, String outcome) {
        return LLM_RESPONSES.counter(registry, app, outcome);
    }

    public static Counter llmRetries(MeterRegistry registry, String app, String reason) {
        return LLM_RETRIES.counter(registry, app, reason);
    }

    /** The registry an app passed to Kafka Streams in its configs, if any (see StreamsDefaults). */
    public static java.util.Optional<MeterRegistry> fromAppConfigs(java.util.Map<String, ?> appConfigs) {
        return appConfigs.get(io.synthstream.common.streams.StreamsDefaults.METER_REGISTRY_CONFIG)
                        instanceof MeterRegistry registry
                ? java.util.Optional.of(registry)
                : java.util.Optional.empty();
    }

    /** The dead-letter counter for one app, stage and reason. */
    public static Counter deadLetters(MeterRegistry registry, String app, String stage, String reason) {
        return DEAD_LETTERS.counter(registry, app, stage, reason);
    }

    /** This meter as a counter, with one value per declared tag key, in order. */
    Counter counter(MeterRegistry registry, String... tagValues) {
        if (tagValues.length != tagKeys.length) {
            throw new IllegalArgumentException(meterName + " takes tags " + java.util.Arrays.toString(tagKeys));
        }
        Counter.Builder builder = Counter.builder(meterName).description(description);
        for (int i = 0; i < tagKeys.length; i++) {
            builder.tag(tagKeys[i], tagValues[i]);
        }
        return builder.register(registry);
    }
}
