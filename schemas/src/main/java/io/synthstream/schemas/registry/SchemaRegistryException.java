package io.synthstream.schemas.registry;

/**
 * A schema-registry error with the Confluent REST error code, so the HTTP client, the in-memory
 * client and the embedded server report the same failures the same way.
 *
 * <p>Error codes follow the Confluent Schema Registry API: {@code 40401} subject not found,
 * {@code 40402} version not found, {@code 40403} schema not found, {@code 40408} subject has no
 * compatibility config, {@code 409} incompatible schema, {@code 42201} invalid schema, {@code
 * 42202} invalid version, {@code 42203} invalid compatibility level, {@code 50001} store error.
 */
public class SchemaRegistryException extends RuntimeException {
    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int SUBJECT_CONFIG_NOT_FOUND = 40408;
    public static final int INCOMPATIBLE_SCHEMA = 409;
    public static final int INVALID_SCHEMA = 42201;
    public static final int INVALID_VERSION = 42202;
    public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
    public static final int STORE_ERROR = 50001;

    private final int errorCode;

    public SchemaRegistryException(int errorCode, String message) {
        this(errorCode, message, null);
    }

    public SchemaRegistryException(int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
    }

    /** The Confluent error code, e.g. {@code 40403}. */
    public int errorCode() {
        return errorCode;
    }

    /** The HTTP status that carries this error code: its first three digits. */
    public int httpStatus() {
        return errorCode < 1000 ? errorCode : errorCode / 100;
    }

    /** True for errors worth retrying: the registry or its store failed, not the request. */
    public boolean isRetriable() {
        return httpStatus() >= 500;
    }

    @Override
    public String toString() {
        return "SchemaRegistryException{errorCode=" + errorCode + ", message=" + getMessage() + "}";
    }
}
