package io.canary.launcher.proxy;

import io.canary.launcher.LauncherException;
import java.util.Locale;
import java.util.Objects;

/**
 * The proxy listener: a server of its own (not the data plane's Javalin, so the node's API paths
 * never shadow the application's). The engine is {@link NettyProxyEngine} (one event loop per core
 * serving each client connection and its upstream connection, chosen by measurement: BENCHMARKS.md
 * part 3); {@code -Dcanary.proxy.engine=jetty} selects {@link JettyProxyEngine} instead. Both
 * behave alike (the same tests run on both).
 *
 * <p>{@link #start} returns a started proxy or throws a {@link LauncherException} with one line
 * (port in use). {@link #close()} stops accepting, lets in-flight exchanges end (at most 2 s) and
 * closes every upstream connection. Thread-safe; idempotent.
 */
public final class ProxyServer implements AutoCloseable {
    /** The system property that picks the engine: {@code netty} (default) or {@code jetty}. */
    public static final String ENGINE_PROPERTY = "canary.proxy.engine";

    /** A running engine. */
    interface Engine {
        int port();

        /** Stops accepting, lets in-flight exchanges end (bounded), closes every connection; never throws. */
        void close();
    }

    private final Engine engine;
    private final ProxyStats stats;

    private ProxyServer(Engine engine, ProxyStats stats) {
        this.engine = engine;
        this.stats = stats;
    }

    /**
     * Starts the proxy for {@code node} on the engine {@link #ENGINE_PROPERTY} names.
     *
     * @throws LauncherException if the port cannot be bound, the engine does not start, or the
     *                           property names no engine
     */
    public static ProxyServer start(ProxySettings settings, ProxyNode node, ProxyStats stats) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(stats, "stats");
        String engine = System.getProperty(ENGINE_PROPERTY, "netty").trim().toLowerCase(Locale.ROOT);
        return switch (engine) {
            case "netty" -> new ProxyServer(NettyProxyEngine.start(settings, node, stats), stats);
            case "jetty" -> new ProxyServer(JettyProxyEngine.start(settings, node, stats), stats);
            default -> throw LauncherException.usage("-D" + ENGINE_PROPERTY + "=" + engine + ": the proxy engine is netty or jetty");
        };
    }

    /** The port the proxy listens on. */
    public int port() {
        return engine.port();
    }

    public ProxyStats stats() {
        return stats;
    }

    @Override
    public void close() {
        engine.close();
    }
}
