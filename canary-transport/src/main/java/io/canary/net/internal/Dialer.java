package io.canary.net.internal;

import io.canary.net.HostPort;
import io.canary.net.codec.AuthOffer;
import io.canary.net.codec.CodecException;
import io.canary.net.codec.Hello;
import io.canary.net.codec.WireFormat;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/** Opens our connection to one peer: TCP connect, TLS if configured, then the Hello and auth exchange. */
final class Dialer {
    /** The peer, or we, refused the connection; the message is the line both logs show. */
    static final class Refused extends Exception {
        Refused(String line) {
            super(line, null, false, false);
        }
    }

    private final NodeContext ctx;
    private final String peerId;
    private final HostPort address;

    Dialer(NodeContext ctx, String peerId, HostPort address) {
        this.ctx = ctx;
        this.peerId = peerId;
        this.address = address;
    }

    /**
     * @param opened told of the channel as soon as it exists, so that a concurrent close can abort
     *     a connect in progress
     * @throws Refused if a handshake check failed on either side
     * @throws IOException or CodecException if the peer cannot be reached or spoke garbage
     */
    Connection dial(Consumer<SocketChannel> opened) throws IOException, Refused {
        SocketChannel ch = SocketChannel.open();
        opened.accept(ch);
        SSLSocket tls = null;
        boolean ok = false;
        try {
            Socket s = ch.socket();
            int timeout = (int) ctx.config.connectTimeout().toMillis();
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            s.connect(new InetSocketAddress(address.host(), address.port()), timeout);
            s.setSoTimeout(timeout);
            Socket io = s;
            if (ctx.tls != null) {
                tls = tlsHandshake(s);
                io = tls;
            }
            FrameSeal seal;
            try {
                seal = exchangeHellos(io);
            } catch (SSLException e) {
                if (Tls.peerWentAway(e)) {
                    throw e;
                }
                // With TLS 1.3 the acceptor judges our certificate after our side of the handshake
                // is done: its verdict arrives as an alert on our first read.
                throw new Refused("connection to " + peerId + " at " + address + " failed its TLS handshake: " + Tls.describe(e));
            }
            io.setSoTimeout(0);
            ok = true;
            return new Connection(ch, tls, seal);
        } finally {
            if (!ok) {
                NodeContext.closeQuietly(tls);
                NodeContext.closeQuietly(ch);
            }
        }
    }

    private SSLSocket tlsHandshake(Socket s) throws IOException, Refused {
        SSLSocket tls;
        try {
            tls = ctx.tls.connect(s, address.host(), address.port());
        } catch (SSLException e) {
            if (Tls.peerWentAway(e)) {
                throw e;
            }
            throw new Refused("connection to " + peerId + " at " + address + " failed its TLS handshake: " + Tls.describe(e));
        }
        Set<String> names = Tls.names(tls);
        if (!names.contains(peerId)) {
            throw new Refused("connection to " + peerId + " at " + address + " refused by " + ctx.selfId
                    + ": its TLS certificate names " + names + ", not " + peerId);
        }
        return tls;
    }

    /**
     * The connector's side: our Hello and auth frame, the peer's, then (with a secret) our proof
     * first and the peer's after it.
     *
     * @return the seal of what we send on this connection; null without a secret
     */
    private FrameSeal exchangeHellos(Socket io) throws IOException, Refused {
        OutputStream out = io.getOutputStream();
        AuthOffer ours = ctx.auth.offer();
        out.write(ctx.codec.encodeHello(ctx.handshake.hello()));
        out.write(ctx.codec.encodeAuth(ours));
        out.flush();
        FrameReader reader = new FrameReader(new BufferedInputStream(io.getInputStream(), 1024),
                WireFormat.MIN_MAX_FRAME_BYTES * 4, ctx.counters);
        byte[] hello = expect(reader, WireFormat.TYPE_HELLO, "a Hello");
        String problem = ctx.handshake.problemWithOutbound(Hello.decode(hello, 0, hello.length), peerId, address.toString());
        if (problem != null) {
            throw refuse(out, problem);
        }
        byte[] auth = expect(reader, WireFormat.TYPE_AUTH, "its auth frame");
        AuthOffer offer = AuthOffer.decode(auth, 0, auth.length);
        problem = ctx.auth.problemWithMode(peerId, offer.mode());
        if (problem != null) {
            throw refuse(out, problem);
        }
        if (offer.mode() == AuthOffer.Mode.NONE) {
            return null;
        }
        byte[] key = ctx.auth.key(peerId).orElse(null);
        if (key == null) {
            throw refuse(out, ctx.auth.noKey(peerId));
        }
        byte[] nonceC = ours.nonce();
        byte[] nonceA = offer.nonce();
        out.write(ctx.codec.encodeProof(ctx.auth.proof(key, Authenticator.Role.CONNECTOR, ctx.selfId, peerId, nonceC, nonceA)));
        out.flush();
        byte[] proof = AuthOffer.decodeProof(expect(reader, WireFormat.TYPE_PROOF, "its proof"), 0, AuthOffer.PROOF_BYTES);
        if (!ctx.auth.verify(key, Authenticator.Role.ACCEPTOR, ctx.selfId, peerId, nonceC, nonceA, proof)) {
            // No Reject: a peer that verified our proof holds our pair key, so this one is no member; just close.
            throw new Refused("connection to " + peerId + " at " + address + " refused by " + ctx.selfId + ": "
                    + Authenticator.badProof(peerId, ctx.selfId));
        }
        return ctx.auth.session(key, ctx.selfId, peerId, nonceC, nonceA);
    }

    /** The peer's next frame, which must be of {@code type}; a Reject is the peer refusing us. */
    private byte[] expect(FrameReader reader, int type, String what) throws IOException, Refused {
        FrameReader.Frame f = reader.read();
        if (f == null) {
            throw new EOFException("the peer closed the connection during the handshake");
        }
        if (f.header().type() == WireFormat.TYPE_REJECT) {
            String reason = Printable.of(Hello.decodeReject(f.payload(), 0, f.payload().length), 300);
            throw new Refused("connection to " + peerId + " at " + address + " rejected by " + peerId + ": " + reason);
        }
        if (f.header().type() != type) {
            throw new CodecException("expected " + what + " from " + peerId + ", got frame type " + f.header().type());
        }
        return f.payload();
    }

    /** Tells the peer why we refuse it and throws the line our log shows. */
    private Refused refuse(OutputStream out, String problem) {
        try {
            out.write(ctx.codec.encodeReject(problem));
            out.flush();
        } catch (IOException ignored) {
            // they will see the connection close; our line says why
        }
        return new Refused("connection to " + peerId + " at " + address + " refused by " + ctx.selfId + ": " + problem);
    }
}
