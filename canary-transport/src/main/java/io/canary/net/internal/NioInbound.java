package io.canary.net.internal;

import io.canary.net.codec.AuthOffer;
import io.canary.net.codec.CodecException;
import io.canary.net.codec.CorruptFrameException;
import io.canary.net.codec.ForgedFrameException;
import io.canary.net.codec.Hello;
import io.canary.net.codec.WireFormat;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLException;

/**
 * One connection a peer opened to us, on the selector thread: the handshake as acceptor, then
 * frames in, messages out to the receiver. The same checks, lines and counters as the blocking
 * {@link InboundConnection}; anything malformed closes this connection only. Under mutual TLS the
 * TLS handshake comes first ({@link NioWire}, {@link NioTls}) and the Hello must name a node the
 * peer's certificate speaks for. Each handshake step must come within the connect timeout of the
 * previous one (of the accept, for the first).
 */
final class NioInbound implements NioLoop.Handler {
    private enum Stage { TLS, HELLO, AUTH, PROOF, OPEN, CLOSED }

    private final NioEngine engine;
    private final NodeContext ctx;
    private final NioLoop loop;
    private final SocketChannel ch;
    private final String remote;
    private final String remoteHost;
    private final FrameDecoder decoder;
    private SelectionKey key;
    /** The connection's bytes in and out, through TLS when configured; what waits holds our handshake frames. */
    private NioWire wire;
    private Stage stage = Stage.HELLO;
    /** Node ids the peer's TLS certificate speaks for; null without TLS. */
    private java.util.Set<String> certified;
    /** Counts handshake frames, so a deadline armed before the latest one knows it is stale. */
    private int progress;
    private String claimed;
    private String peerId;
    private byte[] pairKey;
    private byte[] nonceC;
    private byte[] nonceA;

    NioInbound(NioEngine engine, SocketChannel ch) {
        this.engine = engine;
        this.ctx = engine.ctx;
        this.loop = engine.loop;
        this.ch = ch;
        InetSocketAddress r = remoteAddress(ch);
        this.remoteHost = r == null ? "?" : r.getAddress().getHostAddress();
        this.remote = remoteHost + ":" + (r == null ? 0 : r.getPort());
        this.decoder = new FrameDecoder(ctx.config.maxFrameBytes(), ctx.counters);
    }

    void open() throws IOException {
        ch.configureBlocking(false);
        ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
        wire = new NioWire(ch, ctx.tls == null ? null : new NioTls(ctx.tls.acceptor()));
        stage = ctx.tls == null ? Stage.HELLO : Stage.TLS;
        key = loop.register(ch, SelectionKey.OP_READ, this);
        armDeadline();
    }

    /**
     * Each handshake frame must arrive within the connect timeout of the previous one (of the accept,
     * for the first), as the blocking acceptor's read timeout has it; a handshake has at most three.
     */
    private void armDeadline() {
        int thisProgress = ++progress;
        loop.schedule(ctx.config.connectTimeout().toNanos(), () -> handshakeDeadline(thisProgress));
    }

    private void handshakeDeadline(int armedAt) {
        if (stage == Stage.OPEN || stage == Stage.CLOSED || progress != armedAt) {
            return;
        }
        long suppressed = ctx.logLimiter.permit("no-hello:" + remoteHost);
        if (suppressed >= 0) {
            ctx.log().warn("closed connection from {}: handshake not completed within {} ms{}", remote,
                    ctx.config.connectTimeout().toMillis(), LogLimiter.suppressedSuffix(suppressed));
        }
        close();
    }

    @Override
    public void ready(SelectionKey k) throws IOException {
        if (k.isWritable()) {
            writePending();
        }
        if (!k.isValid() || !k.isReadable()) {
            return;
        }
        ByteBuffer buf = loop.readBuffer;
        // Bounded per event, so one busy peer cannot starve the others.
        for (int round = 0; round < 16 && stage != Stage.CLOSED; round++) {
            ByteBuffer plain;
            try {
                plain = wire.read(buf);
            } catch (SSLException e) {
                tlsFailed(e);
                return;
            } catch (IOException e) {
                lost(e.getMessage());
                return;
            }
            if (!wire.idle()) {
                writePending(); // TLS's answers
            }
            if (plain == null) {
                endOfStream();
                return;
            }
            if (stage == Stage.TLS && !tlsUp()) {
                return;
            }
            if (wire.drained()) {
                return;
            }
            if (!consume(plain)) {
                return;
            }
        }
    }

    /** True once TLS is done and the peer's certificate is known (the frames may then begin); false while it is not. */
    private boolean tlsUp() {
        if (!wire.ready()) {
            return false;
        }
        try {
            certified = Tls.names(wire.tls().session());
        } catch (SSLException e) {
            tlsFailed(e);
            return false;
        }
        stage = Stage.HELLO;
        armDeadline();
        return true;
    }

    private void tlsFailed(SSLException e) {
        if (Tls.peerWentAway(e)) {
            ctx.log().debug("{} closed its connection during the TLS handshake", remote);
        } else if (stage == Stage.TLS) {
            ctx.rejected("rejected connection from " + remote + ": TLS handshake failed: " + Tls.describe(e),
                    remoteHost + "|tls|" + e.getMessage());
        } else {
            malformed("TLS: " + Tls.describe(e));
        }
        wire.flushQuietly(); // the alert that tells the peer why
        close();
    }

    /** Decodes and handles every whole frame in {@code buf}; false once the connection closed. */
    private boolean consume(ByteBuffer buf) {
        try {
            while (stage != Stage.CLOSED) {
                FrameReader.Frame f = decoder.next(buf);
                if (f == null) {
                    return true;
                }
                handle(f);
            }
            return false;
        } catch (RuntimeException e) {
            malformedOrBug(e);
            return false;
        }
    }

    private void endOfStream() {
        try {
            decoder.endOfStream();
        } catch (RuntimeException e) {
            malformedOrBug(e);
            return;
        }
        if (stage == Stage.OPEN) {
            ctx.log().debug("{} ({}) closed its connection", peerId, remote);
        }
        close();
    }

    private void malformedOrBug(RuntimeException e) {
        if (e instanceof CorruptFrameException) {
            ctx.counters.corrupt.increment();
            malformed(e.getMessage());
        } else if (e instanceof ForgedFrameException) {
            ctx.counters.forged.increment();
            malformed(e.getMessage());
        } else if (e instanceof CodecException) {
            malformed(e.getMessage());
        } else {
            // A decoder bug must cost this connection only, never the node.
            malformed("undecodable frame (" + e + ")");
        }
        close();
    }

    private void handle(FrameReader.Frame f) {
        if (stage != Stage.OPEN) {
            armDeadline();
        }
        switch (stage) {
            case HELLO -> onHello(f);
            case AUTH -> onAuth(f);
            case PROOF -> onProof(f);
            case OPEN -> onMessage(f);
            default -> { }
        }
    }

    private void onHello(FrameReader.Frame f) {
        if (f.header().type() != WireFormat.TYPE_HELLO) {
            throw new CodecException("the first frame must be a Hello, got frame type " + f.header().type());
        }
        Hello hello = Hello.decode(f.payload(), 0, f.payload().length);
        claimed = hello.nodeId();
        String problem = ctx.handshake.problemWithInbound(hello);
        if (problem == null && certified != null && !certified.contains(claimed)) {
            problem = "the TLS certificate of " + Printable.of(claimed) + " names " + certified + ", not "
                    + Printable.of(claimed);
        }
        if (problem != null) {
            refuse(problem);
            return;
        }
        stage = Stage.AUTH;
    }

    private void onAuth(FrameReader.Frame f) {
        if (f.header().type() != WireFormat.TYPE_AUTH) {
            throw new CodecException("expected its auth frame (frame type " + WireFormat.TYPE_AUTH
                    + ") after the Hello, got frame type " + f.header().type());
        }
        AuthOffer theirs = AuthOffer.decode(f.payload(), 0, f.payload().length);
        String problem = ctx.auth.problemWithMode(claimed, theirs.mode());
        byte[] k = null;
        if (problem == null && theirs.mode() == AuthOffer.Mode.SECRET) {
            k = ctx.auth.key(claimed).orElse(null);
            if (k == null) {
                problem = ctx.auth.noKey(claimed);
            }
        }
        if (problem != null) {
            refuse(problem);
            return;
        }
        AuthOffer ours = ctx.auth.offer();
        send(concat(ctx.codec.encodeHello(ctx.handshake.hello()), ctx.codec.encodeAuth(ours)));
        if (k == null) {
            accepted();
            return;
        }
        pairKey = k;
        nonceC = theirs.nonce();
        nonceA = ours.nonce();
        stage = Stage.PROOF;
    }

    /** The connector proves itself first; only then do we prove ourselves, and seal what it sends. */
    private void onProof(FrameReader.Frame f) {
        int type = f.header().type();
        if (type == WireFormat.TYPE_REJECT) {
            String reason = Printable.of(Hello.decodeReject(f.payload(), 0, f.payload().length), 300);
            ctx.rejected("connection from " + remote + " (" + Printable.of(claimed) + ") was rejected by "
                    + Printable.of(claimed) + ": " + reason, remoteHost + "|" + claimed + reason);
            close();
            return;
        }
        if (type != WireFormat.TYPE_PROOF) {
            throw new CodecException("expected the proof of " + Printable.of(claimed) + ", got frame type " + type);
        }
        byte[] proof = AuthOffer.decodeProof(f.payload(), 0, f.payload().length);
        if (!ctx.auth.verify(pairKey, Authenticator.Role.CONNECTOR, claimed, ctx.selfId, nonceC, nonceA, proof)) {
            refuse(Authenticator.badProof(claimed, ctx.selfId));
            return;
        }
        send(ctx.codec.encodeProof(ctx.auth.proof(pairKey, Authenticator.Role.ACCEPTOR, claimed, ctx.selfId, nonceC, nonceA)));
        decoder.sealed(ctx.auth.session(pairKey, claimed, ctx.selfId, nonceC, nonceA));
        accepted();
    }

    /** The peer reaches the protocol, and replaces an older connection of the same id, only once all of it passed. */
    private void accepted() {
        if (stage == Stage.CLOSED) {
            return;
        }
        peerId = claimed;
        stage = Stage.OPEN;
        if (!engine.authenticated(peerId, this)) {
            return; // a connection of this peer accepted after this one is up: this one is stale, and closed
        }
        ctx.counters.accepted.increment();
        long suppressed = ctx.logLimiter.permit("accepted:" + peerId);
        if (suppressed >= 0) {
            ctx.log().info("accepted connection from {} ({}{}){}", peerId, remote,
                    pairKey != null ? ", authenticated by the cluster secret" : "", LogLimiter.suppressedSuffix(suppressed));
        }
    }

    private void onMessage(FrameReader.Frame f) {
        int type = f.header().type();
        if (type == WireFormat.TYPE_REJECT) {
            // The peer refused our Hello after all (e.g. we are not who it expected at this address).
            String reason = Printable.of(Hello.decodeReject(f.payload(), 0, f.payload().length), 300);
            ctx.rejected("connection from " + remote + " (" + peerId + ") was rejected by " + peerId + ": " + reason,
                    remoteHost + "|" + peerId + reason);
            close();
            return;
        }
        ctx.deliver(peerId, ctx.decodeAfterHandshake(f.header().version(), type, f.payload()));
    }

    /** Logs and counts the refusal, tells the peer why, and closes. */
    private void refuse(String problem) {
        ctx.rejected("rejected connection from " + remote + " (" + Printable.of(claimed) + "): " + problem,
                remoteHost + "|" + claimed + problem);
        wire.writeLast(ctx.codec.encodeReject(problem));
        close();
    }

    private void send(byte[] bytes) {
        try {
            wire.queue(bytes);
        } catch (SSLException e) {
            tlsFailed(e);
            return;
        }
        writePending();
    }

    private void writePending() {
        if (stage == Stage.CLOSED) {
            return;
        }
        try {
            wire.flush(key);
        } catch (IOException e) {
            lost(e.getMessage());
        }
    }

    private void lost(String why) {
        if (!ctx.isClosed() && peerId != null && stage == Stage.OPEN) {
            ctx.log().info("connection from {} ({}) lost: {}", peerId, remote, why);
        }
        close();
    }

    private void malformed(String why) {
        ctx.counters.malformed.increment();
        long suppressed = ctx.logLimiter.permit("malformed:" + remoteHost);
        if (suppressed >= 0) {
            ctx.log().warn("closed connection from {}{}: {}{}", remote, peerId != null ? " (" + peerId + ")" : "",
                    Printable.of(why, 300), LogLimiter.suppressedSuffix(suppressed));
        }
    }

    @Override
    public void failed(Exception e) {
        if (e instanceof RuntimeException r) {
            malformedOrBug(r);
        } else {
            lost(e.getMessage());
        }
    }

    /** Closes the connection; idempotent, loop thread only. */
    void close() {
        if (stage == Stage.CLOSED) {
            return;
        }
        stage = Stage.CLOSED;
        NodeContext.closeQuietly(ch);
        engine.closed(this, peerId);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static InetSocketAddress remoteAddress(SocketChannel ch) {
        try {
            return (InetSocketAddress) ch.getRemoteAddress();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
