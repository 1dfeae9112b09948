package io.canary.net.internal;

import io.canary.net.codec.CodecException;
import io.canary.net.codec.CorruptFrameException;
import io.canary.net.codec.Hello;
import io.canary.net.codec.MessageType;
import io.canary.net.codec.WireFormat;
import io.canary.net.codec.WireReader;
import io.canary.transport.Message;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Set;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * One connection a peer opened to us: the handshake as acceptor, then frames in, messages out to
 * the receiver. Anything malformed closes this connection only. Runs on one pooled thread.
 */
final class InboundConnection implements Runnable {
    private final NodeContext ctx;
    private final Socket socket;
    private final String remote;
    private volatile String peerId;
    /** The socket frames travel on: {@link #socket} itself, or the TLS socket layered on it. */
    private Socket io;
    /** Node ids the peer's TLS certificate speaks for; null without TLS. */
    private Set<String> certified;

    InboundConnection(NodeContext ctx, Socket socket) {
        this.ctx = ctx;
        this.socket = socket;
        this.remote = socket.getInetAddress().getHostAddress() + ":" + socket.getPort();
    }

    @Override
    public void run() {
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) ctx.config.connectTimeout().toMillis());
            io = socket;
            if (ctx.tls != null && !tlsHandshake()) {
                return;
            }
            FrameReader reader = new FrameReader(new BufferedInputStream(io.getInputStream(), 8192),
                    ctx.config.maxFrameBytes(), ctx.counters);
            if (!handshake(reader)) {
                return;
            }
            io.setSoTimeout(0);
            readMessages(reader);
        } catch (CorruptFrameException e) {
            ctx.counters.corrupt.increment();
            malformed(e.getMessage());
        } catch (CodecException e) {
            malformed(e.getMessage());
        } catch (RuntimeException e) {
            // A decoder bug must cost this connection only, never the node.
            malformed("undecodable frame (" + e + ")");
        } catch (SocketTimeoutException e) {
            long suppressed = ctx.logLimiter.permit("no-hello:" + socket.getInetAddress().getHostAddress());
            if (suppressed >= 0) {
                ctx.log().warn("closed connection from {}: no Hello within {} ms{}", remote,
                        ctx.config.connectTimeout().toMillis(), LogLimiter.suppressedSuffix(suppressed));
            }
        } catch (IOException e) {
            if (!ctx.isClosed() && peerId != null) {
                ctx.log().info("connection from {} ({}) lost: {}", peerId, remote, e.getMessage());
            }
        } finally {
            NodeContext.closeQuietly(io);
            NodeContext.closeQuietly(socket);
            ctx.closed(this, peerId);
        }
    }

    /** @return true once TLS is up and the peer's certificate is trusted; false (logged) if not */
    private boolean tlsHandshake() throws IOException {
        try {
            SSLSocket tls = ctx.tls.accept(socket);
            io = tls;
            certified = Tls.names(tls);
            return true;
        } catch (SSLException e) {
            if (Tls.peerWentAway(e)) {
                ctx.log().debug("{} closed its connection during the TLS handshake", remote);
                return false;
            }
            ctx.rejected("rejected connection from " + remote + ": TLS handshake failed: " + Tls.describe(e),
                    socket.getInetAddress().getHostAddress() + "|tls|" + e.getMessage());
            return false;
        }
    }

    /** @return true if the peer is one of us; false (after logging and telling it why) if not */
    private boolean handshake(FrameReader reader) throws IOException {
        FrameReader.Frame first = reader.read();
        if (first == null) {
            return false;
        }
        if (first.header().type() != WireFormat.TYPE_HELLO) {
            throw new CodecException("the first frame must be a Hello, got frame type " + first.header().type());
        }
        Hello hello = Hello.decode(first.payload(), 0, first.payload().length);
        String problem = ctx.handshake.problemWithInbound(hello);
        if (problem == null && certified != null && !certified.contains(hello.nodeId())) {
            problem = "the TLS certificate of " + Printable.of(hello.nodeId()) + " names " + certified + ", not "
                    + Printable.of(hello.nodeId());
        }
        OutputStream out = io.getOutputStream();
        if (problem != null) {
            ctx.rejected("rejected connection from " + remote + " (" + Printable.of(hello.nodeId()) + "): " + problem,
                    socket.getInetAddress().getHostAddress() + "|" + hello.nodeId() + problem);
            try {
                out.write(ctx.codec.encodeReject(problem));
                out.flush();
            } catch (IOException ignored) {
                // the peer may already be gone; our log line says it all
            }
            return false;
        }
        out.write(ctx.codec.encodeHello(ctx.handshake.hello()));
        out.flush();
        peerId = hello.nodeId();
        ctx.authenticated(peerId, this);
        ctx.counters.accepted.increment();
        long suppressed = ctx.logLimiter.permit("accepted:" + peerId);
        if (suppressed >= 0) {
            ctx.log().info("accepted connection from {} ({}){}", peerId, remote, LogLimiter.suppressedSuffix(suppressed));
        }
        return true;
    }

    private void readMessages(FrameReader reader) throws IOException {
        while (true) {
            FrameReader.Frame f = reader.read();
            if (f == null) {
                ctx.log().debug("{} ({}) closed its connection", peerId, remote);
                return;
            }
            int type = f.header().type();
            if (type == WireFormat.TYPE_REJECT) {
                // The peer refused our Hello after all (e.g. we are not who it expected at this address).
                String reason = Printable.of(Hello.decodeReject(f.payload(), 0, f.payload().length), 300);
                ctx.rejected("connection from " + remote + " (" + peerId + ") was rejected by " + peerId + ": " + reason,
                        socket.getInetAddress().getHostAddress() + "|" + peerId + reason);
                return;
            }
            if (f.header().version() != ctx.config.protocolVersion()) {
                throw new CodecException("frame of protocol version " + f.header().version() + " after a Hello of version "
                        + ctx.config.protocolVersion());
            }
            if (MessageType.ofCode(type) == null) {
                throw new CodecException("unexpected frame type " + type + " after the handshake");
            }
            WireReader r = new WireReader(f.payload(), 0, f.payload().length, ctx.config.maxFrameBytes());
            Message m;
            try {
                m = ctx.codec.decode(type, r);
            } finally {
                ctx.counters.decodeCharged(r.charged());
            }
            ctx.deliver(peerId, m);
        }
    }

    private void malformed(String why) {
        ctx.counters.malformed.increment();
        long suppressed = ctx.logLimiter.permit("malformed:" + socket.getInetAddress().getHostAddress());
        if (suppressed >= 0) {
            ctx.log().warn("closed connection from {}{}: {}{}", remote, peerSuffix(), Printable.of(why, 300),
                    LogLimiter.suppressedSuffix(suppressed));
        }
    }

    private String peerSuffix() {
        return peerId != null ? " (" + peerId + ")" : "";
    }

    void close() {
        NodeContext.closeQuietly(socket);
    }
}
