package io.canary.net.internal;

import io.canary.net.HostPort;
import io.canary.net.codec.WireFormat;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Set;
import javax.net.ssl.SSLException;

/**
 * One attempt to open our connection to a peer, on the selector thread (the NIO twin of
 * {@link Dialer}): a non-blocking TCP connect, mutual TLS if configured ({@link NioTls}, with the
 * peer's certificate required to name the peer), then the connector's side of the handshake
 * ({@link ConnectorHandshake}). The connect timeout bounds each wait (TCP, each TLS read, each
 * handshake frame) but one: the acceptor's first answer once TCP is up may take the connect timeout
 * plus the longest backoff. Its kernel accepted us, so the peer's port is bound, and a node that is
 * still starting (its port bound, its selector not running yet: every cluster start) answers the
 * moment it runs; giving up on that connection would only leave it stale in the peer's accept queue
 * and sleep the backoff, up to {@code backoffMax}, before a new one, which is how a cluster of 50
 * nodes started over several seconds took seconds more to connect every pair after the last one
 * started. A hung peer is still found out, one backoff later. It ends exactly once: it hands the
 * open connection to its {@link Outcome} (whose handler the selection key then carries), or closes
 * its socket and says why. Same checks and lines as the blocking dialler.
 */
final class NioDial implements NioLoop.Handler {
    /** What an attempt tells its owner, once, on the selector thread. */
    interface Outcome {
        /** The handshake passed: the connection is the owner's from now on (it attaches itself to {@code key}). */
        void dialOpened(SocketChannel ch, SelectionKey key, NioWire wire, FrameSeal seal);

        /** The peer could not be reached, timed out or went away: an ordinary failure, retried. */
        void dialFailed(String why);

        /** Either side refused the other (the line is the message): a rejection, counted and retried. */
        void dialRefused(ConnectorHandshake.Refused refused);
    }

    private enum Stage { CONNECTING, TLS, HANDSHAKE, DONE }

    private final NodeContext ctx;
    private final NioLoop loop;
    private final String peerId;
    private final HostPort address;
    private final Outcome outcome;
    private Stage stage = Stage.CONNECTING;
    private SocketChannel ch;
    private SelectionKey key;
    private NioWire wire;
    private FrameDecoder decoder;
    private ConnectorHandshake handshake;
    /** Counts progress (TCP up, each TLS read, each frame), so a timeout armed before the latest knows it is stale. */
    private int progress;

    NioDial(NodeContext ctx, NioLoop loop, String peerId, HostPort address, Outcome outcome) {
        this.ctx = ctx;
        this.loop = loop;
        this.peerId = peerId;
        this.address = address;
        this.outcome = outcome;
    }

    /** Starts connecting; loop thread only. */
    void start() {
        try {
            ch = SocketChannel.open();
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            armTimeout();
            // A literal address costs nothing; a host name is resolved here (the JVM caches lookups).
            if (ch.connect(new InetSocketAddress(address.host(), address.port()))) {
                key = loop.register(ch, SelectionKey.OP_READ, this);
                tcpUp();
            } else {
                key = loop.register(ch, SelectionKey.OP_CONNECT, this);
            }
        } catch (IOException | RuntimeException e) {
            fail(describe(e));
        }
    }

    private void armTimeout() {
        armTimeout(ctx.config.connectTimeout().toNanos());
    }

    private void armTimeout(long nanos) {
        int armedAt = ++progress;
        loop.schedule(nanos, () -> {
            if (progress == armedAt) {
                fail("timed out");
            }
        });
    }

    @Override
    public void ready(SelectionKey k) {
        if (stage == Stage.CONNECTING) {
            if (k.isConnectable()) {
                try {
                    if (!ch.finishConnect()) {
                        return;
                    }
                } catch (IOException e) {
                    fail(describe(e));
                    return;
                }
                k.interestOps(SelectionKey.OP_READ);
                tcpUp();
            }
            return;
        }
        if (k.isValid() && k.isWritable()) {
            writeOut();
        }
        if (k.isValid() && k.isReadable() && stage != Stage.DONE) {
            readable();
        }
    }

    /** TCP is up: TLS first if configured, then our Hello; the acceptor's first answer may take a while (see above). */
    private void tcpUp() {
        armTimeout(ctx.config.connectTimeout().plus(ctx.config.backoffMax()).toNanos());
        try {
            wire = new NioWire(ch, ctx.tls == null ? null : new NioTls(ctx.tls.connector(address.host(), address.port())));
        } catch (SSLException e) {
            tlsFailed(e);
            return;
        }
        if (ctx.tls == null) {
            startHandshake();
        } else {
            stage = Stage.TLS;
            writeOut();
        }
    }

    private void startHandshake() {
        if (ctx.tls != null) {
            armTimeout(); // TLS answered already: the Hello's answer is one more ordinary wait
        }
        stage = Stage.HANDSHAKE;
        decoder = new FrameDecoder(WireFormat.MIN_MAX_FRAME_BYTES * 4, ctx.counters);
        handshake = new ConnectorHandshake(ctx, peerId, address);
        send(handshake.first());
    }

    private void readable() {
        ByteBuffer plain;
        try {
            plain = wire.read(loop.readBuffer);
        } catch (SSLException e) {
            tlsFailed(e);
            return;
        } catch (IOException e) {
            fail(describe(e));
            return;
        }
        if (!wire.idle()) {
            writeOut(); // TLS's answers
            if (stage == Stage.DONE) {
                return;
            }
        }
        if (plain == null) {
            ended();
        } else if (stage == Stage.TLS) {
            armTimeout();
            if (wire.ready()) {
                tlsUp();
            }
        } else if (stage == Stage.HANDSHAKE) {
            frames(plain);
        }
    }

    /** Our side of TLS is done: the certificate must speak for the peer we dialled; then the Hellos. */
    private void tlsUp() {
        Set<String> names;
        try {
            names = Tls.names(wire.tls().session());
        } catch (SSLException e) {
            tlsFailed(e);
            return;
        }
        if (!names.contains(peerId)) {
            refuse(new ConnectorHandshake.Refused("connection to " + peerId + " at " + address + " refused by "
                    + ctx.selfId + ": its TLS certificate names " + names + ", not " + peerId, null));
            return;
        }
        startHandshake();
    }

    private void frames(ByteBuffer buf) {
        try {
            while (stage == Stage.HANDSHAKE) {
                FrameReader.Frame f = decoder.next(buf);
                if (f == null) {
                    return;
                }
                armTimeout();
                ConnectorHandshake.Step step = handshake.onFrame(f);
                if (step.send() != null) {
                    send(step.send());
                }
                if (step.open() && stage == Stage.HANDSHAKE) {
                    stage = Stage.DONE;
                    progress++;
                    outcome.dialOpened(ch, key, wire, step.seal());
                }
            }
        } catch (ConnectorHandshake.Refused r) {
            refuse(r);
        } catch (RuntimeException e) {
            fail(describe(e));
        }
    }

    /** The stream ended before the connection opened. */
    private void ended() {
        if (stage == Stage.TLS) {
            fail("the peer closed the connection during the TLS handshake");
            return;
        }
        try {
            decoder.endOfStream();
            fail("the peer closed the connection during the handshake");
        } catch (RuntimeException e) {
            fail(describe(e));
        }
    }

    /**
     * TLS refused: a certificate either side does not trust (with TLS 1.3 the acceptor's verdict on ours
     * arrives as an alert after our side is done, so during the Hellos); or the peer went away mid-way,
     * which is an ordinary failure.
     */
    private void tlsFailed(SSLException e) {
        if (Tls.peerWentAway(e)) {
            fail(describe(e));
            return;
        }
        refuse(new ConnectorHandshake.Refused("connection to " + peerId + " at " + address + " failed its TLS handshake: "
                + Tls.describe(e), null));
    }

    /** A handshake frame: small, so the socket takes it at once; it waits in the wire if not. */
    private void send(byte[] frame) {
        try {
            wire.queue(frame);
        } catch (SSLException e) {
            tlsFailed(e);
            return;
        }
        writeOut();
    }

    /** Writes what waits, with OP_WRITE while some is left; false if some is left or the write failed. */
    private boolean writeOut() {
        if (stage == Stage.DONE) {
            return false;
        }
        try {
            wire.flush(key);
        } catch (IOException e) {
            fail(describe(e));
            return false;
        }
        return wire.idle();
    }

    private void fail(String why) {
        if (end()) {
            outcome.dialFailed(why);
        }
    }

    private void refuse(ConnectorHandshake.Refused r) {
        if (r.reject != null && wire != null && stage != Stage.DONE) {
            wire.writeLast(r.reject); // they will see the connection close; our line says why
        }
        if (end()) {
            outcome.dialRefused(r);
        }
    }

    /** Ends a failed attempt: closes the socket; false if it had ended already. */
    private boolean end() {
        if (stage == Stage.DONE) {
            return false;
        }
        stage = Stage.DONE;
        progress++;
        if (wire != null) {
            wire.flushQuietly(); // a TLS alert that tells the peer why
        }
        NodeContext.closeQuietly(ch);
        return true;
    }

    @Override
    public void failed(Exception e) {
        fail(describe(e));
    }

    static String describe(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
