// Driven by PublishFromKafkajsIT: a new user's producer in Node.js. Fetches the latest schema of
// synth.requests-value from the registry (registered by the platform when it started), encodes a
// request against it and publishes it to synth.requests with kafkajs.
// Usage: node publish-request.mjs <bootstrapServers> <registryUrl> <request.json>
// Prints one JSON object on stdout: the schema id used.
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

const [bootstrap, registryUrl, requestFile] = process.argv.slice(2);
const registry = new SchemaRegistry({ host: registryUrl });
const request = JSON.parse(readFileSync(requestFile, 'utf8'));

const id = await registry.getLatestSchemaId('synth.requests-value');
// The schema's defaults fill in every field the request leaves out.
const type = await registry.getSchema(id);
const value = await registry.encode(id, type.clone(request));

const kafka = new Kafka({ clientId: 'kafkajs-interop', brokers: bootstrap.split(','), logLevel: logLevel.ERROR });
const producer = kafka.producer();
await producer.connect();
await producer.send({ topic: 'synth.requests', messages: [{ key: request.request_id, value }] });
await producer.disconnect();
process.stdout.write(JSON.stringify({ schemaId: id }));
