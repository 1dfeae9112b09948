package io.canary.launcher.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Header rules of the Netty engine, both ways (RFC 9110 section 7.6): hop-by-hop headers
 * ({@code Connection} and every header it names, {@code Keep-Alive}, {@code TE}, {@code Trailer},
 * {@code Upgrade}, {@code Proxy-*}) are dropped; {@code Transfer-Encoding} and {@code Content-Length}
 * stay, because they frame the message: Netty's codecs decode the body on one side and encode it
 * the same way on the other. Towards the upstream, {@code X-Forwarded-For} is appended to,
 * {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} are set (this proxy is the edge) and
 * {@code Via} is added to; towards the client, the upstream's {@code X-Canary-Version} is replaced.
 *
 * <p>Pure functions over a message's headers; any thread.
 */
final class ForwardHeaders {
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("X-Forwarded-Host");
    private static final AsciiString HTTP = AsciiString.cached("http");
    private static final AsciiString VERSION = AsciiString.cached(CanaryProxyHandler.VERSION_HEADER);
    private static final CharSequence[] HOP_BY_HOP = {HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE, HttpHeaderNames.PROXY_AUTHORIZATION,
            HttpHeaderNames.PROXY_AUTHENTICATE, AsciiString.cached("Proxy-Connection")};

    private ForwardHeaders() {
    }

    /** Drops the hop-by-hop headers, including those the {@code Connection} header names. */
    static void dropHopByHop(HttpHeaders h) {
        if (h.contains(HttpHeaderNames.CONNECTION)) {
            for (String value : h.getAll(HttpHeaderNames.CONNECTION)) {
                if (isPlainConnectionValue(value)) {
                    continue; // the common case, "keep-alive" or "close": nothing else to drop
                }
                for (String token : value.split(",")) {
                    String name = token.trim();
                    if (!name.isEmpty() && !isPlainConnectionValue(name)
                            && !HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
                            && !HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)) {
                        h.remove(name);
                    }
                }
            }
            h.remove(HttpHeaderNames.CONNECTION);
        }
        for (CharSequence name : HOP_BY_HOP) {
            h.remove(name);
        }
    }

    private static boolean isPlainConnectionValue(String v) {
        return v.equalsIgnoreCase("keep-alive") || v.equalsIgnoreCase("close");
    }

    /** The request as the upstream gets it: hop-by-hop dropped, forwarding headers added. */
    static void toUpstream(HttpHeaders h, String remoteAddress, String via) {
        dropHopByHop(h);
        String previous = joined(h, X_FORWARDED_FOR);
        h.set(X_FORWARDED_FOR, previous == null || previous.isEmpty() ? remoteAddress : previous + ", " + remoteAddress);
        h.set(X_FORWARDED_PROTO, HTTP);
        String host = h.get(HttpHeaderNames.HOST);
        if (host != null) {
            h.set(X_FORWARDED_HOST, host);
        }
        String previousVia = joined(h, HttpHeaderNames.VIA);
        h.set(HttpHeaderNames.VIA, previousVia == null || previousVia.isEmpty() ? via : previousVia + ", " + via);
    }

    /** Every value of header {@code name} joined by ", " and trimmed; null without any (no list made for none or one). */
    private static String joined(HttpHeaders h, CharSequence name) {
        String first = h.get(name);
        if (first == null) {
            return null;
        }
        List<String> all = h.getAll(name);
        return all.size() == 1 ? first.trim() : String.join(", ", all).trim();
    }

    /** The answer as the client gets it: hop-by-hop dropped, {@code X-Canary-Version} ours. */
    static void toClient(HttpHeaders h, String version) {
        dropHopByHop(h);
        h.set(VERSION, version);
    }

    /** The request's {@code Cookie} headers joined, for routing; null without any. */
    static String cookies(HttpHeaders h) {
        List<String> all = h.getAll(HttpHeaderNames.COOKIE);
        return all.isEmpty() ? null : all.size() == 1 ? all.get(0) : String.join("; ", all);
    }

    /**
     * The request target in origin form ({@code /path?query}) exactly as the client wrote it; an
     * absolute-form target ({@code http://host/path}) loses its scheme and authority.
     */
    static String originForm(String uri) {
        if (uri.startsWith("/")) {
            return uri;
        }
        int scheme = uri.indexOf("://");
        if (scheme > 0) {
            int path = uri.indexOf('/', scheme + 3);
            int query = uri.indexOf('?', scheme + 3);
            if (path < 0 || (query >= 0 && query < path)) {
                return query < 0 ? "/" : "/" + uri.substring(query);
            }
            return uri.substring(path);
        }
        return uri.equals("*") ? "*" : "/" + uri;
    }
}
