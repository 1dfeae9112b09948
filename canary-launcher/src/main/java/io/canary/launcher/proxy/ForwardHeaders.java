package io.canary.launcher.proxy;

/**
 * The request target as the upstream gets it (Netty engine; the header rules are
 * {@link WireHeads}'). Pure functions; any thread.
 */
final class ForwardHeaders {
    private ForwardHeaders() {
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
