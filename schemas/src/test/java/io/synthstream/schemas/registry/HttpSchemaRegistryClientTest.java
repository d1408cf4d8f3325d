package io.synthstream.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.synthstream.avro.Sample;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Error mapping, retries and auth against a scripted local server, one case per behaviour. */
class HttpSchemaRegistryClientTest {
    private HttpServer server;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final AtomicInteger calls = new AtomicInteger();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private HttpSchemaRegistryClient clientAnswering(List<Integer> statuses, String okBody, String userInfo)
            throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            int call = calls.getAndIncrement();
            int status = statuses.get(Math.min(call, statuses.size() - 1));
            byte[] body = (status == 200 ? okBody : "{\"error_code\":" + (status * 100 + 1) + ",\"message\":\"boom\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        return new HttpSchemaRegistryClient(new HttpSchemaRegistryClient.Settings(
                url,
                userInfo,
                Duration.ofSeconds(2),
                Duration.ofSeconds(2),
                3,
                Duration.ofMillis(1),
                Duration.ofMillis(4)));
    }

    @Test
    void shouldRetryServerErrorsThenSucceed() throws Exception {
        HttpSchemaRegistryClient client = clientAnswering(List.of(503, 500, 200), "{\"id\":7}", null);

        assertThat(client.register("s", Sample.getClassSchema())).isEqualTo(7);
        assertThat(calls.get()).isEqualTo(3);
    }

    @Test
    void shouldGiveUpAfterMaxAttemptsOnServerErrors() throws Exception {
        HttpSchemaRegistryClient client = clientAnswering(List.of(503), "{}", null);

        assertThatThrownBy(() -> client.register("s", Sample.getClassSchema()))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("HTTP 503");
        assertThat(calls.get()).isEqualTo(3);
    }

    @Test
    void shouldNotRetryClientErrors() throws Exception {
        HttpSchemaRegistryClient client = clientAnswering(List.of(404), "{}", null);

        assertThatThrownBy(() -> client.getById(1))
                .extracting(e -> ((SchemaRegistryException) e).errorCode())
                .isEqualTo(40401);
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void shouldSendBasicAuthAndNeverPrintTheSecret() throws Exception {
        HttpSchemaRegistryClient client = clientAnswering(List.of(401), "{}", "alice:s3cret");

        assertThatThrownBy(() -> client.subjects())
                .hasMessageContaining("refused the credentials")
                .hasMessageNotContaining("s3cret");
        assertThat(authorizations).containsExactly("Basic YWxpY2U6czNjcmV0");
        assertThat(client.toString()).doesNotContain("s3cret").contains("[hidden]");
    }

    @Test
    void shouldReportUnreachableRegistryClearly() {
        HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(new HttpSchemaRegistryClient.Settings(
                "http://127.0.0.1:1",
                null,
                Duration.ofMillis(500),
                Duration.ofMillis(500),
                2,
                Duration.ofMillis(1),
                Duration.ofMillis(4)));

        assertThatThrownBy(() -> client.subjects()).hasMessageContaining("unreachable");
    }

    @Test
    void shouldRejectMalformedSettings() {
        assertThatThrownBy(() -> HttpSchemaRegistryClient.Settings.of("localhost:8081", null))
                .hasMessageContaining("http://");
        assertThatThrownBy(() -> HttpSchemaRegistryClient.Settings.of("http://x", "no-colon"))
                .hasMessageContaining("user:password");
    }
}
