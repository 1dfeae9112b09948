package io.canary.launcher.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A model backend for tests: a JDK HTTP server on 127.0.0.1 and an ephemeral port that answers
 * every request with one fixed status and body, and remembers the last request body it got.
 */
public final class StubBackend implements AutoCloseable {
    private final HttpServer server;
    private volatile String lastBody;

    private StubBackend(HttpServer server) {
        this.server = server;
    }

    /** Starts a backend answering {@code status} with {@code body}. */
    public static StubBackend answering(int status, String body) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StubBackend stub = new StubBackend(server);
        server.createContext("/", exchange -> {
            stub.lastBody = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, b.length);
            exchange.getResponseBody().write(b);
            exchange.close();
        });
        server.start();
        return stub;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The body of the last request received, or null before any. */
    public String lastBody() {
        return lastBody;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
