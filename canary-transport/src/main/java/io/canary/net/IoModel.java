package io.canary.net;

import java.util.Locale;

/**
 * How a {@link SocketTransport} drives its sockets.
 *
 * <p>{@link #NIO}: one selector thread per node serves the listener and every connection, in and
 * out, whatever the number of peers. {@link #BLOCKING}: the earlier design, a writer thread per peer
 * and a reader thread per inbound connection (2(N-1) threads for N nodes). Plain, secret-authenticated
 * and mutual TLS connections all follow this setting (TLS through JSSE's {@code SSLEngine} on NIO, its
 * {@code SSLSocket} when blocking). Both speak the same bytes: nodes of either model form one cluster.
 */
public enum IoModel {
    NIO, BLOCKING;

    /** The system property that picks the default model: {@code nio} or {@code blocking}. */
    public static final String PROPERTY = "canary.transport.io";

    /**
     * The model named by the system property {@link #PROPERTY}, {@link #NIO} when it is unset (an
     * escape hatch and a way to benchmark both).
     *
     * @throws IllegalArgumentException naming the property and the bad value
     */
    public static IoModel fromSystemProperty() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) {
            return NIO;
        }
        try {
            return valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PROPERTY + " must be nio or blocking, got '" + v + "'");
        }
    }
}
