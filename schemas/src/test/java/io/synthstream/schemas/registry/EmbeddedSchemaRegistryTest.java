package io.synthstream.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synthstream.avro.Sample;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP client against the embedded server: both halves of the Confluent REST subset. */
class EmbeddedSchemaRegistryTest {
    private final SchemaRegistryStateTest.ListStore store = new SchemaRegistryStateTest.ListStore();
    private EmbeddedSchemaRegistry server;
    private HttpSchemaRegistryClient client;

    @BeforeEach
    void start() throws Exception {
        server = EmbeddedSchemaRegistry.start("127.0.0.1", 0, store);
        client = new HttpSchemaRegistryClient(HttpSchemaRegistryClient.Settings.of(server.url(), null));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void shouldRegisterFetchByIdAndLatest() {
        int id = client.register("synth.samples.raw-value", Sample.getClassSchema());

        assertThat(client.getById(id)).isEqualTo(Sample.getClassSchema());
        assertThat(client.getId("synth.samples.raw-value", Sample.getClassSchema()))
                .isEqualTo(id);
        RegisteredSchema latest = client.latest("synth.samples.raw-value");
        assertThat(latest.id()).isEqualTo(id);
        assertThat(latest.version()).isEqualTo(1);
        assertThat(client.version("synth.samples.raw-value", 1)).isEqualTo(latest);
        assertThat(client.subjects()).containsExactly("synth.samples.raw-value");
    }

    @Test
    void shouldRejectIncompatibleSchemaWith409NamingTheField() {
        Schema v1 = new Schema.Parser().parse(SchemaRegistryStateTest.V1);
        Schema bad = new Schema.Parser().parse(SchemaRegistryStateTest.V2_INCOMPATIBLE);
        client.register("t-value", v1);

        assertThat(client.testCompatibility("t-value", bad)).anyMatch(m -> m.contains("weight"));
        assertThat(client.testCompatibility(
                        "t-value", new Schema.Parser().parse(SchemaRegistryStateTest.V2_COMPATIBLE)))
                .isEmpty();
        assertThatThrownBy(() -> client.register("t-value", bad))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("weight")
                .extracting(e -> ((SchemaRegistryException) e).errorCode())
                .isEqualTo(409);
    }

    @Test
    void shouldReportUnknownSchemaAndSubjectWithConfluentCodes() {
        assertThatThrownBy(() -> client.getById(4242))
                .extracting(e -> ((SchemaRegistryException) e).errorCode())
                .isEqualTo(40403);
        assertThatThrownBy(() -> client.latest("missing-value"))
                .extracting(e -> ((SchemaRegistryException) e).errorCode())
                .isEqualTo(40401);
        assertThat(client.testCompatibility("missing-value", Sample.getClassSchema()))
                .isEmpty();
    }

    @Test
    void shouldKeepIdsAcrossServerRestartOverTheSameStore() throws Exception {
        int id = client.register("a-value", Sample.getClassSchema());
        server.close();

        server = EmbeddedSchemaRegistry.start("127.0.0.1", 0, store);
        HttpSchemaRegistryClient after =
                new HttpSchemaRegistryClient(HttpSchemaRegistryClient.Settings.of(server.url(), null));

        assertThat(after.getById(id)).isEqualTo(Sample.getClassSchema());
        assertThat(after.register("a-value", Sample.getClassSchema())).isEqualTo(id);
    }

    @Test
    void shouldServeConfigEndpointsLikeConfluent() throws Exception {
        HttpResponse<String> none = get("/config/a-value");
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(none.body()).contains("\"error_code\":40408");
        assertThat(get("/config").body()).isEqualTo("{\"compatibilityLevel\":\"BACKWARD\"}");

        client.setCompatibility("a-value", CompatibilityLevel.FULL);

        assertThat(get("/config/a-value").body()).isEqualTo("{\"compatibilityLevel\":\"FULL\"}");
        assertThat(get("/config/b-value?defaultToGlobal=true").body()).contains("BACKWARD");
    }

    @Test
    void shouldAnswerRawSchemaAndVersionsOfId() throws Exception {
        int id = client.register("a-value", Sample.getClassSchema());
        client.register("b-value", Sample.getClassSchema());

        assertThat(new Schema.Parser()
                        .parse(get("/schemas/ids/" + id + "/schema").body()))
                .isEqualTo(Sample.getClassSchema());
        assertThat(get("/schemas/ids/" + id + "/versions").body())
                .isEqualTo("[{\"subject\":\"a-value\",\"version\":1},{\"subject\":\"b-value\",\"version\":1}]");
        assertThat(get("/subjects/a-value/versions").body()).isEqualTo("[1]");
        assertThat(get("/schemas/types").body()).isEqualTo("[\"AVRO\"]");
    }

    @Test
    void shouldAnswerErrorsAsConfluentJson() throws Exception {
        HttpResponse<String> notFound = get("/nowhere");
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(notFound.body()).contains("\"error_code\":404");
        assertThat(notFound.headers().firstValue("Content-Type")).hasValue("application/vnd.schemaregistry.v1+json");

        HttpResponse<String> badVersion = get("/subjects/a-value/versions/abc");
        assertThat(badVersion.statusCode()).isEqualTo(422);
        assertThat(badVersion.body()).contains("42202");

        HttpResponse<String> badJson = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(server.url() + "/subjects/a-value/versions"))
                                .POST(HttpRequest.BodyPublishers.ofString("{nope"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(badJson.statusCode()).isEqualTo(400);

        HttpResponse<String> protobuf = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(server.url() + "/subjects/a-value/versions"))
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"schema\":\"syntax = \\\"proto3\\\";\",\"schemaType\":\"PROTOBUF\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(protobuf.statusCode()).isEqualTo(422);
        assertThat(protobuf.body()).contains("only AVRO");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withUsersOnlyTheirCredentialsAreAnsweredAndA401IsAClearError() throws Exception {
        try (EmbeddedSchemaRegistry secured = EmbeddedSchemaRegistry.start(
                "127.0.0.1",
                0,
                new SchemaRegistryStateTest.ListStore(),
                EmbeddedSchemaRegistry.users("app:s3cret,ops:pa:ss"))) {
            HttpSchemaRegistryClient app =
                    new HttpSchemaRegistryClient(HttpSchemaRegistryClient.Settings.of(secured.url(), "app:s3cret"));
            int id = app.register("a-value", Sample.getClassSchema());
            HttpSchemaRegistryClient ops =
                    new HttpSchemaRegistryClient(HttpSchemaRegistryClient.Settings.of(secured.url(), "ops:pa:ss"));
            assertThat(ops.getById(id)).isEqualTo(Sample.getClassSchema());

            for (String userInfo : new String[] {null, "app:wrong", "eve:s3cret"}) {
                HttpSchemaRegistryClient stranger =
                        new HttpSchemaRegistryClient(HttpSchemaRegistryClient.Settings.of(secured.url(), userInfo));
                assertThatThrownBy(() -> stranger.getById(id))
                        .isInstanceOf(SchemaRegistryException.class)
                        .hasMessageContaining("HTTP 401")
                        .hasMessageContaining("refused the credentials")
                        .hasMessageNotContaining("wrong")
                        .hasMessageNotContaining("s3cret");
            }
            HttpResponse<String> raw = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(secured.url() + "/subjects"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(raw.statusCode()).isEqualTo(401);
            assertThat(raw.headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
            assertThat(raw.body()).contains("\"error_code\":401");
        }
        assertThatThrownBy(() -> EmbeddedSchemaRegistry.users("app:s3cret,broken"))
                .hasMessage("registry user 2 of 2 is not user:password");
    }
}
