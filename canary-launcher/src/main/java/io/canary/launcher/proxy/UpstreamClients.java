package io.canary.launcher.proxy;

import io.canary.launcher.LauncherException;
import java.time.Duration;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ClientConnector;

/**
 * The one HTTP client configuration for calls to upstreams, shared by the proxy, its mirror and
 * {@code /predict}'s HTTP models: Jetty's asynchronous {@link HttpClient}, HTTP/1.1 only, one
 * selector thread (a proxy on a small machine should not spread over threads it has not got),
 * keep-alive pools per endpoint, nothing added to what the caller sends (no {@code User-Agent},
 * no default {@code Content-Type}), no redirects followed.
 */
public final class UpstreamClients {
    /** Requests waiting for a pooled connection beyond this fail at once (502), they never pile up. */
    static final int MAX_QUEUED_PER_ENDPOINT = 8192;

    private UpstreamClients() {
    }

    /** A configured client, not started: its owner (a Jetty server, a handler) starts and stops it. */
    public static HttpClient configured(Duration connectTimeout, Duration idleTimeout, int maxConnectionsPerEndpoint) {
        ClientConnector connector = new ClientConnector();
        connector.setSelectors(1);
        HttpClient client = new HttpClient(new HttpClientTransportOverHTTP(connector));
        client.setConnectTimeout(connectTimeout.toMillis());
        client.setIdleTimeout(idleTimeout.toMillis());
        client.setMaxConnectionsPerDestination(maxConnectionsPerEndpoint);
        client.setMaxRequestsQueuedPerDestination(MAX_QUEUED_PER_ENDPOINT);
        client.setUserAgentField(null);
        client.setDefaultRequestContentType(null);
        client.setFollowRedirects(false);
        return client;
    }

    /**
     * A started client with the proxy's defaults, for {@code /predict}'s models; stop it when done.
     *
     * @throws LauncherException if it cannot start
     */
    public static HttpClient started(String name) {
        HttpClient client = configured(ProxySettings.DEFAULT_CONNECT_TIMEOUT, ProxySettings.DEFAULT_UPSTREAM_TIMEOUT,
                ProxySettings.DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT);
        org.eclipse.jetty.util.thread.QueuedThreadPool threads = new org.eclipse.jetty.util.thread.QueuedThreadPool();
        threads.setName(name);
        threads.setDaemon(true);
        client.setExecutor(threads);
        try {
            client.start();
        } catch (Exception e) {
            throw LauncherException.environment("the HTTP client for upstream models did not start: " + e, e);
        }
        return client;
    }

    /** Stops a client started by {@link #started}; never throws. */
    public static void stop(HttpClient client) {
        try {
            client.stop();
        } catch (Exception ignored) {
            // Closing is best effort.
        }
    }
}
