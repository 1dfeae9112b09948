package io.canary.net;

import java.util.Objects;

/**
 * A TCP endpoint: host name or address and port. Immutable.
 *
 * @param host a host name, an IPv4 address or an IPv6 address (without brackets)
 * @param port 0..65535 (0 only for a listener: any free port)
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
     * Parses {@code host:port}, {@code [ipv6]:port}.
     *
     * @throws IllegalArgumentException naming the bad text
     */
    public static HostPort parse(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.strip();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw new IllegalArgumentException("expected host:port, got '" + text + "'");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("an IPv6 address needs brackets, as in [::1]:60001, got '" + text + "'");
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port is not a number in '" + text + "'");
        }
        return new HostPort(host, port);
    }

    /** {@code host:port}, or {@code [ipv6]:port}: the form {@link #parse} reads. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
