package io.canary.launcher.proxy;

import io.canary.launcher.LauncherException;
import java.io.IOException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The alternative engine ({@code -Dcanary.proxy.engine=jetty}): a Jetty server of its own (not the data plane's Javalin, so the node's API
 * paths never shadow the application's), one HTTP/1.1 connector, {@link CanaryProxyHandler} as its
 * only handler, and a second HTTP client for mirror copies (always: a rollout's shadow step mirrors without {@code --mirror}).
 *
 * <p>Kept beside the default {@link NettyProxyEngine} for comparison (BENCHMARKS.md part 3) and as a
 * fallback; both pass the same tests.
 */
final class JettyProxyEngine implements ProxyServer.Engine {
    private static final long STOP_TIMEOUT_MILLIS = 2_000;

    private final Server server;
    private final ServerConnector connector;
    private final HttpClient mirrorClient;
    private final ProxyStats stats;

    private JettyProxyEngine(Server server, ServerConnector connector, HttpClient mirrorClient, ProxyStats stats) {
        this.server = server;
        this.connector = connector;
        this.mirrorClient = mirrorClient;
        this.stats = stats;
    }

    /**
     * Starts the proxy for {@code node}.
     *
     * @throws LauncherException if the port cannot be bound or Jetty does not start
     */
    static JettyProxyEngine start(ProxySettings settings, ProxyNode node, ProxyStats stats) {
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        // No reserved threads: Jetty would otherwise hand every selected connection from the selector to a
        // parked reserved thread (a futex wake-up and a context switch per event); measured 1.5-2.5x the
        // throughput on 2 shared cores without them (BENCHMARKS.md part 3).
        threads.setReservedThreads(Integer.getInteger("canary.proxy.reservedThreads", 0));
        threads.setName("canary-proxy-" + node.id());
        threads.setDaemon(true);
        Server server = new Server(threads);
        server.setStopTimeout(STOP_TIMEOUT_MILLIS);

        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(settings.maxHeaderBytes());
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setSendDateHeader(false);
        // Transparent: paths are passed on as the client wrote them; the upstream judges them.
        http.setUriCompliance(UriCompliance.LEGACY);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(settings.bindHost());
        connector.setPort(settings.port());
        connector.setIdleTimeout(settings.clientTimeout().toMillis());
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        server.setErrorHandler(new JsonErrorHandler(stats, node.id()));

        Upstreams upstreams = new Upstreams(settings.upstreams());
        // Always there, even without --mirror: a rollout's shadow step copies through it.
        HttpClient mirrorClient = CanaryProxyHandler.newUpstreamClient(settings);
        mirrorClient.setExecutor(threads);
        MirrorSender mirror = new MirrorSender(mirrorClient, new MirrorGate(upstreams, node, settings.mirror(), stats),
                settings.upstreamTimeout().toMillis());
        server.setHandler(new CanaryProxyHandler(settings, node, upstreams, mirror, stats));
        try {
            server.addBean(mirrorClient, true);
            server.start();
        } catch (IOException e) {
            stopQuietly(server);
            throw LauncherException.environment("cannot listen for the proxy on " + settings.bindHost() + ":" + settings.port()
                    + ": " + (isBindFailure(e) ? "the port is already in use" : e.getMessage()), e);
        } catch (Exception e) {
            stopQuietly(server);
            throw LauncherException.environment("the proxy did not start: " + e, e);
        }
        return new JettyProxyEngine(server, connector, mirrorClient, stats);
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.BindException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        stopQuietly(server);
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception ignored) {
            // Best effort: the process is going down or the start already failed.
        }
    }
}
