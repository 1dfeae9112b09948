package io.canary.net.internal;

import io.canary.net.HostPort;
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

/** Opens our connection to one peer: TCP connect, TLS if configured, then the Hello exchange. */
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
            try {
                exchangeHellos(io);
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
            return new Connection(ch, tls);
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

    private void exchangeHellos(Socket io) throws IOException, Refused {
        OutputStream out = io.getOutputStream();
        out.write(ctx.codec.encodeHello(ctx.handshake.hello()));
        out.flush();
        FrameReader reader = new FrameReader(new BufferedInputStream(io.getInputStream(), 1024),
                WireFormat.MIN_MAX_FRAME_BYTES * 4, ctx.counters);
        FrameReader.Frame f = reader.read();
        if (f == null) {
            throw new EOFException("the peer closed the connection during the handshake");
        }
        if (f.header().type() == WireFormat.TYPE_REJECT) {
            String reason = Printable.of(Hello.decodeReject(f.payload(), 0, f.payload().length), 300);
            throw new Refused("connection to " + peerId + " at " + address + " rejected by " + peerId + ": " + reason);
        }
        if (f.header().type() != WireFormat.TYPE_HELLO) {
            throw new CodecException("expected a Hello, got frame type " + f.header().type());
        }
        Hello theirs = Hello.decode(f.payload(), 0, f.payload().length);
        String problem = ctx.handshake.problemWithOutbound(theirs, peerId, address.toString());
        if (problem != null) {
            try {
                out.write(ctx.codec.encodeReject(problem));
                out.flush();
            } catch (IOException ignored) {
                // they will see the connection close; our line says why
            }
            throw new Refused("connection to " + peerId + " at " + address + " refused by " + ctx.selfId + ": " + problem);
        }
    }
}
