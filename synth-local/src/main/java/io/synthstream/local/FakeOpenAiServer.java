package io.synthstream.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.synthstream.common.llm.OpenAiProvider;
import io.synthstream.common.llm.SimulatedContent;
import io.synthstream.common.llm.SimulatedProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local OpenAI-compatible chat-completions server for tests, benchmarks and fault-injection
 * (long because it stands in for a whole server, chat, embeddings and faults, in one place)
 * runs: {@code POST /v1/chat/completions} answers with {@link SimulatedContent} filling the
 * request's {@code response_format} JSON schema, after a lognormal latency, or with an injected
 * fault. Faults come from a script (the next N requests, for tests that want one exact failure) or
 * from configured rates. Responses are scheduled, not slept, so thousands of calls can be open at
 * once on two threads.
 *
 * <p>Run it on its own: {@code java -cp common.jar io.synthstream.local.FakeOpenAiServer
 * --port=8089 --latency-median-ms=200 --latency-sigma=0.5 --rate.RATE_LIMITED=0.02
 * --capacity=slots:16}; {@code --usage=false} leaves {@code usage} out of the replies.
 */
public final class FakeOpenAiServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a request can get instead of a normal reply. */
    public enum Fault {
        BAD_REQUEST,
        UNAUTHORIZED,
        NOT_FOUND,
        /** 429 with {@code Retry-After: 1}. */
        RATE_LIMITED,
        /** 429 without {@code Retry-After}. */
        RATE_LIMITED_NO_RETRY_AFTER,
        SERVER_ERROR,
        UNAVAILABLE,
        /** The connection is closed without a response. */
        CONNECTION_RESET,
        /** No response for {@link Settings#hang()}. */
        HANG,
        /** 200 whose message content is cut-off JSON. */
        MALFORMED_CONTENT,
        /** 200 with {@code finish_reason=length} and truncated content. */
        LENGTH,
        /** 200 with {@code finish_reason=content_filter}. */
        CONTENT_FILTER
    }

    /**
     * @param medianLatency median of the lognormal latency of normal replies
     * @param latencySigma sigma of its logarithm
     * @param rates probability per fault for requests not covered by the script
     * @param hang how long a {@link Fault#HANG} keeps the connection silent
     * @param apiKey when set, requests without {@code Authorization: Bearer <apiKey>} get 401
     * @param capacity how concurrent requests share the server: {@code unlimited}, {@code slots:<c>}
     *     or {@code sharing:<k>} ({@link ServerCapacity}); the latency is each reply's time alone
     */
    public record Settings(
            Duration medianLatency,
            double latencySigma,
            Map<Fault, Double> rates,
            Duration hang,
            String apiKey,
            String capacity,
            boolean reportsUsage) {
        public static Settings instant() {
            return new Settings(Duration.ZERO, 0, Map.of(), Duration.ofMinutes(5), null, "unlimited", true);
        }

        public Settings withLatency(Duration median, double sigma) {
            return new Settings(median, sigma, rates, hang, apiKey, capacity, reportsUsage);
        }

        public Settings withRates(Map<Fault, Double> faultRates) {
            return new Settings(medianLatency, latencySigma, faultRates, hang, apiKey, capacity, reportsUsage);
        }

        public Settings withApiKey(String key) {
            return new Settings(medianLatency, latencySigma, rates, hang, key, capacity, reportsUsage);
        }

        /** These settings with a capacity model ({@link ServerCapacity}): unlimited, slots:c or sharing:k. */
        public Settings withCapacity(String model) {
            return new Settings(medianLatency, latencySigma, rates, hang, apiKey, model, reportsUsage);
        }

        /** These settings for a server that leaves {@code usage} out of its replies (as some self-hosted ones do). */
        public Settings withoutUsage() {
            return new Settings(medianLatency, latencySigma, rates, hang, apiKey, capacity, false);
        }
    }

    private final Settings settings;
    private final HttpServer server;
    private final ScheduledExecutorService scheduler =
            Executors.newScheduledThreadPool(2, OpenAiProvider.daemon("fake-openai"));
    private final ConcurrentLinkedQueue<Fault> script = new ConcurrentLinkedQueue<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final java.util.concurrent.ConcurrentLinkedQueue<Long> chatArrivals =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final Map<Fault, AtomicLong> faults = new EnumMap<>(Fault.class);
    private final List<JsonNode> lastBodies = java.util.Collections.synchronizedList(new ArrayList<>());
    private final ServerCapacity capacity;
    private final ConcurrentLinkedQueue<Long> servedMicros = new ConcurrentLinkedQueue<>();

    /**
     * A chat request that carried an {@code Idempotency-Key}: when it arrived and when (and with
     * which status) it was answered, as a provider's bill would show it.
     *
     * @param answeredMillis -1 while unanswered
     * @param status the HTTP status answered, 0 while unanswered or when the connection was closed
     */
    public record KeyedCall(String key, long arrivedMillis, long answeredMillis, int status) {
        public boolean billedBefore(long millis) {
            return status == 200 && answeredMillis >= 0 && answeredMillis < millis;
        }
    }

    /**
     * What a crash at {@code killMillis} cost, from the keyed calls: {@code inFlight} calls had
     * reached the server and had no reply billed when it came; after it, {@code paidAgain} replies
     * were billed for calls sent before it, {@code paidTwice} of them for calls whose reply had
     * been billed before it (a reply that arrived and was lost).
     */
    public record Repaid(int inFlight, int paidAgain, int paidTwice) {
        public static Repaid at(List<KeyedCall> calls, long killMillis) {
            return at(calls, killMillis, Long.MAX_VALUE);
        }

        /** The cost of the crash at {@code killMillis} in calls that arrived before {@code untilMillis}. */
        public static Repaid at(List<KeyedCall> calls, long killMillis, long untilMillis) {
            java.util.Set<String> before = new java.util.HashSet<>();
            java.util.Set<String> billed = new java.util.HashSet<>();
            java.util.Set<String> open = new java.util.HashSet<>();
            for (KeyedCall c : calls) {
                if (c.arrivedMillis() < killMillis) {
                    before.add(c.key());
                    if (c.billedBefore(killMillis)) {
                        billed.add(c.key());
                    } else if (c.answeredMillis() < 0 || c.answeredMillis() >= killMillis) {
                        open.add(c.key());
                    }
                }
            }
            open.removeAll(billed);
            int paidAgain = 0;
            int paidTwice = 0;
            for (KeyedCall c : calls) {
                if (c.arrivedMillis() >= killMillis
                        && c.arrivedMillis() < untilMillis
                        && c.status() == 200
                        && before.contains(c.key())) {
                    paidAgain++;
                    if (billed.contains(c.key())) {
                        paidTwice++;
                    }
                }
            }
            return new Repaid(open.size(), paidAgain, paidTwice);
        }

        public Repaid plus(Repaid other) {
            return new Repaid(inFlight + other.inFlight, paidAgain + other.paidAgain, paidTwice + other.paidTwice);
        }

        /** Calls paid after the crash per call in flight without a reply (1.0: nothing paid twice). */
        public double ratio() {
            return inFlight == 0 ? Double.NaN : (double) paidAgain / inFlight;
        }
    }

    /** A keyed request in progress. */
    private static final class Tracked {
        final String key;
        final long arrived = System.currentTimeMillis();
        volatile long answered = -1;
        volatile int status;

        Tracked(String key) {
            this.key = key;
        }
    }

    private final ConcurrentLinkedQueue<Tracked> tracked = new ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger trackedCount =
            new java.util.concurrent.atomic.AtomicInteger();
    /** The most keyed calls remembered: a long-running server forgets the oldest. */
    private static final int MAX_TRACKED = 1_000_000;

    private FakeOpenAiServer(Settings settings, int port) throws IOException {
        this.settings = settings;
        this.capacity = ServerCapacity.parse(settings.capacity(), scheduler);
        for (Fault f : Fault.values()) {
            faults.put(f, new AtomicLong());
        }
        this.server = io.synthstream.schemas.registry.HttpServers.create(new InetSocketAddress("127.0.0.1", port), 512);
        server.createContext("/v1/chat/completions", this::handle);
        server.createContext("/v1/embeddings", this::embeddings);
        server.setExecutor(scheduler);
        server.start();
    }

    /** Starts a server on {@code port} (0 = a free port). */
    public static FakeOpenAiServer start(Settings settings, int port) {
        try {
            return new FakeOpenAiServer(settings, port);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("Cannot start the fake OpenAI server on port " + port, e);
        }
    }

    /** The base URL to configure as {@code llm.base.url}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** The next requests get these faults, in order, before the rates apply again. */
    public FakeOpenAiServer script(Fault... next) {
        script.addAll(List.of(next));
        return this;
    }

    public long requests() {
        return requests.get();
    }

    /** When each chat-completion request arrived (epoch millis), in order: what a provider's rate limit counts. */
    public List<Long> chatArrivals() {
        return List.copyOf(chatArrivals);
    }

    /** Chat completions answered with a 200 reply: the calls a provider would bill. */
    public long completionsAnswered() {
        return answered.get();
    }

    public long faults(Fault fault) {
        return faults.get(fault).get();
    }

    /**
     * Every chat request that carried an {@code Idempotency-Key}, in arrival order: which calls
     * were paid again, and which were in flight at a moment (a benchmark's kill).
     */
    public List<KeyedCall> keyedCalls() {
        List<KeyedCall> out = new ArrayList<>();
        for (Tracked t : tracked) {
            out.add(new KeyedCall(t.key, t.arrived, t.answered, t.status));
        }
        return out;
    }

    /** The bodies of the last requests received (at most 100). */
    public List<JsonNode> lastBodies() {
        synchronized (lastBodies) {
            return List.copyOf(lastBodies);
        }
    }

    /** Dimensions of the fake embeddings. */
    public static final int EMBEDDING_DIMENSIONS = 64;

    /**
     * {@code /v1/embeddings}: deterministic feature-hashed bag-of-words vectors (unit length), so that
     * texts sharing words are similar; honours the API key and the scripted faults' status codes.
     */
    private void embeddings(HttpExchange exchange) throws IOException {
        JsonNode body = readBody(exchange);
        if (body == null) {
            return;
        }
        if (!authorized(exchange)) {
            return;
        }
        JsonNode input = body.path("input");
        List<String> texts = new ArrayList<>();
        if (input.isArray()) {
            input.forEach(t -> texts.add(t.asText()));
        } else if (input.isTextual()) {
            texts.add(input.asText());
        } else {
            respond(exchange, 400, error("input must be a string or an array of strings"), null);
            return;
        }
        ObjectNode reply = JSON.createObjectNode()
                .put("object", "list")
                .put("model", body.path("model").asText());
        var data = reply.putArray("data");
        long tokens = 0;
        for (int i = 0; i < texts.size(); i++) {
            double[] v = new double[EMBEDDING_DIMENSIONS];
            for (String word : texts.get(i).toLowerCase(java.util.Locale.ROOT).split("\\W+")) {
                if (!word.isEmpty()) {
                    int h = word.hashCode();
                    v[Math.floorMod(h, EMBEDDING_DIMENSIONS)] += (h & 0x10000) == 0 ? 1 : -1;
                    tokens++;
                }
            }
            double norm = Math.sqrt(java.util.Arrays.stream(v).map(x -> x * x).sum());
            var vector =
                    data.addObject().put("object", "embedding").put("index", i).putArray("embedding");
            for (double x : v) {
                vector.add(norm == 0 ? 0 : x / norm);
            }
        }
        reply.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        respond(exchange, 200, reply.toString(), null);
    }

    private void handle(HttpExchange exchange) throws IOException {
        JsonNode body = readBody(exchange);
        if (body == null) {
            return;
        }
        chatArrivals.add(System.currentTimeMillis());
        synchronized (lastBodies) {
            lastBodies.add(body);
            if (lastBodies.size() > 100) {
                lastBodies.remove(0);
            }
        }
        if (!authorized(exchange)) {
            return;
        }
        String idempotencyKey = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        Tracked call = idempotencyKey == null ? null : new Tracked(idempotencyKey);
        if (call != null) {
            tracked.add(call);
            if (trackedCount.incrementAndGet() > MAX_TRACKED && tracked.poll() != null) {
                trackedCount.decrementAndGet();
            }
        }
        Fault fault = script.poll();
        if (fault == null) {
            fault = randomFault();
        }
        if (fault != null) {
            faults.get(fault).incrementAndGet();
        }
        long delay = SimulatedProvider.lognormalMillis(settings.medianLatency(), settings.latencySigma());
        Fault chosen = fault;
        if (chosen == Fault.HANG) {
            scheduler.schedule(exchange::close, settings.hang().toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        if (chosen == null) {
            long arrived = System.nanoTime();
            capacity.admit(delay, () -> {
                reply(exchange, body, null, call);
                servedMicros.add((System.nanoTime() - arrived) / 1000);
            });
        } else {
            scheduler.schedule(() -> reply(exchange, body, chosen, call), delay, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The time each normal reply spent on the server (arrival to reply, queueing included) since
     * the last call, in microseconds; for benchmarks.
     */
    public List<Long> drainServedMicros() {
        List<Long> out = new ArrayList<>();
        Long v;
        while ((v = servedMicros.poll()) != null) {
            out.add(v);
        }
        return out;
    }

    /**
     * A small structured-output chat request (one {@code text} field) of the kind this server
     * answers, for tests and benchmarks that need calls, not particular content.
     */
    public static io.synthstream.common.llm.LlmRequest textRequest() {
        ObjectNode schema = JSON.createObjectNode().put("type", "object");
        schema.putObject("properties").putObject("text").put("type", "string");
        return new io.synthstream.common.llm.LlmRequest(
                null,
                List.of(
                        io.synthstream.common.llm.LlmRequest.Message.system("You write data."),
                        io.synthstream.common.llm.LlmRequest.Message.user("Write one text.")),
                0.7,
                null,
                200,
                null,
                io.synthstream.common.llm.LlmRequest.ResponseFormat.JSON_SCHEMA,
                schema,
                Map.of());
    }

    /** The most requests the capacity model had in service at once. */
    public int peakInService() {
        return capacity.peakInService();
    }

    private void reply(HttpExchange exchange, JsonNode body, Fault fault, Tracked call) {
        try {
            if (fault == null
                    || fault == Fault.MALFORMED_CONTENT
                    || fault == Fault.LENGTH
                    || fault == Fault.CONTENT_FILTER) {
                String completion = completion(body, fault);
                if (call != null) { // billed as the reply is sent, whether or not the client still reads it
                    call.status = 200;
                    call.answered = System.currentTimeMillis();
                }
                respond(exchange, 200, completion, null);
                answered.incrementAndGet();
                return;
            }
            if (call != null) {
                call.answered = System.currentTimeMillis();
            }
            switch (fault) {
                case BAD_REQUEST -> respond(exchange, 400, error("Invalid request: unsupported parameter"), null);
                case UNAUTHORIZED -> unauthorized(exchange);
                case NOT_FOUND -> respond(exchange, 404, error("The model does not exist"), null);
                case RATE_LIMITED -> respond(exchange, 429, error("Rate limit reached"), "1");
                case RATE_LIMITED_NO_RETRY_AFTER -> respond(exchange, 429, error("Rate limit reached"), null);
                case SERVER_ERROR -> respond(exchange, 500, error("The server had an error"), null);
                case UNAVAILABLE -> respond(exchange, 503, error("The engine is currently overloaded"), null);
                case CONNECTION_RESET -> exchange.close();
                default -> respond(exchange, 500, error("unexpected fault " + fault), null);
            }
        } catch (IOException | RuntimeException e) {
            exchange.close();
        }
    }

    private String completion(JsonNode body, Fault fault) {
        JsonNode schemaNode = body.path("response_format").path("json_schema").path("schema");
        ObjectNode schema = schemaNode.isObject() ? (ObjectNode) schemaNode : null;
        long seed = body.path("messages").toString().hashCode() * 1_000_003L
                + body.path("seed").asLong(0);
        String prompt = null;
        for (JsonNode message : body.path("messages")) {
            if ("user".equals(message.path("role").asText())) {
                prompt = message.path("content").asText();
            }
        }
        String content = SimulatedContent.reply(prompt, schema, Map.of(), seed, SimulatedContent.Rates.NONE);
        String finish = "stop";
        if (fault == Fault.MALFORMED_CONTENT) {
            content = content.substring(0, content.length() / 2);
        } else if (fault == Fault.LENGTH) {
            content = content.substring(0, content.length() / 2);
            finish = "length";
        } else if (fault == Fault.CONTENT_FILTER) {
            content = "";
            finish = "content_filter";
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("id", "chatcmpl-fake-" + requests.get());
        root.put("object", "chat.completion");
        root.put("model", body.path("model").asText("fake-model"));
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", content);
        choice.put("finish_reason", finish);
        if (settings.reportsUsage()) {
            ObjectNode usage = root.putObject("usage");
            usage.put("prompt_tokens", body.path("messages").toString().length() / 4);
            usage.put("completion_tokens", content.length() / 4);
        }
        return root.toString();
    }

    /** Counts the request and reads its JSON body; answers 400 and gives null when it is not JSON. */
    private JsonNode readBody(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try {
            return JSON.readTree(exchange.getRequestBody().readAllBytes());
        } catch (IOException e) {
            respond(exchange, 400, error("Request body is not JSON"), null);
            return null;
        }
    }

    /** Whether the request carries the configured key; answers 401 when it does not. */
    private boolean authorized(HttpExchange exchange) throws IOException {
        if (settings.apiKey() == null
                || ("Bearer " + settings.apiKey())
                        .equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            return true;
        }
        unauthorized(exchange);
        return false;
    }

    /**
     * 401 with the key the request carried echoed in the message, as providers and proxies do, so
     * that tests can show a client redacts it.
     */
    private static void unauthorized(HttpExchange exchange) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        String key = authorization == null ? "none" : authorization.replaceFirst("^Bearer ", "");
        respond(
                exchange,
                401,
                error("Incorrect API key provided: " + key
                        + ". You can find your API key at https://platform.openai.com/account/api-keys."),
                null);
    }

    private static String error(String message) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("error").put("message", message).put("type", "fake_error");
        return root.toString();
    }

    private static void respond(HttpExchange exchange, int status, String body, String retryAfter) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (retryAfter != null) {
            exchange.getResponseHeaders().set("Retry-After", retryAfter);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private Fault randomFault() {
        double roll = ThreadLocalRandom.current().nextDouble();
        double acc = 0;
        for (Map.Entry<Fault, Double> e : settings.rates().entrySet()) {
            acc += e.getValue();
            if (roll < acc) {
                return e.getKey();
            }
        }
        return null;
    }

    @Override
    public void close() {
        server.stop(0);
        scheduler.shutdownNow();
    }

    /** Runs the server until the process is stopped; options are {@code --name=value}. */
    public static void main(String[] args) throws InterruptedException {
        int port = 8089;
        long median = 200;
        double sigma = 0.5;
        String key = null;
        String capacity = "unlimited";
        boolean usage = true;
        Map<Fault, Double> rates = new EnumMap<>(Fault.class);
        for (String arg : args) {
            String[] kv = arg.replaceFirst("^--", "").split("=", 2);
            if (kv.length != 2) {
                System.err.println("Expected --name=value, got " + arg);
                System.exit(2);
            }
            switch (kv[0]) {
                case "port" -> port = Integer.parseInt(kv[1]);
                case "latency-median-ms" -> median = Long.parseLong(kv[1]);
                case "latency-sigma" -> sigma = Double.parseDouble(kv[1]);
                case "api-key" -> key = kv[1];
                case "capacity" -> capacity = kv[1];
                case "usage" -> usage = Boolean.parseBoolean(kv[1]);
                default -> {
                    if (kv[0].startsWith("rate.")) {
                        rates.put(Fault.valueOf(kv[0].substring(5)), Double.parseDouble(kv[1]));
                    } else {
                        System.err.println("Unknown option --" + kv[0]);
                        System.exit(2);
                    }
                }
            }
        }
        FakeOpenAiServer server = start(
                new Settings(Duration.ofMillis(median), sigma, rates, Duration.ofMinutes(5), key, capacity, usage),
                port);
        System.out.println("Fake OpenAI-compatible server on " + server.baseUrl() + " (latency median " + median
                + " ms, sigma " + sigma + ", capacity " + capacity + ", faults " + rates + ")");
        Thread.currentThread().join();
    }
}
