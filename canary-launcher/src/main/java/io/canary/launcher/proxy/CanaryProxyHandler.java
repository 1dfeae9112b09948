package io.canary.launcher.proxy;

import io.canary.launcher.proxy.ProxyStats.ClientFault;
import io.canary.launcher.proxy.RequestRouter.Route;
import io.canary.launcher.proxy.Upstreams.Endpoint;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The transparent reverse proxy, on Jetty's own {@link ProxyHandler.Reverse}: non-blocking end to
 * end (no thread waits for an upstream), bodies streamed both ways with back-pressure, keep-alive
 * pools per upstream endpoint in Jetty's {@link HttpClient}. What it adds:
 * <ul>
 *   <li>the version comes from {@link RequestRouter} (pins, sticky key, weights), the endpoint
 *       from {@link Upstreams} (round robin); the answer carries {@code X-Canary-Version};</li>
 *   <li>{@code X-Forwarded-For} (appended), {@code X-Forwarded-Proto} and {@code X-Forwarded-Host}
 *       (set: this proxy is the edge), {@code Via: 1.1 <node id>}; hop-by-hop headers dropped both
 *       ways by Jetty;</li>
 *   <li>every exchange recorded for its version when its last byte is written (or it fails):
 *       errors are 5xx answers, refused connections, timeouts and resets; pinned requests are
 *       counted apart ({@link ProxyStats}), client faults (body over the limit, a client silent
 *       mid-body or gone) are never blamed on the version;</li>
 *   <li>its own JSON errors: 413 over the body limit, 408 for a client silent mid-body, 502 refused
 *       or reset, 504 silent upstream; a failure after the answer started cuts the connection
 *       (the client sees a truncated body, never a spliced error);</li>
 *   <li>mirroring ({@link MirrorSender}).</li>
 * </ul>
 *
 * <p>Threading: Jetty calls {@link #handle} and the hooks from its pool, concurrently; nothing here
 * blocks or locks.
 */
final class CanaryProxyHandler extends ProxyHandler.Reverse {
    static final String VERSION_HEADER = "X-Canary-Version";
    private static final String EXCHANGE = CanaryProxyHandler.class.getName() + ".exchange";
    private static final int MAX_RETRIES = 2;
    private static final java.util.Set<String> IDEMPOTENT = java.util.Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

    private final ProxySettings settings;
    private final ProxyNode node;
    private final RequestRouter router;
    private final Upstreams upstreams;
    private final MirrorSender mirror;
    private final ProxyStats stats;
    private final HttpField via;
    private final long upstreamTimeoutMillis;

    CanaryProxyHandler(ProxySettings settings, ProxyNode node, Upstreams upstreams, MirrorSender mirror, ProxyStats stats) {
        // The rewrite is done by rewriteHttpURI/newProxyToServerRequest below, from the routed exchange.
        super(request -> request.getHttpURI());
        this.settings = settings;
        this.node = node;
        this.router = new RequestRouter(node, upstreams, settings);
        this.upstreams = upstreams;
        this.mirror = mirror;
        this.stats = stats;
        this.via = new HttpField(HttpHeader.VIA, "1.1 " + node.id());
        this.upstreamTimeoutMillis = settings.upstreamTimeout().toMillis();
        setViaHost(node.id());
        setUseServerThreadPool(true);
    }

    /**
     * Nothing here blocks, so Jetty may run the handler on the selector thread that read the
     * request instead of handing it to another thread (ProxyHandler's default says BLOCKING).
     */
    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    @Override
    protected HttpClient newHttpClient() {
        return newUpstreamClient(settings);
    }

    static HttpClient newUpstreamClient(ProxySettings settings) {
        return UpstreamClients.configured(settings.connectTimeout(), settings.upstreamTimeout(),
                settings.maxConnectionsPerEndpoint());
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        stats.proxied();
        long length = request.getLength();
        Route route = router.route(jettyHead(request));
        if (length > settings.maxBodyBytes()) {
            stats.clientFault(ClientFault.BODY_TOO_LARGE, route.version());
            ProxyErrors.write(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413, "request body of " + length
                    + " bytes exceeds the proxy's limit of " + settings.maxBodyBytes() + " bytes", null, node.id());
            return true;
        }
        Endpoint endpoint = upstreams.pick(route.version());
        Exchange exchange = new Exchange(route, endpoint, start);
        Callback recording = new ExchangeCallback(callback, exchange, response);
        if (endpoint == null) {
            exchange.upstreamFailed(new IllegalStateException("no upstream"));
            ProxyErrors.write(response, recording, HttpStatus.BAD_GATEWAY_502, "no upstream serves version "
                    + route.version() + " on " + node.id(), route.version(), node.id());
            return true;
        }
        request.setAttribute(EXCHANGE, exchange);
        response.getHeaders().put(VERSION_HEADER, route.version());
        if (mirror != null) {
            exchange.mirror = mirror.begin(request, route, hasBody(request, length));
        }
        return super.handle(request, response, recording);
    }

    private static RequestRouter.Head jettyHead(Request request) {
        return new RequestRouter.Head() {
            @Override
            public String header(CharSequence name) {
                return request.getHeaders().get(name.toString());
            }

            @Override
            public String cookies() {
                java.util.List<String> values = request.getHeaders().getValuesList(HttpHeader.COOKIE);
                return values.isEmpty() ? null : String.join("; ", values);
            }
        };
    }

    private static boolean hasBody(Request request, long length) {
        return length > 0 || (length < 0 && request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING));
    }

    private static Exchange exchange(Request request) {
        return (Exchange) request.getAttribute(EXCHANGE);
    }

    @Override
    protected HttpURI rewriteHttpURI(Request clientToProxyRequest) {
        // Only used for Jetty's debug log: newProxyToServerRequest builds the request from the endpoint.
        return clientToProxyRequest.getHttpURI();
    }

    @Override
    protected org.eclipse.jetty.client.Request newProxyToServerRequest(Request clientToProxyRequest, HttpURI ignored) {
        Endpoint e = exchange(clientToProxyRequest).endpoint;
        return getHttpClient().newRequest(e.host(), e.port())
                .scheme(e.scheme())
                .method(clientToProxyRequest.getMethod())
                .path(e.prefix() + MirrorSender.pathAndQuery(clientToProxyRequest))
                .idleTimeout(upstreamTimeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    protected org.eclipse.jetty.client.Request.Content newProxyToServerRequestContent(Request clientToProxyRequest,
            Response proxyToClientResponse, org.eclipse.jetty.client.Request proxyToServerRequest) {
        return new BodyTap(clientToProxyRequest, exchange(clientToProxyRequest), settings.maxBodyBytes());
    }

    @Override
    protected void addProxyHeaders(Request clientToProxyRequest, org.eclipse.jetty.client.Request proxyToServerRequest) {
        String remote = Request.getRemoteAddr(clientToProxyRequest);
        String host = clientToProxyRequest.getHeaders().get(HttpHeader.HOST);
        String proto = clientToProxyRequest.isSecure() ? "https" : "http";
        proxyToServerRequest.headers(h -> {
            String forwardedFor = h.get(HttpHeader.X_FORWARDED_FOR);
            h.put(HttpHeader.X_FORWARDED_FOR, forwardedFor == null || forwardedFor.isBlank() ? remote : forwardedFor + ", " + remote);
            h.put(HttpHeader.X_FORWARDED_PROTO, proto);
            if (host != null) {
                h.put(HttpHeader.X_FORWARDED_HOST, host);
            }
            String previousVia = h.get(HttpHeader.VIA);
            if (previousVia == null || previousVia.isBlank()) {
                h.put(via);
            } else {
                h.put(HttpHeader.VIA, previousVia + ", " + via.getValue());
            }
        });
    }

    @Override
    protected HttpField filterServerToProxyResponseField(HttpField field) {
        // The proxy's X-Canary-Version is the truth about where the request went.
        return field.is(VERSION_HEADER) ? null : field;
    }

    @Override
    protected void onServerToProxyResponseFailure(Request clientToProxyRequest, org.eclipse.jetty.client.Request proxyToServerRequest,
            org.eclipse.jetty.client.Response serverToProxyResponse, Response proxyToClientResponse, Callback proxyToClientCallback,
            Throwable failure) {
        Exchange exchange = exchange(clientToProxyRequest);
        if (isRetryable(exchange, clientToProxyRequest, serverToProxyResponse, proxyToClientResponse, failure)) {
            exchange.retries++;
            // Not from inside the failed connection's own completion: a fresh task picks a fresh connection.
            getServer().getThreadPool().execute(() -> resend(clientToProxyRequest, proxyToClientResponse, proxyToClientCallback));
            return;
        }
        exchange.abandonMirror();
        Throwable clientFailure = exchange.clientFailure();
        if (clientFailure == null && !clientConnected(clientToProxyRequest)) {
            clientFailure = failure;
            exchange.clientFailed(failure);
        }
        String version = exchange.route.version();
        int status;
        String message;
        if (clientFailure != null) {
            if (clientFailure instanceof HttpException http && http.getCode() == HttpStatus.PAYLOAD_TOO_LARGE_413) {
                status = HttpStatus.PAYLOAD_TOO_LARGE_413;
                message = http.getReason();
            } else if (ProxyErrors.root(clientFailure) instanceof TimeoutException) {
                status = HttpStatus.REQUEST_TIMEOUT_408;
                message = "the client sent no request body for " + settings.clientTimeout().toMillis() + " ms";
            } else {
                status = HttpStatus.BAD_REQUEST_400;
                message = "the request body could not be read: " + ProxyErrors.root(clientFailure);
            }
        } else {
            exchange.upstreamFailed(failure);
            status = ProxyErrors.upstreamStatus(failure);
            message = ProxyErrors.describeUpstream(failure, version, exchange.endpoint.display(), upstreamTimeoutMillis);
        }
        if (proxyToClientResponse.isCommitted()) {
            // The answer has started: the only honest signal left is to cut the connection.
            proxyToClientCallback.failed(failure);
            return;
        }
        ProxyErrors.write(proxyToClientResponse, proxyToClientCallback, status, message, version, node.id());
    }

    /**
     * A keep-alive connection the upstream closed just as it was reused (the upstream's idle timeout
     * or connection limit racing the pool): the upstream never saw the request. Sent again, at most
     * {@link #MAX_RETRIES} times, only when that is safe: an idempotent method without a body (a
     * streamed body cannot be replayed), nothing received and nothing sent to the client yet.
     */
    private boolean isRetryable(Exchange exchange, Request request, org.eclipse.jetty.client.Response upstreamResponse,
                                Response response, Throwable failure) {
        return exchange.retries < MAX_RETRIES
                && exchange.clientFailure() == null
                && (upstreamResponse == null || upstreamResponse.getStatus() == 0)
                && !response.isCommitted()
                && IDEMPOTENT.contains(request.getMethod())
                && !hasBody(request, request.getLength())
                && isClosedConnection(failure)
                && clientConnected(request);
    }

    private void resend(Request request, Response response, Callback callback) {
        try {
            super.handle(request, response, callback);
        } catch (RuntimeException e) {
            callback.failed(e);
        }
    }

    private static boolean isClosedConnection(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.io.EOFException || t instanceof java.nio.channels.ClosedChannelException) {
                return true;
            }
        }
        return false;
    }

    private static boolean clientConnected(Request request) {
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        return endPoint.isOpen() && !endPoint.isOutputShutdown();
    }

    /**
     * Completes the client's exchange and records it: latency to the last byte written, an error
     * when the answer is a 5xx or the upstream failed. Client faults are counted apart.
     */
    private final class ExchangeCallback implements Callback {
        private final Callback delegate;
        private final Exchange exchange;
        private final Response response;

        ExchangeCallback(Callback delegate, Exchange exchange, Response response) {
            this.delegate = delegate;
            this.exchange = exchange;
            this.response = response;
        }

        @Override
        public void succeeded() {
            finish(true);
            delegate.succeeded();
        }

        @Override
        public void failed(Throwable x) {
            if (exchange.upstreamFailure() == null && exchange.clientFailure() == null) {
                exchange.clientFailed(x);
            }
            finish(false);
            delegate.failed(x);
        }

        private void finish(boolean written) {
            long nanos = System.nanoTime() - exchange.startNanos;
            exchange.abandonMirror();
            Throwable client = exchange.clientFailure();
            if (client != null && exchange.upstreamFailure() == null) {
                stats.clientFault(client instanceof HttpException http && http.getCode() == HttpStatus.PAYLOAD_TOO_LARGE_413
                        ? ClientFault.BODY_TOO_LARGE
                        : ProxyErrors.root(client) instanceof TimeoutException ? ClientFault.CLIENT_TIMEOUT : ClientFault.CLIENT_ABORTED,
                        exchange.route.version());
                return;
            }
            boolean ok = written && exchange.upstreamFailure() == null && response.getStatus() < 500;
            String version = exchange.route.version();
            if (exchange.route.pinned()) {
                stats.pinned(version, ok);
            } else {
                node.record(version, nanos, ok);
            }
        }

        @Override
        public InvocationType getInvocationType() {
            return delegate.getInvocationType();
        }
    }
}
