package io.synthstream.common.topics;

import io.synthstream.schemas.registry.SchemaRegistryClient;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;

/**
 * Registers the value schemas of the topics other clients produce to ({@link
 * Topics#CLIENT_INPUTS}) under {@code <topic>-value}, the subject Confluent's TopicNameStrategy
 * names, so that a producer in another language finds the contract before any Java client wrote
 * to the topic. Registering a schema the subject already has returns its id: safe at every start.
 */
public final class InputSchemas {
    private InputSchemas() {}

    /**
     * Registers the schemas of those of {@code topics} that clients produce to.
     *
     * @return the schema id by subject
     * @throws io.synthstream.schemas.registry.SchemaRegistryException when the registry refuses one
     *     (unreachable, unauthorized, or incompatible with what the subject holds)
     */
    public static Map<String, Integer> register(SchemaRegistryClient registry, Collection<TopicSpec<?, ?>> topics) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (TopicSpec<?, ?> topic : topics) {
            if (Topics.CLIENT_INPUTS.contains(topic)) {
                Schema schema = SpecificData.get().getSchema(topic.valueType());
                String subject = topic.name() + "-value";
                ids.put(subject, registry.register(subject, schema));
            }
        }
        return ids;
    }
}
