package io.synthstream.schemas.serde;

import io.synthstream.schemas.registry.SchemaRegistryClient;
import io.synthstream.schemas.registry.SchemaRegistryClients;
import java.util.Map;

/**
 * Configuration keys of the Avro serdes; the names match Confluent's serializer settings so the
 * same properties work for both.
 */
public final class AvroSerdeConfig {
    /** Registry URL: {@code http(s)://host:port} or {@code mem://<scope>} for tests. Required. */
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    /** Whether the serializer registers schemas it has not seen (default true). */
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    /** {@code user:password} for HTTP basic auth against the registry (optional, never logged). */
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";

    private AvroSerdeConfig() {}

    static SchemaRegistryClient clientFrom(Map<String, ?> configs) {
        Object url = configs.get(SCHEMA_REGISTRY_URL);
        if (url == null || url.toString().isBlank()) {
            throw new org.apache.kafka.common.config.ConfigException(
                    "Missing required serde setting " + SCHEMA_REGISTRY_URL);
        }
        Object userInfo = configs.get(BASIC_AUTH_USER_INFO);
        String userInfoText = userInfo instanceof org.apache.kafka.common.config.types.Password password
                ? password.value()
                : userInfo == null ? null : userInfo.toString();
        return SchemaRegistryClients.create(url.toString(), userInfoText);
    }

    static boolean autoRegister(Map<String, ?> configs) {
        Object value = configs.get(AUTO_REGISTER_SCHEMAS);
        return value == null || Boolean.parseBoolean(value.toString());
    }
}
