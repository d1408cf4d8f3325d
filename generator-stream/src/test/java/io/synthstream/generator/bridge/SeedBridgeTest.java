package io.synthstream.generator.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.SeedRecord;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.topics.Topics;
import io.synthstream.generator.config.GeneratorConfig;
import io.synthstream.generator.topology.GeneratorProposalsTestRequests;
import io.synthstream.schemas.serde.GenericAvroDeserializer;
import io.synthstream.schemas.serde.WireFormat;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** What the bridge writes for each record of a seed topic: JSON, Avro in the wire format, and bad records. */
class SeedBridgeTest {
    private final SynthSerdes serdes = SynthSerdes.from(new SynthConfig(
            GeneratorConfig.definition(),
            Map.of(
                    SynthConfig.APPLICATION_ID.key(),
                    "bridge-test",
                    SynthConfig.SCHEMA_REGISTRY_URL.key(),
                    "mem://" + UUID.randomUUID())));

    private SeedBridge bridge(String format) {
        GenerationRequest request = GeneratorProposalsTestRequests.parse("""
                {"request_id": "live", "dataset": "tickets", "task": {"kind": "custom",
                  "instruction_template": "Rewrite {{ seed.body }}", "output_fields": [{"name": "text", "type": "string"}]},
                 "count": 100, "model": {},
                 "seeds": {"source": "topic", "topic": "tickets", "format": "%s", "id_field": "ticket"}}
                """.formatted(format));
        return new SeedBridge(
                request,
                "synth-generator",
                Map.of("bootstrap.servers", "localhost:1"),
                serdes.value(Topics.SEEDS).serializer(),
                serdes.value(Topics.DLQ).serializer(),
                new GenericAvroDeserializer(serdes.registry()));
    }

    private static ConsumerRecord<byte[], byte[]> record(long offset, byte[] value) {
        return new ConsumerRecord<>("tickets", 1, offset, "k".getBytes(StandardCharsets.UTF_8), value);
    }

    @Test
    void aJsonObjectBecomesASeedKeyedByTheRequestAndABadRecordADeadLetter() {
        try (SeedBridge bridge = bridge("json")) {
            jsonRecords(bridge);
        }
    }

    private void jsonRecords(SeedBridge bridge) {
        ProducerRecord<byte[], byte[]> good = bridge.forward(record(
                7,
                "{\"ticket\": \"T-9\", \"body\": \"Parcel late\", \"priority\": 2}".getBytes(StandardCharsets.UTF_8)));
        assertThat(good.topic()).isEqualTo(Topics.SEEDS.name());
        assertThat(new String(good.key(), StandardCharsets.UTF_8)).isEqualTo("live");
        SeedRecord seed = serdes.value(Topics.SEEDS).deserializer().deserialize(good.topic(), good.value());
        assertThat(seed.getSeedId()).isEqualTo("T-9");
        assertThat(seed.getSource()).isEqualTo("topic:tickets");
        assertThat(seed.getFields()).containsEntry("body", "Parcel late").containsEntry("priority", "2");

        ProducerRecord<byte[], byte[]> bad = bridge.forward(record(8, "[1, 2]".getBytes(StandardCharsets.UTF_8)));
        assertThat(bad.topic()).isEqualTo(Topics.DLQ.name());
        DeadLetter letter = serdes.value(Topics.DLQ).deserializer().deserialize(bad.topic(), bad.value());
        assertThat(letter.getReason()).isEqualTo("invalid_seed");
        assertThat(letter.getOriginOffset()).isEqualTo(8L);
        assertThat(letter.getRequestId()).isEqualTo("live");
        assertThat(letter.getMessage()).contains("tickets-1@8", "expected a JSON object");
    }

    @Test
    void avroInTheWireFormatIsReadWithItsWriterSchema() throws Exception {
        Schema schema = SchemaBuilder.record("Ticket")
                .fields()
                .requiredString("ticket")
                .requiredString("body")
                .requiredInt("priority")
                .endRecord();
        int id = serdes.registry().register("tickets-value", schema);
        GenericRecord ticket = new GenericData.Record(schema);
        ticket.put("ticket", "T-1");
        ticket.put("body", "Refund please");
        ticket.put("priority", 3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer header = ByteBuffer.allocate(WireFormat.HEADER_SIZE);
        WireFormat.writeHeader(header, id);
        out.write(header.array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(ticket, encoder);
        encoder.flush();

        try (SeedBridge bridge = bridge("avro")) {
            avroRecords(bridge, out.toByteArray());
        }
    }

    private void avroRecords(SeedBridge bridge, byte[] payload) {
        ProducerRecord<byte[], byte[]> good = bridge.forward(record(1, payload));
        SeedRecord seed = serdes.value(Topics.SEEDS).deserializer().deserialize(good.topic(), good.value());
        assertThat(seed.getSeedId()).isEqualTo("T-1");
        assertThat(seed.getFields()).containsEntry("body", "Refund please").containsEntry("priority", "3");

        ProducerRecord<byte[], byte[]> json = bridge.forward(record(2, "{\"x\": 1}".getBytes(StandardCharsets.UTF_8)));
        assertThat(json.topic()).isEqualTo(Topics.DLQ.name()); // not the wire format: magic byte
    }
}
