/**
 * The {@link io.canary.transport.Transport} over TCP: {@link io.canary.net.SocketTransport}, its
 * {@link io.canary.net.SocketTransportConfig}, and {@link io.canary.net.ControlPort} for binding a
 * node's port before its peers' addresses are known.
 *
 * <p>Each node listens on one control port and keeps one outbound connection per peer. Every
 * connection starts with a Hello each way (cluster id, node id, protocol version); a mismatch is
 * refused with one line in both nodes' logs. Frames are {@code magic, version, type, length,
 * payload} with a hard size limit; anything malformed closes that connection only. Optional mutual
 * TLS 1.3 binds each peer's certificate to its node id.
 *
 * <p>The wire format lives in {@code io.canary.net.codec}; threads and connections in
 * {@code io.canary.net.internal}.
 */
package io.canary.net;
