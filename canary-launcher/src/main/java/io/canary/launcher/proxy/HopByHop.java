package io.canary.launcher.proxy;

import java.util.EnumSet;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;

/** The hop-by-hop headers of RFC 9110 section 7.6.1, which a proxy never forwards. */
final class HopByHop {
    private static final EnumSet<HttpHeader> HEADERS = EnumSet.of(HttpHeader.CONNECTION, HttpHeader.KEEP_ALIVE,
            HttpHeader.PROXY_AUTHORIZATION, HttpHeader.PROXY_AUTHENTICATE, HttpHeader.PROXY_CONNECTION,
            HttpHeader.TRANSFER_ENCODING, HttpHeader.TE, HttpHeader.TRAILER, HttpHeader.UPGRADE);

    private HopByHop() {
    }

    static boolean isHopByHop(HttpField field) {
        HttpHeader h = field.getHeader();
        return h != null && HEADERS.contains(h);
    }
}
