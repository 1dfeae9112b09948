package io.canary.launcher.proxy;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The endpoints of every version, balanced round robin. Immutable but for the round-robin
 * cursors; thread-safe, lock-free.
 */
final class Upstreams {

    /** One endpoint, split once so that no request parses a URI. */
    record Endpoint(String version, String scheme, String host, int port, String prefix) {
        static Endpoint of(String version, URI uri) {
            String scheme = uri.getScheme();
            int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
            return new Endpoint(version, scheme, uri.getHost(), port, uri.getRawPath() == null ? "" : uri.getRawPath());
        }

        /** {@code http://host:port/prefix}, for messages. */
        String display() {
            return scheme + "://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port + prefix;
        }
    }

    private record Pool(Endpoint[] endpoints, AtomicInteger next) {
        Endpoint pick() {
            Endpoint[] e = endpoints;
            return e.length == 1 ? e[0] : e[Math.floorMod(next.getAndIncrement(), e.length)];
        }
    }

    private final Map<String, Pool> pools = new HashMap<>();

    Upstreams(Map<String, UpstreamSpec> specs) {
        specs.forEach((version, spec) -> {
            List<URI> uris = spec.endpoints();
            Endpoint[] endpoints = new Endpoint[uris.size()];
            for (int i = 0; i < endpoints.length; i++) {
                endpoints[i] = Endpoint.of(version, uris.get(i));
            }
            pools.put(version, new Pool(endpoints, new AtomicInteger()));
        });
    }

    /** The next endpoint of {@code version}, or null if it has no upstream. */
    Endpoint pick(String version) {
        Pool p = pools.get(version);
        return p == null ? null : p.pick();
    }

    boolean contains(String version) {
        return pools.containsKey(version);
    }

    Set<String> versions() {
        return pools.keySet();
    }
}
