package io.canary.launcher.proxy;

import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.netty.util.AsciiString;

/**
 * Chooses the version of one proxied request. In order:
 * <ol>
 *   <li>a {@link PinRule} that matches and names a <em>servable</em> version pins the request to it
 *       (servable: the committed routing state names the version, or it is the active rollout's
 *       canary, and the proxy has an upstream for it; during fail-safe only the baseline is);</li>
 *   <li>otherwise the node routes by the committed weights, sticky by the key in the sticky header
 *       (default {@code X-Canary-Key}) or, if absent, the sticky cookie; no key: at random.</li>
 * </ol>
 * A pin that names a version that is not servable is ignored, so a stale tester cookie or a typo
 * can never send traffic to a version that was rolled back or never deployed.
 *
 * <p>Threading: any thread, lock-free (reads the node's committed state once per request).
 */
final class RequestRouter {

    /** The decision for one request. {@code pinned} requests are kept out of the version's health. */
    record Route(String version, boolean pinned) {
    }

    /** What routing reads of a request, whichever server parsed it. */
    interface Head {
        /**
         * The first value of a header (names case-insensitive), or null. The router passes the
         * same name objects every time ({@link AsciiString}s, whose hash Netty's header map reuses).
         */
        String header(CharSequence name);

        /** Every {@code Cookie} header's value joined by {@code "; "}, or null. */
        String cookies();
    }

    private final ProxyNode node;
    private final Upstreams upstreams;
    private final AsciiString stickyHeader;
    private final String stickyCookie;
    private final PinRule[] pins;
    /** The header name of each pin (null for a cookie pin), made once. */
    private final AsciiString[] pinHeaders;
    private final boolean readsCookies;

    RequestRouter(ProxyNode node, Upstreams upstreams, ProxySettings settings) {
        this.node = node;
        this.upstreams = upstreams;
        this.stickyHeader = AsciiString.cached(settings.stickyHeader());
        this.stickyCookie = settings.stickyCookie().orElse(null);
        this.pins = settings.pins().toArray(new PinRule[0]);
        this.pinHeaders = new AsciiString[pins.length];
        for (int i = 0; i < pins.length; i++) {
            pinHeaders[i] = pins[i].source() == PinRule.Source.HEADER ? AsciiString.cached(pins[i].name()) : null;
        }
        boolean cookies = stickyCookie != null;
        for (PinRule p : pins) {
            cookies |= p.source() == PinRule.Source.COOKIE;
        }
        this.readsCookies = cookies;
    }

    Route route(Head request) {
        String cookies = readsCookies ? request.cookies() : null;
        if (pins.length > 0) {
            String pinned = pinnedVersion(request, cookies);
            if (pinned != null) {
                return new Route(pinned, true);
            }
        }
        String key = request.header(stickyHeader);
        if ((key == null || key.isBlank()) && stickyCookie != null) {
            key = cookie(cookies, stickyCookie);
        }
        return new Route(node.route(key == null || key.isBlank() ? null : key.trim()), false);
    }

    private String pinnedVersion(Head request, String cookies) {
        RoutingState state = null;
        for (int i = 0; i < pins.length; i++) {
            PinRule rule = pins[i];
            String value = rule.source() == PinRule.Source.HEADER ? request.header(pinHeaders[i]) : cookie(cookies, rule.name());
            if (value == null) {
                continue;
            }
            String version = rule.version().orElse(value.trim());
            if (state == null) {
                state = node.state();
            }
            if (servable(version, state)) {
                return version;
            }
        }
        return null;
    }

    /** Whether a pin to {@code version} may be honoured now. */
    boolean servable(String version, RoutingState state) {
        if (!upstreams.contains(version)) {
            return false;
        }
        if (node.failSafe()) {
            return version.equals(state.baseline());
        }
        if (state.weights().contains(version)) {
            return true;
        }
        RolloutInfo rollout = state.rollout();
        return rollout.phase().isActive() && version.equals(rollout.canary());
    }

    /** The value of cookie {@code name} in a {@code Cookie} header ({@code a=1; b="2"}), unquoted; null if absent. */
    static String cookie(String cookies, String name) {
        if (cookies == null) {
            return null;
        }
        int from = 0;
        while (from < cookies.length()) {
            int end = cookies.indexOf(';', from);
            if (end < 0) {
                end = cookies.length();
            }
            int eq = cookies.indexOf('=', from);
            if (eq > from && eq < end && cookies.substring(from, eq).trim().equals(name)) {
                String v = cookies.substring(eq + 1, end).trim();
                return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
            }
            from = end + 1;
        }
        return null;
    }
}
