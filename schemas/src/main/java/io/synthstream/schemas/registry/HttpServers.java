package io.synthstream.schemas.registry;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Creates the JDK {@link HttpServer}s of SynthStream (embedded registry, app endpoints, fake LLM
 * server) with {@code TCP_NODELAY} on. The JDK server writes a response's headers and body
 * separately and leaves Nagle's algorithm on by default ({@code sun.net.httpserver.nodelay=false}),
 * so every small response waited ~40 ms for the client's delayed ACK (measured with the generator
 * benchmark: 0.80 of the Little's-law bound with Nagle, see the README). The property is read once
 * per JVM, so it is set before the first server is created unless the user set it.
 */
public final class HttpServers {
    private static final String NO_DELAY = "sun.net.httpserver.nodelay";

    static {
        if (System.getProperty(NO_DELAY) == null) {
            System.setProperty(NO_DELAY, "true");
        }
    }

    private HttpServers() {}

    public static HttpServer create(InetSocketAddress address, int backlog) throws IOException {
        return HttpServer.create(address, backlog);
    }
}
