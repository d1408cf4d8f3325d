package io.synthstream.common.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;

/**
 * One setting, declared once: its key, type, default, validator, importance and one-sentence doc,
 * and how its value is read ({@link SynthConfig#get(Setting)}); its environment variable follows
 * from the key ({@link SynthConfig#envName}). An app's definition is built from its settings
 * ({@link #define}), and the settings tables in {@code docs/settings.md} are rendered from the same
 * declarations (a test keeps them in step). Immutable: the fluent methods return new settings.
 *
 * @param <T> the type a read gives
 */
public final class Setting<T> {
    private final String key;
    private final Type type;
    private final Object defaultValue;
    private final ConfigDef.Validator validator;
    private final Importance importance;
    private final String doc;
    private final String documentedDefault;
    private final Function<Object, T> read;

    private Setting(
            String key,
            Type type,
            Object defaultValue,
            ConfigDef.Validator validator,
            Importance importance,
            String doc,
            String documentedDefault,
            Function<Object, T> read) {
        this.key = Objects.requireNonNull(key, "key");
        this.type = type;
        this.defaultValue = defaultValue;
        this.validator = validator;
        this.importance = importance;
        this.doc = Objects.requireNonNull(doc, "doc");
        this.documentedDefault = documentedDefault;
        this.read = read;
    }

    private static <T> Setting<T> of(
            String key, Type type, Object defaultValue, Importance importance, String doc, Function<Object, T> read) {
        return new Setting<>(key, type, defaultValue, null, importance, doc, null, read);
    }

    /** A string; {@code defaultValue} may be null (unset). */
    public static Setting<String> string(String key, String defaultValue, Importance importance, String doc) {
        return of(key, Type.STRING, defaultValue, importance, doc, v -> (String) v);
    }

    /** A non-empty string without a default: the app does not start without it. */
    public static Setting<String> required(String key, Importance importance, String doc) {
        return new Setting<>(
                key,
                Type.STRING,
                ConfigDef.NO_DEFAULT_VALUE,
                new ConfigDef.NonEmptyString(),
                importance,
                doc,
                "(required)",
                v -> (String) v);
    }

    public static Setting<Integer> integer(String key, int defaultValue, Importance importance, String doc) {
        return of(key, Type.INT, defaultValue, importance, doc, v -> (Integer) v);
    }

    public static Setting<Long> longValue(String key, long defaultValue, Importance importance, String doc) {
        return of(key, Type.LONG, defaultValue, importance, doc, v -> (Long) v);
    }

    public static Setting<Short> shortValue(String key, short defaultValue, Importance importance, String doc) {
        return of(key, Type.SHORT, defaultValue, importance, doc, v -> (Short) v);
    }

    /** A number; {@code defaultValue} may be null (unset). */
    public static Setting<Double> decimal(String key, Double defaultValue, Importance importance, String doc) {
        return of(key, Type.DOUBLE, defaultValue, importance, doc, v -> (Double) v);
    }

    public static Setting<Boolean> flag(String key, boolean defaultValue, Importance importance, String doc) {
        return of(key, Type.BOOLEAN, defaultValue, importance, doc, v -> (Boolean) v);
    }

    /** A comma-separated list. */
    @SuppressWarnings("unchecked")
    public static Setting<List<String>> list(String key, String defaultValue, Importance importance, String doc) {
        return of(key, Type.LIST, defaultValue, importance, doc, v -> (List<String>) v);
    }

    /** A secret, unset by default: masked wherever the config is shown. */
    public static Setting<Password> password(String key, Importance importance, String doc) {
        return of(key, Type.PASSWORD, null, importance, doc, v -> (Password) v);
    }

    /** A duration given in milliseconds (the key should end in {@code .ms}). */
    public static Setting<Duration> millis(String key, Duration defaultValue, Importance importance, String doc) {
        return of(key, Type.LONG, defaultValue.toMillis(), importance, doc, v -> Duration.ofMillis((Long) v));
    }

    /** This setting, accepting values of at least {@code min}. */
    public Setting<T> atLeast(Number min) {
        return validatedBy(ConfigDef.Range.atLeast(min));
    }

    /** This setting, accepting values between {@code min} and {@code max} inclusive. */
    public Setting<T> between(Number min, Number max) {
        return validatedBy(ConfigDef.Range.between(min, max));
    }

    /** This setting, accepting only these values. */
    public Setting<T> oneOf(String... values) {
        return validatedBy(ConfigDef.ValidString.in(values));
    }

    public Setting<T> validatedBy(ConfigDef.Validator check) {
        return new Setting<>(key, type, defaultValue, check, importance, doc, documentedDefault, read);
    }

    /** This setting, with its default shown as {@code text} in the docs (a default that depends on the machine). */
    public Setting<T> documentedAs(String text) {
        return new Setting<>(key, type, defaultValue, validator, importance, doc, text, read);
    }

    public String key() {
        return key;
    }

    /**
     * This setting of one member of a family: a key such as {@code llm.provider.<name>.base.url}
     * with {@link SynthConfig#NAME} replaced by {@code name}.
     */
    public Setting<T> named(String name) {
        return new Setting<>(
                key.replace(SynthConfig.NAME, name),
                type,
                defaultValue,
                validator,
                importance,
                doc,
                documentedDefault,
                read);
    }

    /** {@code SYNTH_} + the key in upper case, dots and dashes as underscores. */
    public String environmentVariable() {
        return SynthConfig.envName(key);
    }

    public String doc() {
        return doc;
    }

    public Type type() {
        return type;
    }

    /** The default as the docs show it: the value, {@code (unset)}, or the documented text. */
    public String documentedDefault() {
        if (documentedDefault != null) {
            return documentedDefault;
        }
        if (defaultValue == null) {
            return "(unset)";
        }
        if (defaultValue instanceof String s && s.isEmpty()) {
            return "(empty)";
        }
        return String.valueOf(defaultValue);
    }

    /** The accepted values, as the docs show them; empty when any value of the type is accepted. */
    public String documentedRange() {
        return validator == null ? "" : validator.toString();
    }

    /** Adds this setting to a definition. */
    public ConfigDef defineIn(ConfigDef definition) {
        return validator == null
                ? definition.define(key, type, defaultValue, importance, doc)
                : definition.define(key, type, defaultValue, validator, importance, doc);
    }

    /** Adds every setting to a definition, in order. */
    public static ConfigDef define(ConfigDef definition, List<Setting<?>> settings) {
        for (Setting<?> setting : settings) {
            setting.defineIn(definition);
        }
        return definition;
    }

    /** The typed value of a parsed value of this setting. */
    T read(Object parsed) {
        return read.apply(parsed);
    }

    @Override
    public String toString() {
        return key;
    }
}
