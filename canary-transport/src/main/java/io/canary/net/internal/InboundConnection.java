package io.canary.net.internal;

import io.canary.net.codec.AuthOffer;
import io.canary.net.codec.CodecException;
import io.canary.net.codec.ForgedFrameException;
import io.canary.net.codec.CorruptFrameException;
import io.canary.net.codec.Hello;
import io.canary.net.codec.WireFormat;
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
        } catch (ForgedFrameException e) {
            ctx.counters.forged.increment();
            malformed(e.getMessage());
        } catch (CodecException e) {
            malformed(e.getMessage());
        } catch (RuntimeException e) {
            // A decoder bug must cost this connection only, never the node.
            malformed("undecodable frame (" + e + ")");
        } catch (SocketTimeoutException e) {
            long suppressed = ctx.logLimiter.permit("no-hello:" + socket.getInetAddress().getHostAddress());
            if (suppressed >= 0) {
                ctx.log().warn("closed connection from {}: handshake not completed within {} ms{}", remote,
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

    /**
     * The acceptor's side: the peer's Hello and auth frame, ours, then (with a secret) the peer's
     * proof before ours. The peer reaches the protocol, and replaces an older connection of the same
     * id, only once all of it passed.
     *
     * @return true if the peer is one of us; false (after logging and telling it why) if not
     */
    private boolean handshake(FrameReader reader) throws IOException {
        FrameReader.Frame first = reader.read();
        if (first == null) {
            return false;
        }
        if (first.header().type() != WireFormat.TYPE_HELLO) {
            throw new CodecException("the first frame must be a Hello, got frame type " + first.header().type());
        }
        Hello hello = Hello.decode(first.payload(), 0, first.payload().length);
        String claimed = hello.nodeId();
        String problem = ctx.handshake.problemWithInbound(hello);
        if (problem == null && certified != null && !certified.contains(claimed)) {
            problem = "the TLS certificate of " + Printable.of(claimed) + " names " + certified + ", not "
                    + Printable.of(claimed);
        }
        if (problem != null) {
            return refuse(claimed, problem);
        }
        FrameReader.Frame auth = expect(reader, WireFormat.TYPE_AUTH, "its auth frame");
        AuthOffer theirs = AuthOffer.decode(auth.payload(), 0, auth.payload().length);
        problem = ctx.auth.problemWithMode(claimed, theirs.mode());
        byte[] key = null;
        if (problem == null && theirs.mode() == AuthOffer.Mode.SECRET) {
            key = ctx.auth.key(claimed).orElse(null);
            if (key == null) {
                problem = ctx.auth.noKey(claimed);
            }
        }
        if (problem != null) {
            return refuse(claimed, problem);
        }
        AuthOffer ours = ctx.auth.offer();
        OutputStream out = io.getOutputStream();
        out.write(ctx.codec.encodeHello(ctx.handshake.hello()));
        out.write(ctx.codec.encodeAuth(ours));
        out.flush();
        if (key != null && !proveEachOther(reader, out, claimed, key, theirs.nonce(), ours.nonce())) {
            return false;
        }
        peerId = claimed;
        if (!ctx.authenticated(peerId, this)) {
            return false; // a connection of this peer accepted after this one is up: this one is stale, and closed
        }
        ctx.counters.accepted.increment();
        long suppressed = ctx.logLimiter.permit("accepted:" + peerId);
        if (suppressed >= 0) {
            ctx.log().info("accepted connection from {} ({}{}){}", peerId, remote,
                    key != null ? ", authenticated by the cluster secret" : "", LogLimiter.suppressedSuffix(suppressed));
        }
        return true;
    }

    /** The connector proves itself first; only then do we prove ourselves, and seal what it sends. */
    private boolean proveEachOther(FrameReader reader, OutputStream out, String claimed, byte[] key, byte[] nonceC,
                                   byte[] nonceA) throws IOException {
        FrameReader.Frame f = reader.read();
        if (f == null) {
            return false;
        }
        if (f.header().type() == WireFormat.TYPE_REJECT) {
            String reason = Printable.of(Hello.decodeReject(f.payload(), 0, f.payload().length), 300);
            ctx.rejected("connection from " + remote + " (" + Printable.of(claimed) + ") was rejected by "
                    + Printable.of(claimed) + ": " + reason, socket.getInetAddress().getHostAddress() + "|" + claimed + reason);
            return false;
        }
        if (f.header().type() != WireFormat.TYPE_PROOF) {
            throw new CodecException("expected the proof of " + Printable.of(claimed) + ", got frame type " + f.header().type());
        }
        byte[] proof = AuthOffer.decodeProof(f.payload(), 0, f.payload().length);
        if (!ctx.auth.verify(key, Authenticator.Role.CONNECTOR, claimed, ctx.selfId, nonceC, nonceA, proof)) {
            return refuse(claimed, Authenticator.badProof(claimed, ctx.selfId));
        }
        out.write(ctx.codec.encodeProof(ctx.auth.proof(key, Authenticator.Role.ACCEPTOR, claimed, ctx.selfId, nonceC, nonceA)));
        out.flush();
        reader.sealed(ctx.auth.session(key, claimed, ctx.selfId, nonceC, nonceA));
        return true;
    }

    /** The next frame, which must be of {@code type}; a Reject from the peer is logged as such. */
    private FrameReader.Frame expect(FrameReader reader, int type, String what) throws IOException {
        FrameReader.Frame f = reader.read();
        if (f == null) {
            throw new java.io.EOFException("the peer closed the connection during the handshake");
        }
        if (f.header().type() != type) {
            throw new CodecException("expected " + what + " (frame type " + type + ") after the Hello, got frame type "
                    + f.header().type());
        }
        return f;
    }

    /** Logs and counts the refusal, tells the peer why, and returns false. */
    private boolean refuse(String claimed, String problem) {
        ctx.rejected("rejected connection from " + remote + " (" + Printable.of(claimed) + "): " + problem,
                socket.getInetAddress().getHostAddress() + "|" + claimed + problem);
        try {
            OutputStream out = io.getOutputStream();
            out.write(ctx.codec.encodeReject(problem));
            out.flush();
        } catch (IOException ignored) {
            // the peer may already be gone; our log line says it all
        }
        return false;
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
            ctx.deliver(peerId, ctx.decodeAfterHandshake(f.header().version(), type, f.payload()));
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
