/**
 * The {@link io.canary.transport.Transport} over TCP: {@link io.canary.net.SocketTransport}, its
 * {@link io.canary.net.SocketTransportConfig}, and {@link io.canary.net.ControlPort} for binding a
 * node's port before its peers' addresses are known.
 *
 * <p>Each node listens on one control port and keeps one outbound connection per peer. Every
 * connection starts with a Hello each way (cluster id, node id, protocol version) and an auth
 * frame; with a {@link io.canary.net.ClusterSecret} both sides then prove they hold their pair key
 * (challenge-response over fresh nonces) and every later frame carries an HMAC tag. A mismatch or
 * a failed proof is refused with one line in both nodes' logs. Frames are {@code magic, version,
 * type, length, payload[, tag], crc32c} with a hard size limit; anything malformed, corrupt or
 * forged closes that connection only. A control port on a non-loopback address needs a secret or
 * mutual TLS 1.3 (which binds each peer's certificate to its node id); both may be combined.
 *
 * <p>The wire format lives in {@code io.canary.net.codec}; threads and connections in
 * {@code io.canary.net.internal}.
 */
package io.canary.net;
