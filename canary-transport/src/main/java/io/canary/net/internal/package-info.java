/**
 * Machinery of {@link io.canary.net.SocketTransport}; not an API. Threads: one accept loop
 * ({@code Listener}), one pooled reader per inbound connection ({@code InboundConnection}), one
 * writer per peer ({@code PeerLink}, which dials through {@code Dialer}).
 */
package io.canary.net.internal;
