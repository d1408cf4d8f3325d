// Driven by KafkajsRegistryInteropIT: talks to the embedded registry with kafkajs' client.
// Usage: node interop.mjs <registryUrl> <subjectOfJavaSchema> <hexOfJavaPayload> [user:password]
// Prints one JSON object on stdout. With user:password it sends HTTP basic auth.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';

const [registryUrl, javaSubject, javaPayloadHex, userInfo] = process.argv.slice(2);
const auth = userInfo
  ? { username: userInfo.slice(0, userInfo.indexOf(':')), password: userInfo.slice(userInfo.indexOf(':') + 1) }
  : undefined;
const registry = new SchemaRegistry({ host: registryUrl, auth });

// 1. Decode what the Java serializer wrote (schema fetched by the id in the wire-format header).
const decoded = await registry.decode(Buffer.from(javaPayloadHex, 'hex'));

// 2. Encode a record with the schema Java registered, for the Java deserializer to read.
const javaSchemaId = await registry.getLatestSchemaId(javaSubject);
const encoded = await registry.encode(javaSchemaId, {
  app: 'kafkajs',
  stage: 'interop',
  reason: 'node_wrote_this',
  message: 'written by @kafkajs/confluent-schema-registry',
  origin_offset: 42,
  failed_at: 1767225600000,
});

// 3. Register a schema of its own (the client first asks /config/<subject>, then registers).
const { id: nodeSchemaId } = await registry.register(
  {
    type: SchemaType.AVRO,
    schema: JSON.stringify({
      type: 'record',
      name: 'NodeThing',
      namespace: 'interop',
      fields: [{ name: 'name', type: 'string' }],
    }),
  },
  { subject: 'interop.node-value' },
);

process.stdout.write(
  JSON.stringify({
    decoded: {
      app: decoded.app,
      stage: decoded.stage,
      message: decoded.message,
      origin_topic: decoded.origin_topic,
      origin_offset: Number(decoded.origin_offset),
      original_value_hex: decoded.original_value ? Buffer.from(decoded.original_value).toString('hex') : null,
    },
    javaSchemaId,
    encodedHex: encoded.toString('hex'),
    nodeSchemaId,
  }),
);
