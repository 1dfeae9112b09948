package io.canary.launcher.proxy;

import io.canary.model.Weights;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Where the proxy sends one version's traffic: one or more endpoints ({@code http://host:port}
 * with an optional path prefix), balanced round robin. Parsed from
 * {@code --upstream v2=http://10.0.0.5:8000,http://10.0.0.6:8000}. Immutable.
 *
 * @param version the version these endpoints serve
 * @param endpoints at least one; each {@code http(s)://host[:port][/prefix]} without query or fragment,
 *     the prefix without a trailing slash
 */
public record UpstreamSpec(String version, List<URI> endpoints) {

    public UpstreamSpec {
        Objects.requireNonNull(version, "version");
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("upstream " + version + " needs at least one endpoint");
        }
    }

    /**
     * Parses {@code VERSION=URL[,URL...]}.
     *
     * @throws IllegalArgumentException naming the bad part of {@code option}
     */
    public static UpstreamSpec parse(String option) {
        Objects.requireNonNull(option, "option");
        int eq = option.indexOf('=');
        if (eq <= 0 || eq == option.length() - 1) {
            throw new IllegalArgumentException("bad upstream '" + option
                    + "': expected VERSION=http://host:port[,http://host2:port...]");
        }
        String version = option.substring(0, eq).trim();
        try {
            Weights.all(version);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad upstream '" + option + "': " + e.getMessage());
        }
        List<URI> endpoints = new ArrayList<>();
        for (String part : option.substring(eq + 1).split(",")) {
            if (!part.isBlank()) {
                endpoints.add(endpoint(option, part.trim()));
            }
        }
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("bad upstream '" + option + "': no endpoint URL");
        }
        return new UpstreamSpec(version, endpoints);
    }

    private static URI endpoint(String option, String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("bad upstream '" + option + "': " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("bad upstream '" + option + "': '" + text + "' must start with http:// or https://");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("bad upstream '" + option + "': '" + text + "' has no host");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("bad upstream '" + option + "': '" + text
                    + "' must not have a query or fragment (the request's own are passed on)");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        try {
            return new URI(scheme + "://" + uri.getRawAuthority() + path);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("bad upstream '" + option + "': " + e.getMessage());
        }
    }

    /** {@code v2=http://a:8000,http://b:8000}, as it was given (normalised). */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(version).append('=');
        for (int i = 0; i < endpoints.size(); i++) {
            b.append(i == 0 ? "" : ",").append(endpoints.get(i));
        }
        return b.toString();
    }
}
