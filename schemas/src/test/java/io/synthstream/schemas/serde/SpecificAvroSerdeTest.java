package io.synthstream.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.Sample;
import io.synthstream.schemas.TestRecords;
import io.synthstream.schemas.registry.InMemorySchemaRegistryClient;
import io.synthstream.schemas.registry.SchemaRegistryClient;
import io.synthstream.schemas.registry.SchemaRegistryState;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SpecificAvroSerdeTest {
    private static final String TOPIC = "synth.test";

    private SchemaRegistryClient registry;

    @BeforeEach
    void setUp() {
        registry = new InMemorySchemaRegistryClient(SchemaRegistryState.inMemory());
    }

    static Iterable<SpecificRecord> everyRecord() {
        return TestRecords.allTopLevel();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyRecord")
    @SuppressWarnings({"unchecked", "rawtypes"})
    void shouldRoundTripEveryTopLevelRecord(SpecificRecord record) {
        SpecificAvroSerde serde = new SpecificAvroSerde(record.getClass(), registry, true);

        byte[] bytes = serde.serializer().serialize(TOPIC, record);
        Object back = serde.deserializer().deserialize(TOPIC, bytes);

        assertThat(back).isEqualTo(record);
    }

    @Test
    void shouldWriteConfluentWireFormat() throws Exception {
        Sample sample = TestRecords.sample("s-1");
        SpecificAvroSerializer<Sample> serializer = new SpecificAvroSerializer<>(registry, true);

        byte[] bytes = serializer.serialize(TOPIC, sample);

        int id = registry.getId(TOPIC + "-value", Sample.getClassSchema());
        assertThat(bytes[0]).as("magic byte").isEqualTo((byte) 0);
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt())
                .as("big-endian schema id")
                .isEqualTo(id);
        assertThat(Arrays.copyOfRange(bytes, 5, bytes.length))
                .as("plain Avro binary body")
                .isEqualTo(avroBinary(sample));
    }

    @Test
    void shouldRegisterUnderTopicNameStrategySubjects() {
        new SpecificAvroSerializer<Sample>(registry, true).serialize("synth.samples.raw", TestRecords.sample("s"));
        SpecificAvroSerializer<Sample> keySerializer = new SpecificAvroSerializer<>();
        keySerializer.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, "mem://" + UUID.randomUUID()), true);
        keySerializer.close();

        assertThat(registry.subjects()).containsExactly("synth.samples.raw-value");
        assertThat(WireFormat.subject("t", true)).isEqualTo("t-key");
    }

    @Test
    void shouldShareRegistryThroughMemUrlWhenConfiguredByMap() {
        String url = "mem://" + UUID.randomUUID();
        SpecificAvroSerde<Sample> writer = new SpecificAvroSerde<>(Sample.class);
        SpecificAvroSerde<Sample> reader = new SpecificAvroSerde<>(Sample.class);
        writer.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, url), false);
        reader.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, url), false);

        Sample sample = TestRecords.sample("s-1");
        assertThat(reader.deserializer().deserialize(TOPIC, writer.serializer().serialize(TOPIC, sample)))
                .isEqualTo(sample);
    }

    @Test
    void shouldPassTombstonesThrough() {
        SpecificAvroSerde<Sample> serde = new SpecificAvroSerde<>(Sample.class, registry, true);
        assertThat(serde.serializer().serialize(TOPIC, null)).isNull();
        assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
    }

    @Test
    void shouldRejectUnknownMagicByte() {
        SpecificAvroDeserializer<Sample> deserializer = new SpecificAvroDeserializer<>(Sample.class, registry);
        byte[] json = "{\"sample_id\":\"x\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, json))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Unknown magic byte 0x7b")
                .hasMessageContaining(TOPIC);
    }

    @Test
    void shouldRejectPayloadShorterThanHeader() {
        SpecificAvroDeserializer<Sample> deserializer = new SpecificAvroDeserializer<>(Sample.class, registry);

        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, new byte[] {0, 0, 1}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Truncated payload")
                .hasMessageContaining("3 bytes");
    }

    @Test
    void shouldRejectUnknownSchemaId() {
        SpecificAvroDeserializer<Sample> deserializer = new SpecificAvroDeserializer<>(Sample.class, registry);

        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, new byte[] {0, 0, 0, 0x30, 0x39, 2, 'a'}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Unknown schema id 12345");
    }

    @Test
    void shouldRejectTruncatedAvroBody() {
        SpecificAvroSerde<Sample> serde = new SpecificAvroSerde<>(Sample.class, registry, true);
        byte[] bytes = serde.serializer().serialize(TOPIC, TestRecords.sample("s-1"));
        byte[] truncated = Arrays.copyOf(bytes, bytes.length / 2);

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, truncated))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Truncated or corrupt Avro payload");
    }

    @Test
    void shouldRejectTrailingBytes() {
        SpecificAvroSerde<Sample> serde = new SpecificAvroSerde<>(Sample.class, registry, true);
        byte[] bytes = serde.serializer().serialize(TOPIC, TestRecords.sample("s-1"));
        byte[] padded = Arrays.copyOf(bytes, bytes.length + 3);

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, padded))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("trailing bytes");
    }

    @Test
    void shouldFailWithoutAutoRegisterWhenSchemaIsUnknown() {
        SpecificAvroSerializer<Sample> serializer = new SpecificAvroSerializer<>(registry, false);

        assertThatThrownBy(() -> serializer.serialize(TOPIC, TestRecords.sample("s-1")))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Could not find schema io.synthstream.avro.Sample")
                .hasMessageContaining(TOPIC + "-value");
    }

    @Test
    void shouldUseRegisteredIdWithoutAutoRegister() {
        registry.register(TOPIC + "-value", DeadLetter.getClassSchema());
        SpecificAvroSerde<DeadLetter> serde = new SpecificAvroSerde<>(DeadLetter.class, registry, false);

        DeadLetter letter = TestRecords.deadLetter();
        assertThat(serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, letter)))
                .isEqualTo(letter);
    }

    @Test
    void shouldReadDataWrittenWithAnOlderCompatibleSchema() throws Exception {
        // An older DeadLetter had only the required fields; the current reader fills in defaults.
        Schema older = SchemaBuilder.record("DeadLetter")
                .namespace("io.synthstream.avro")
                .fields()
                .requiredString("app")
                .requiredString("stage")
                .requiredString("reason")
                .requiredString("message")
                .name("failed_at")
                .type(org.apache.avro.LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG)))
                .noDefault()
                .endRecord();
        int id = registry.register(TOPIC + "-value", older);
        GenericRecord old = new GenericData.Record(older);
        old.put("app", "a");
        old.put("stage", "s");
        old.put("reason", "r");
        old.put("message", "m");
        old.put("failed_at", 5L);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {0, 0, 0, 0, (byte) id});
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(older).write(old, encoder);
        encoder.flush();

        DeadLetter read =
                new SpecificAvroDeserializer<>(DeadLetter.class, registry).deserialize(TOPIC, out.toByteArray());

        assertThat(read.getMessage()).isEqualTo("m");
        assertThat(read.getSamples()).isZero();
        assertThat(read.getOriginOffset()).isNull();
    }

    @Test
    void shouldRequireRegistryUrlWhenConfiguredByMap() {
        SpecificAvroSerde<Sample> serde = new SpecificAvroSerde<>(Sample.class);
        assertThatThrownBy(() -> serde.configure(Map.of(), false))
                .hasMessageContaining(AvroSerdeConfig.SCHEMA_REGISTRY_URL);
    }

    private static byte[] avroBinary(SpecificRecord record) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        new SpecificDatumWriter<SpecificRecord>(record.getSchema(), SpecificData.getForClass(record.getClass()))
                .write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
