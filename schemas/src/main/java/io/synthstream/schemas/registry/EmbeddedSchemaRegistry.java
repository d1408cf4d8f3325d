package io.synthstream.schemas.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry that serves the subset of the Confluent Schema Registry REST API that
 * serializers and registry clients use (Confluent's, kafkajs', ours), so {@code synth up} needs no
 * separate registry process. Its state is a {@link SchemaRegistryState}; give it a {@link
 * KafkaSchemaStore} and ids survive restarts.
 *
 * <p>Served: {@code GET /}, {@code GET /subjects}, {@code GET|POST /subjects/{s}/versions}, {@code
 * POST /subjects/{s}} (lookup), {@code GET /subjects/{s}/versions/{v|latest}[/schema]}, {@code GET
 * /schemas/ids/{id}[/schema|/versions]}, {@code GET /schemas/types}, {@code POST
 * /compatibility/subjects/{s}/versions[/{v|latest}]}, {@code GET|PUT /config[/{s}]}. Avro only; no
 * schema references, deletes, modes or contexts. Errors use Confluent's JSON shape {@code
 * {"error_code": 40401, "message": "..."}}.
 *
 * <p>Built on the JDK's {@link HttpServer}: a dozen routes do not justify a web framework, and it
 * keeps the schemas module free of server dependencies. Single node: run one per cluster.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
    private static final String CONTENT_TYPE = HttpSchemaRegistryClient.CONTENT_TYPE;
    private static final Pattern SUBJECT_VERSIONS = Pattern.compile("^/subjects/([^/]+)/versions/?$");
    private static final Pattern SUBJECT_VERSION = Pattern.compile("^/subjects/([^/]+)/versions/([^/]+)(/schema)?/?$");
    private static final Pattern SUBJECT = Pattern.compile("^/subjects/([^/]+)/?$");
    private static final Pattern SCHEMA_ID = Pattern.compile("^/schemas/ids/([^/]+)(/schema|/versions)?/?$");
    private static final Pattern COMPATIBILITY =
            Pattern.compile("^/compatibility/subjects/([^/]+)/versions(?:/([^/]+))?/?$");
    private static final Pattern CONFIG = Pattern.compile("^/config(?:/([^/]+))?/?$");

    private final SchemaRegistryState state;
    private final HttpServer server;
    private final ExecutorService executor;
    private final ObjectMapper json = new ObjectMapper();
    /** The accepted {@code Authorization} header values ({@code Basic base64(user:password)}); empty: none needed. */
    private final List<byte[]> credentials;

    private EmbeddedSchemaRegistry(
            SchemaRegistryState state, HttpServer server, ExecutorService executor, Map<String, String> users) {
        this.state = state;
        this.server = server;
        this.executor = executor;
        this.credentials = users.entrySet().stream()
                .map(u -> ("Basic "
                                + Base64.getEncoder()
                                        .encodeToString(
                                                (u.getKey() + ":" + u.getValue()).getBytes(StandardCharsets.UTF_8)))
                        .getBytes(StandardCharsets.UTF_8))
                .toList();
    }

    /**
     * Starts a registry on {@code host:port} (port 0 picks a free one) over the given store, open
     * to every client.
     *
     * @throws IOException if the port cannot be bound
     */
    public static EmbeddedSchemaRegistry start(String host, int port, SchemaStore store) throws IOException {
        return start(host, port, store, Map.of());
    }

    /**
     * The users of {@code spec}: {@code user:password} pairs separated by commas (a password may hold
     * ':' but not ','), as {@code SYNTH_REGISTRY_USERS} gives them.
     *
     * @throws IllegalArgumentException naming the malformed entry's position, never its text
     */
    public static Map<String, String> users(String spec) {
        Map<String, String> users = new java.util.LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return users;
        }
        String[] entries = spec.split(",");
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].trim();
            int colon = entry.indexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new IllegalArgumentException(
                        "registry user " + (i + 1) + " of " + entries.length + " is not user:password");
            }
            users.put(entry.substring(0, colon), entry.substring(colon + 1));
        }
        return users;
    }

    /**
     * Starts a registry that answers only requests with HTTP basic auth of one of {@code users}
     * (user to password; empty: no authentication): others get 401 with Confluent's error shape.
     *
     * @throws IOException if the port cannot be bound
     */
    public static EmbeddedSchemaRegistry start(String host, int port, SchemaStore store, Map<String, String> users)
            throws IOException {
        SchemaRegistryState state = new SchemaRegistryState(store);
        HttpServer server = HttpServers.create(new InetSocketAddress(host, port), 64);
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "schema-registry-http");
            t.setDaemon(true);
            return t;
        });
        EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry(state, server, executor, users);
        server.createContext("/", registry::handle);
        server.setExecutor(executor);
        server.start();
        log.info(
                "Embedded schema registry listening on {}{}",
                registry.url(),
                users.isEmpty() ? "" : " (basic auth, " + users.size() + " user" + (users.size() == 1 ? ")" : "s)"));
        return registry;
    }

    /** The base URL clients use, e.g. {@code http://127.0.0.1:8081}. */
    public String url() {
        InetSocketAddress address = server.getAddress();
        return "http://" + address.getHostString() + ":" + address.getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            if (!authorized(exchange)) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"synth-schema-registry\"");
                sendError(exchange, 401, 401, "Unauthorized: this registry needs HTTP basic auth of a known user");
                return;
            }
            try {
                Object body = route(method, path, query, exchange.getRequestBody());
                if (body instanceof String text) {
                    send(exchange, 200, text);
                } else {
                    send(exchange, 200, json.writeValueAsString(body));
                }
            } catch (SchemaRegistryException e) {
                sendError(exchange, e.httpStatus(), e.errorCode(), e.getMessage());
            } catch (RouteNotFound e) {
                sendError(exchange, e.status, e.status, e.getMessage());
            } catch (JsonProcessingException e) {
                sendError(exchange, 400, 400, "Invalid JSON body: " + e.getOriginalMessage());
            } catch (RuntimeException e) {
                log.error("Schema registry request {} {} failed", method, path, e);
                sendError(exchange, 500, 50001, "Internal error: " + e.getMessage());
            }
        }
    }

    /** Whether the request bears one of the users' credentials (compared in constant time), or none are needed. */
    private boolean authorized(HttpExchange exchange) {
        if (credentials.isEmpty()) {
            return true;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        byte[] given = header == null ? new byte[0] : header.trim().getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (byte[] accepted : credentials) {
            match |= java.security.MessageDigest.isEqual(given, accepted);
        }
        return match;
    }

    private Object route(String method, String path, String query, InputStream bodyStream) throws IOException {
        Matcher m;
        if (path.equals("/") || path.isEmpty()) {
            return json.createObjectNode();
        }
        if (path.equals("/subjects") || path.equals("/subjects/")) {
            requireMethod(method, "GET");
            return state.subjects();
        }
        if (path.equals("/schemas/types")) {
            requireMethod(method, "GET");
            return List.of("AVRO");
        }
        if ((m = SUBJECT_VERSIONS.matcher(path)).matches()) {
            String subject = decode(m.group(1));
            if (method.equals("GET")) {
                return state.versions(subject);
            }
            requireMethod(method, "POST");
            RegisteredSchema registered = state.register(subject, schemaOf(bodyStream));
            return json.createObjectNode().put("id", registered.id());
        }
        if ((m = SUBJECT_VERSION.matcher(path)).matches()) {
            requireMethod(method, "GET");
            RegisteredSchema registered = state.version(decode(m.group(1)), parseVersion(decode(m.group(2))));
            return m.group(3) != null ? registered.schema() : describe(registered);
        }
        if ((m = SUBJECT.matcher(path)).matches()) {
            requireMethod(method, "POST");
            return describe(state.lookup(decode(m.group(1)), schemaOf(bodyStream)));
        }
        if ((m = SCHEMA_ID.matcher(path)).matches()) {
            requireMethod(method, "GET");
            int id = parseId(m.group(1));
            if ("/versions".equals(m.group(2))) {
                ArrayNode versions = json.createArrayNode();
                state.versionsOfId(id)
                        .forEach(v ->
                                versions.addObject().put("subject", v.subject()).put("version", v.version()));
                return versions;
            }
            String schema = state.schemaById(id);
            return "/schema".equals(m.group(2))
                    ? schema
                    : json.createObjectNode().put("schema", schema);
        }
        if ((m = COMPATIBILITY.matcher(path)).matches()) {
            requireMethod(method, "POST");
            String subject = decode(m.group(1));
            String schema = schemaOf(bodyStream);
            Integer version = m.group(2) == null ? null : parseVersion(decode(m.group(2)));
            List<String> problems = state.testCompatibility(subject, schema, version);
            ObjectNode result = json.createObjectNode().put("is_compatible", problems.isEmpty());
            if (query != null && query.contains("verbose=true")) {
                problems.forEach(result.putArray("messages")::add);
            }
            return result;
        }
        if ((m = CONFIG.matcher(path)).matches()) {
            String subject = m.group(1) == null ? null : decode(m.group(1));
            if (method.equals("PUT")) {
                JsonNode body = json.readTree(bodyStream);
                CompatibilityLevel level =
                        CompatibilityLevel.parse(body.path("compatibility").asText(null));
                state.setLevel(subject, level);
                return json.createObjectNode().put("compatibility", level.name());
            }
            requireMethod(method, "GET");
            boolean defaultToGlobal = query != null && query.contains("defaultToGlobal=true");
            CompatibilityLevel level =
                    subject == null || defaultToGlobal ? state.levelFor(subject) : state.subjectLevel(subject);
            return json.createObjectNode().put("compatibilityLevel", level.name());
        }
        throw new RouteNotFound(404, "HTTP 404 Not Found");
    }

    private ObjectNode describe(RegisteredSchema registered) {
        return json.createObjectNode()
                .put("subject", registered.subject())
                .put("version", registered.version())
                .put("id", registered.id())
                .put("schema", registered.schema());
    }

    private String schemaOf(InputStream bodyStream) throws IOException {
        JsonNode body = json.readTree(bodyStream);
        if (body == null || !body.isObject()) {
            throw new SchemaRegistryException(
                    SchemaRegistryException.INVALID_SCHEMA, "Request body must be a JSON object");
        }
        String type = body.path("schemaType").asText("AVRO");
        if (!"AVRO".equalsIgnoreCase(type)) {
            throw new SchemaRegistryException(
                    SchemaRegistryException.INVALID_SCHEMA,
                    "Unsupported schema type " + type + "; only AVRO is served");
        }
        if (body.path("references").size() > 0) {
            throw new SchemaRegistryException(
                    SchemaRegistryException.INVALID_SCHEMA, "Schema references are not supported by this registry");
        }
        return body.path("schema").asText(null);
    }

    private static int parseVersion(String version) {
        if (version.equals("latest") || version.equals("-1")) {
            return -1;
        }
        try {
            return Integer.parseInt(version);
        } catch (NumberFormatException e) {
            throw new SchemaRegistryException(
                    SchemaRegistryException.INVALID_VERSION,
                    "The specified version '" + version + "' is not a valid version id. Allowed values are between"
                            + " [1, 2^31-1] and the string \"latest\"");
        }
    }

    private static int parseId(String id) {
        try {
            return Integer.parseInt(id);
        } catch (NumberFormatException e) {
            throw new SchemaRegistryException(SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
        }
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment, StandardCharsets.UTF_8);
    }

    private static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw new RouteNotFound(405, "HTTP 405 Method Not Allowed");
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void sendError(HttpExchange exchange, int status, int errorCode, String message) throws IOException {
        ObjectNode error = json.createObjectNode().put("error_code", errorCode).put("message", message);
        send(exchange, status, error.toString());
    }

    /** A path or method this registry does not serve. */
    private static final class RouteNotFound extends RuntimeException {
        private final int status;

        RouteNotFound(int status, String message) {
            super(message);
            this.status = status;
        }
    }
}
