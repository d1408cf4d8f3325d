package io.synthstream.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.synthstream.retry.RetryPolicy;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client for the Confluent Schema Registry REST API (and for the embedded registry, which
 * serves the same subset). Plain JDK {@link HttpClient} and Jackson: Confluent's own client is not
 * on Maven Central.
 *
 * <p>Requests time out after {@link Settings#requestTimeout}; 5xx answers and I/O errors are
 * retried up to {@link Settings#maxAttempts} times under the project's {@link RetryPolicy}; 4xx
 * answers become a {@link SchemaRegistryException} with the registry's error code at once. Basic
 * auth credentials are sent on every request and never logged.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {
    private static final Logger log = LoggerFactory.getLogger(HttpSchemaRegistryClient.class);
    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT =
            "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";

    /**
     * Connection settings.
     *
     * @param baseUrl the registry's base URL, e.g. {@code http://localhost:8081}
     * @param basicAuthUserInfo {@code user:password}, or null for no authentication
     * @param connectTimeout TCP connect timeout
     * @param requestTimeout timeout of one HTTP exchange
     * @param maxAttempts attempts per call, counting the first (at least 1)
     * @param initialBackoff backoff scale of the first retry; doubles each retry, with jitter
     * @param maxBackoff the longest backoff
     */
    public record Settings(
            String baseUrl,
            String basicAuthUserInfo,
            Duration connectTimeout,
            Duration requestTimeout,
            int maxAttempts,
            Duration initialBackoff,
            Duration maxBackoff) {

        public static Settings of(String baseUrl, String basicAuthUserInfo) {
            return new Settings(
                    baseUrl,
                    basicAuthUserInfo,
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(10),
                    3,
                    Duration.ofMillis(200),
                    Duration.ofSeconds(2));
        }

        public Settings {
            if (baseUrl == null || !(baseUrl.startsWith("http://") || baseUrl.startsWith("https://"))) {
                throw new IllegalArgumentException(
                        "Schema registry URL must start with http:// or https://: " + baseUrl);
            }
            baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
            if (basicAuthUserInfo != null && basicAuthUserInfo.isBlank()) {
                basicAuthUserInfo = null;
            }
            if (basicAuthUserInfo != null && !basicAuthUserInfo.contains(":")) {
                throw new IllegalArgumentException("Schema registry basic auth user info must be user:password");
            }
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1");
            }
        }

        @Override
        public String toString() {
            return "Settings{baseUrl=" + baseUrl + ", basicAuth=" + (basicAuthUserInfo == null ? "none" : "[hidden]")
                    + ", connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout + ", maxAttempts="
                    + maxAttempts + "}";
        }
    }

    private final Settings settings;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final String authorization;

    public HttpSchemaRegistryClient(Settings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.authorization = settings.basicAuthUserInfo() == null
                ? null
                : "Basic "
                        + Base64.getEncoder()
                                .encodeToString(settings.basicAuthUserInfo().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int register(String subject, Schema schema) {
        return call("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema))
                .get("id")
                .asInt();
    }

    @Override
    public int getId(String subject, Schema schema) {
        return call("POST", "/subjects/" + encode(subject), schemaBody(schema))
                .get("id")
                .asInt();
    }

    @Override
    public Schema getById(int id) {
        JsonNode node = call("GET", "/schemas/ids/" + id, null);
        String type = node.path("schemaType").asText("AVRO");
        if (!"AVRO".equals(type)) {
            throw new SchemaRegistryException(
                    SchemaRegistryException.INVALID_SCHEMA, "Schema " + id + " is of type " + type + ", not AVRO");
        }
        return new Schema.Parser().parse(node.get("schema").asText());
    }

    @Override
    public RegisteredSchema latest(String subject) {
        return toRegistered(call("GET", "/subjects/" + encode(subject) + "/versions/latest", null));
    }

    @Override
    public RegisteredSchema version(String subject, int version) {
        return toRegistered(call("GET", "/subjects/" + encode(subject) + "/versions/" + version, null));
    }

    @Override
    public List<String> testCompatibility(String subject, Schema schema) {
        JsonNode node;
        try {
            node = call(
                    "POST",
                    "/compatibility/subjects/" + encode(subject) + "/versions?verbose=true",
                    schemaBody(schema));
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND) {
                return List.of(); // nothing registered yet: anything is compatible
            }
            throw e;
        }
        if (node.path("is_compatible").asBoolean(false)) {
            return List.of();
        }
        List<String> messages = new ArrayList<>();
        node.path("messages").forEach(m -> messages.add(m.asText()));
        return messages.isEmpty() ? List.of("incompatible (the registry gave no details)") : messages;
    }

    @Override
    public List<String> subjects() {
        List<String> subjects = new ArrayList<>();
        call("GET", "/subjects", null).forEach(s -> subjects.add(s.asText()));
        return subjects;
    }

    @Override
    public void setCompatibility(String subject, CompatibilityLevel level) {
        ObjectNode body = json.createObjectNode().put("compatibility", level.name());
        call("PUT", subject == null ? "/config" : "/config/" + encode(subject), body.toString());
    }

    @Override
    public String toString() {
        return "HttpSchemaRegistryClient{" + settings + "}";
    }

    private String schemaBody(Schema schema) {
        return json.createObjectNode().put("schema", schema.toString()).toString();
    }

    private static RegisteredSchema toRegistered(JsonNode node) {
        return new RegisteredSchema(
                node.get("subject").asText(),
                node.get("version").asInt(),
                node.get("id").asInt(),
                node.get("schema").asText());
    }

    private static String encode(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode call(String method, String path, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(settings.baseUrl() + path))
                .timeout(settings.requestTimeout())
                .header("Accept", ACCEPT)
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            builder.header("Content-Type", CONTENT_TYPE);
        }
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        HttpRequest request = builder.build();
        RetryPolicy retry = new RetryPolicy(settings.maxAttempts(), settings.initialBackoff(), settings.maxBackoff());
        return retry.run(
                () -> exchange(request, method, path),
                failure -> failure instanceof SchemaRegistryException e && e.isRetriable(),
                failure -> Optional.empty(),
                (attempt, failure, wait) -> log.warn(
                        "Schema registry call {} {} failed (attempt {}/{}), retrying in {} ms: {}",
                        method,
                        path,
                        attempt,
                        settings.maxAttempts(),
                        wait.toMillis(),
                        failure.getMessage()));
    }

    /** One attempt: the registry's JSON answer, or the failure it means. */
    private JsonNode exchange(HttpRequest request, String method, String path) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 == 2) {
                return json.readTree(response.body().isEmpty() ? "{}" : response.body());
            }
            throw toException(method, path, response);
        } catch (IOException e) {
            throw new SchemaRegistryException(
                    SchemaRegistryException.STORE_ERROR,
                    "Schema registry at " + settings.baseUrl() + " unreachable (" + method + " " + path + "): " + e,
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException(
                    SchemaRegistryException.STORE_ERROR, "Interrupted while calling the schema registry", e);
        }
    }

    private SchemaRegistryException toException(String method, String path, HttpResponse<String> response) {
        int status = response.statusCode();
        int code = status;
        String message = response.body();
        try {
            JsonNode error = json.readTree(response.body());
            code = error.path("error_code").asInt(status);
            message = error.path("message").asText(response.body());
        } catch (IOException | RuntimeException notJson) {
            // keep the raw body as the message
        }
        if (status == 401 || status == 403) {
            message = "Schema registry refused the credentials (HTTP " + status + ")";
        }
        return new SchemaRegistryException(code, method + " " + path + " -> HTTP " + status + ": " + message);
    }
}
