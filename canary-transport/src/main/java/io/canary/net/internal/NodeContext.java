package io.canary.net.internal;

import io.canary.net.SocketTransportConfig;
import io.canary.net.codec.MessageCodec;
import io.canary.transport.Message;
import io.canary.transport.Transport;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/** What every thread of one running transport shares: identity, codec, counters, logs, receiver. */
public final class NodeContext {
    private static final int KEPT_REJECTIONS = 32;

    final SocketTransportConfig config;
    final String selfId;
    final MessageCodec codec;
    /** Prepare and Commit, encoded once per fan-out rather than once per peer. */
    final FrameMemo frames;
    final Counters counters;
    final Handshake handshake;
    /** The challenge-response with the cluster secret (mode NONE without one). */
    final Authenticator auth;
    /** Mutual TLS, or null for plain TCP. */
    final Tls tls;
    final LogLimiter logLimiter = new LogLimiter(TimeUnit.SECONDS.toNanos(10));
    private final Transport.Receiver receiver;
    private final Logger log;
    private final ArrayDeque<String> rejections = new ArrayDeque<>();
    /** The blocking model's inbound connections (the NIO model keeps its own, on its selector). */
    private final InboundRegistry<InboundConnection> inbound = new InboundRegistry<>(InboundConnection::close);
    private volatile boolean closed;

    public NodeContext(SocketTransportConfig config, String selfId, Transport.Receiver receiver, Counters counters,
                       Logger log, Tls tls) {
        this.tls = tls;
        this.config = config;
        this.selfId = selfId;
        this.receiver = receiver;
        this.counters = counters;
        this.log = log;
        this.codec = new MessageCodec(config.maxFrameBytes());
        this.frames = new FrameMemo(codec);
        this.handshake = new Handshake(config.clusterId(), selfId, config.protocolVersion(), config.peers().keySet());
        this.auth = new Authenticator(config.clusterSecret().orElse(null), config.clusterId(), selfId, config.protocolVersion());
    }

    Logger log() {
        return log;
    }

    public boolean isClosed() {
        return closed;
    }

    public void markClosed() {
        closed = true;
    }

    /**
     * Decodes a frame that arrived after the handshake, on either I/O model: it must carry this node's
     * protocol version and a known message type; what decoding allocated is charged to the counters.
     *
     * @throws io.canary.net.codec.CodecException if the frame is not a valid message (the caller closes the connection)
     */
    Message decodeAfterHandshake(int version, int type, byte[] payload) {
        if (version != config.protocolVersion()) {
            throw new io.canary.net.codec.CodecException("frame of protocol version " + version
                    + " after a Hello of version " + config.protocolVersion());
        }
        if (io.canary.net.codec.MessageType.ofCode(type) == null) {
            throw new io.canary.net.codec.CodecException("unexpected frame type " + type + " after the handshake");
        }
        io.canary.net.codec.WireReader r = new io.canary.net.codec.WireReader(payload, 0, payload.length,
                config.maxFrameBytes());
        try {
            return codec.decode(type, r);
        } finally {
            counters.decodeCharged(r.charged());
        }
    }

    /** Hands an inbound message to the node; a receiver that throws is a bug there, not a reason to drop the link. */
    public void deliver(String from, Message message) {
        if (closed) {
            return;
        }
        counters.received.increment();
        try {
            receiver.receive(from, message);
        } catch (RuntimeException e) {
            long suppressed = logLimiter.permit("receiver-failed");
            if (suppressed >= 0) {
                log.error("receiver of {} failed on {} from {}{}", selfId, message.getClass().getSimpleName(), from,
                        LogLimiter.suppressedSuffix(suppressed), e);
            }
        }
    }

    /**
     * Counts and remembers a refused handshake, and logs it unless one with the same {@code key}
     * (the peer and the problem, not the ephemeral port) was logged lately.
     */
    void rejected(String line, String key) {
        counters.rejected.increment();
        synchronized (rejections) {
            if (rejections.size() == KEPT_REJECTIONS) {
                rejections.removeFirst();
            }
            rejections.addLast(line);
        }
        // Per peer and problem: a misconfigured node retrying is one line per interval; per source
        // host: a flood of varied garbage Hellos is a few lines, not one per connection.
        long suppressed = logLimiter.permit("rejected:" + key);
        if (suppressed >= 0 && logLimiter.permit("rejected-from:" + sourceOf(key), 5) >= 0) {
            log.warn("{}{}", line, LogLimiter.suppressedSuffix(suppressed));
        }
    }

    /** A failed connection attempt to {@code peerId}, either model: one line per distinct reason, debug for repeats. */
    void cannotReach(String peerId, Object address, String failure, String lastFailure) {
        if (closed) {
            return;
        }
        if (!failure.equals(lastFailure)) {
            log.info("cannot reach {} at {}: {}; retrying with backoff up to {} ms", peerId, address, failure,
                    config.backoffMax().toMillis());
        } else {
            log.debug("still cannot reach {} at {}: {}", peerId, address, failure);
        }
    }

    private static String sourceOf(String key) {
        int bar = key.indexOf('|');
        return bar < 0 ? key : key.substring(0, bar);
    }

    public List<String> rejections() {
        synchronized (rejections) {
            return List.copyOf(rejections);
        }
    }

    void opened(InboundConnection c) {
        inbound.opened(c);
    }

    /** See {@link InboundRegistry#authenticated}: false if {@code c} is stale (and closed). */
    boolean authenticated(String peerId, InboundConnection c) {
        return inbound.authenticated(peerId, c);
    }

    void closed(InboundConnection c, String peerId) {
        inbound.closed(c, peerId);
    }

    /** Closes every inbound connection: their threads then end at once. */
    public void closeInbound() {
        inbound.closeAll();
    }

    static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException | RuntimeException ignored) {
                // closing is best effort: the socket is unusable either way
            }
        }
    }
}
