package io.canary.launcher.proxy;

import io.canary.launcher.proxy.RequestRouter.Route;
import io.canary.launcher.proxy.Upstreams.Endpoint;
import io.netty.channel.EventLoop;

/**
 * The head of a client's request turned into a {@link ProxyExchange} (Netty engine): the version
 * routed to (the router reads the parsed head itself: {@link WireHead#header}), the endpoint picked,
 * the target the upstream gets (origin form under the endpoint's prefix; the client's bytes as they
 * are in the common case of no prefix and an origin-form target) and the mirror copy begun.
 *
 * <p>Threading: its connection's event loop only.
 */
final class ProxyRequests {
    private final NettyProxyContext px;

    ProxyRequests(NettyProxyContext px) {
        this.px = px;
    }

    /**
     * Routes {@code request} and makes its exchange. The exchange has no endpoint if no upstream
     * serves the version; a body over the limit is for the caller to refuse.
     */
    ProxyExchange begin(ClientConnection client, EventLoop loop, WireHead request, byte[] remote, long startNanos) {
        Route route = px.router().route(request);
        long length = request.contentLength;
        boolean hasBody = length > 0 || request.chunked;
        Endpoint endpoint = px.upstreams().pick(route.version());
        String target = null;
        String pathAndQuery = null;
        if (endpoint != null && (!endpoint.prefix().isEmpty() || !request.originFormTarget())) {
            pathAndQuery = ForwardHeaders.originForm(request.target());
            target = endpoint.prefix() + pathAndQuery;
        }
        ProxyExchange ex = new ProxyExchange(client, px, loop, route, endpoint, startNanos, request, target, remote, hasBody);
        if (endpoint != null && length <= px.settings().maxBodyBytes()) {
            ex.mirror = px.mirror().begin(loop, route, request, pathAndQuery, remote, hasBody, length);
        }
        return ex;
    }
}
