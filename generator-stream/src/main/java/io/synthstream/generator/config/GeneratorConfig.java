package io.synthstream.generator.config;

import io.synthstream.common.config.Setting;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.common.streams.async.AsyncSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;

/** The generator's settings: the shared ones, the LLM ones ({@link LlmSettings}) and its own. */
public final class GeneratorConfig {
    public static final Setting<Integer> MAX_COUNT = Setting.integer(
                    "generator.max.count",
                    1_000_000,
                    Importance.MEDIUM,
                    "Largest count a request may ask for; larger requests go to synth.dlq.")
            .atLeast(1);
    public static final Setting<Long> MAX_REQUEST_BYTES = Setting.longValue(
                    "generator.max.request.bytes",
                    1_048_576L,
                    Importance.LOW,
                    "Largest encoded request accepted (Avro bytes or JSON text).")
            .atLeast(1024);
    public static final Setting<Integer> PLAN_BATCH = Setting.integer(
                    "generator.plan.batch.size",
                    200,
                    Importance.MEDIUM,
                    "Condition tuples the planner emits per request per tick: bounds every transaction.")
            .atLeast(1);
    public static final Setting<Duration> PLAN_INTERVAL_MS = Setting.millis(
                    "generator.plan.interval.ms",
                    Duration.ofMillis(50),
                    Importance.LOW,
                    "Wall-clock interval of the planner's punctuator.")
            .atLeast(1);
    public static final Setting<Integer> PLAN_AHEAD = Setting.integer(
                    "generator.plan.ahead",
                    1024,
                    Importance.MEDIUM,
                    "Samples a request may have planned and not yet generated, as its ledger counts them. Steering"
                            + " shapes only what is planned after an update, so a smaller value lets feedback act"
                            + " sooner; keep it above the cluster's in-flight capacity (instances x"
                            + " llm.max.in.flight) so generation never waits on planning. 0 = no bound (a generator"
                            + " run without the evaluator, whose ledger it reads). synth up and synth demo use 256.")
            .atLeast(0);

    public static final Setting<Duration> SEED_ORPHAN_MS = Setting.millis(
                    "generator.seeds.orphan.ms",
                    Duration.ofMinutes(10),
                    Importance.LOW,
                    "How long seeds on synth.seeds wait for their request; then they go to synth.dlq (orphan_seed).")
            .atLeast(1);

    private static final AsyncSettings.Declared ASYNC =
            AsyncSettings.declare("generator", "LLM calls", "the condition's samples go to synth.dlq (unknown_spec)");
    public static final Setting<Duration> DRAIN_INTERVAL_MS = ASYNC.drainInterval();
    public static final Setting<Duration> SPEC_WAIT_MS = ASYNC.specWait();

    /** The generator's own settings, in the order the docs list them. */
    public static final List<Setting<?>> SETTINGS;

    static {
        List<Setting<?>> settings = new ArrayList<>(
                List.of(MAX_COUNT, MAX_REQUEST_BYTES, PLAN_BATCH, PLAN_INTERVAL_MS, PLAN_AHEAD, SEED_ORPHAN_MS));
        settings.addAll(ASYNC.all());
        SETTINGS = List.copyOf(settings);
    }

    private final SynthConfig config;

    private GeneratorConfig(SynthConfig config) {
        this.config = config;
    }

    public static ConfigDef definition() {
        return Setting.define(LlmSettings.define(SynthConfig.baseDefinition()), SETTINGS);
    }

    public static GeneratorConfig from(SynthConfig config) {
        return new GeneratorConfig(new SynthConfig(definition(), config.originals()));
    }

    public SynthConfig synth() {
        return config;
    }

    /** The value of one of the generator's settings. */
    public <T> T get(Setting<T> setting) {
        return config.get(setting);
    }

    /** The call stage's drain interval, spec wait and back-pressure bound. */
    public AsyncSettings async() {
        return ASYNC.from(config);
    }
}
