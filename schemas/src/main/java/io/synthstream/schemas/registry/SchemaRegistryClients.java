package io.synthstream.schemas.registry;

/** Creates the right registry client for a URL: {@code mem://<scope>} or {@code http(s)://...}. */
public final class SchemaRegistryClients {
    private SchemaRegistryClients() {}

    /**
     * A caching client for {@code url}.
     *
     * @param url {@code mem://<scope>} for an in-process registry, else the registry's HTTP URL
     * @param basicAuthUserInfo {@code user:password} or null; ignored for {@code mem://}
     */
    public static SchemaRegistryClient create(String url, String basicAuthUserInfo) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("No schema registry URL configured");
        }
        if (url.startsWith(InMemorySchemaRegistryClient.SCHEME)) {
            return new CachingSchemaRegistryClient(InMemorySchemaRegistryClient.forUrl(url));
        }
        return new CachingSchemaRegistryClient(
                new HttpSchemaRegistryClient(HttpSchemaRegistryClient.Settings.of(url, basicAuthUserInfo)));
    }
}
