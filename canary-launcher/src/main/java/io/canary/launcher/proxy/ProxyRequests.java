package io.canary.launcher.proxy;

import io.canary.launcher.proxy.RequestRouter.Route;
import io.canary.launcher.proxy.Upstreams.Endpoint;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The head of a client's request turned into a {@link ProxyExchange} (Netty engine): the version
 * routed to, the endpoint picked, the request rewritten for the upstream (origin-form target under
 * the endpoint's prefix, HTTP/1.1, forwarding headers) and the mirror copy begun. One per client
 * connection, reused for each of its requests (the routing view of the headers is a field, not an
 * object per request).
 *
 * <p>Threading: its connection's event loop only.
 */
final class ProxyRequests implements RequestRouter.Head {
    private final NettyProxyContext px;
    private HttpHeaders headers;

    ProxyRequests(NettyProxyContext px) {
        this.px = px;
    }

    @Override
    public String header(CharSequence name) {
        return headers.get(name);
    }

    @Override
    public String cookies() {
        return ForwardHeaders.cookies(headers);
    }

    /**
     * Routes {@code request} and rewrites it for its upstream. The exchange has no endpoint if no
     * upstream serves the version; a body over the limit is for the caller to refuse.
     *
     * @param length the declared body length, -1 if none was declared
     */
    ProxyExchange begin(ClientConnection client, EventLoop loop, HttpRequest request, String remoteAddress, long length,
                        long startNanos) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        HttpHeaders h = request.headers();
        headers = h;
        Route route;
        try {
            route = px.router().route(this);
        } finally {
            headers = null;
        }
        boolean hasBody = length > 0 || (length < 0 && HttpUtil.isTransferEncodingChunked(request));
        String pathAndQuery = ForwardHeaders.originForm(request.uri());
        Endpoint endpoint = px.upstreams().pick(route.version());
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        ForwardHeaders.toUpstream(h, remoteAddress, px.via());
        if (endpoint != null) {
            String prefix = endpoint.prefix();
            request.setUri(prefix.isEmpty() ? pathAndQuery : prefix + pathAndQuery);
            if (!h.contains(HttpHeaderNames.HOST)) {
                h.set(HttpHeaderNames.HOST, endpoint.host() + ":" + endpoint.port());
            }
        }
        ProxyExchange ex = new ProxyExchange(client, px, loop, route, endpoint, startNanos, request, keepAlive, hasBody);
        ex.http10 = http10;
        if (endpoint != null && length <= px.settings().maxBodyBytes()) {
            ex.mirror = px.mirror().begin(loop, route, request.method(), pathAndQuery, h, hasBody, length);
        }
        return ex;
    }
}
