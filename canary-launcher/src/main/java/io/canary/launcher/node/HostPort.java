package io.canary.launcher.node;

import java.util.Objects;

/**
 * A host and a TCP port, as written on the command line: {@code 192.168.1.100:60001}.
 *
 * @param host a host name or an IPv4 address (IPv6 in brackets: {@code [::1]:60001})
 * @param port 0..65535 (0: any free port, for tests)
 */
public record HostPort(String host, int port) {
    public HostPort {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be in [0,65535], got " + port);
        }
    }

    /**
     * Parses {@code host:port}.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public static HostPort parse(String value) {
        Objects.requireNonNull(value, "value");
        String v = value.trim();
        int colon = v.lastIndexOf(':');
        if (colon <= 0 || colon == v.length() - 1) {
            throw new IllegalArgumentException("bad address '" + value + "': expected host:port");
        }
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("bad address '" + value + "': write IPv6 hosts in brackets, e.g. [::1]:60001");
        }
        int port;
        try {
            port = Integer.parseInt(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad address '" + value + "': port '" + v.substring(colon + 1) + "' is not a number");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("bad address '" + value + "': port must be in [0,65535]");
        }
        return new HostPort(host, port);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
