package io.canary.launcher.proxy;

import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import java.util.List;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

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

    private final ProxyNode node;
    private final Upstreams upstreams;
    private final String stickyHeader;
    private final String stickyCookie;
    private final PinRule[] pins;
    private final boolean readsCookies;

    RequestRouter(ProxyNode node, Upstreams upstreams, ProxySettings settings) {
        this.node = node;
        this.upstreams = upstreams;
        this.stickyHeader = settings.stickyHeader();
        this.stickyCookie = settings.stickyCookie().orElse(null);
        this.pins = settings.pins().toArray(new PinRule[0]);
        boolean cookies = stickyCookie != null;
        for (PinRule p : pins) {
            cookies |= p.source() == PinRule.Source.COOKIE;
        }
        this.readsCookies = cookies;
    }

    Route route(Request request) {
        HttpFields headers = request.getHeaders();
        List<HttpCookie> cookies = readsCookies && headers.contains(HttpHeader.COOKIE) ? Request.getCookies(request) : List.of();
        if (pins.length > 0) {
            String pinned = pinnedVersion(headers, cookies);
            if (pinned != null) {
                return new Route(pinned, true);
            }
        }
        String key = headers.get(stickyHeader);
        if ((key == null || key.isBlank()) && stickyCookie != null) {
            key = cookie(cookies, stickyCookie);
        }
        return new Route(node.route(key == null || key.isBlank() ? null : key.trim()), false);
    }

    private String pinnedVersion(HttpFields headers, List<HttpCookie> cookies) {
        RoutingState state = null;
        for (PinRule rule : pins) {
            String value = rule.source() == PinRule.Source.HEADER ? headers.get(rule.name()) : cookie(cookies, rule.name());
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

    private static String cookie(List<HttpCookie> cookies, String name) {
        for (HttpCookie c : cookies) {
            if (c.getName().equals(name)) {
                return c.getValue();
            }
        }
        return null;
    }
}
