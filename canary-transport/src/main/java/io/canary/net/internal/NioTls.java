package io.canary.net.internal;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * Mutual TLS 1.3 on one non-blocking connection (JSSE's {@link SSLEngine}): records in, plaintext
 * out, and the other way round. Inside the records travel exactly the bytes a plain connection
 * carries (Hello, auth frames, proofs, sealed frames), so a TLS node on the NIO model and one on the
 * blocking model ({@code SSLSocket}) form one cluster. The engine's delegated tasks (certificate
 * path checks) run inline on the selector thread: a handshake costs it a few milliseconds of CPU and
 * no thread, so threads stay constant under TLS too.
 *
 * <p>Not thread-safe: one per connection, on the selector thread. Failure: {@link SSLException} from
 * {@link #inbound}/{@link #outbound} is a failed handshake or a damaged record (see
 * {@link Tls#describe}); the connection is closed by its owner.
 */
final class NioTls {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SSLEngine engine;
    /** Records read from the socket and not yet unwrapped (write mode). */
    private ByteBuffer netIn;
    /** Plaintext unwrapped by the current {@link #inbound} call (write mode). */
    private ByteBuffer appIn;
    /** Records to send (write mode): handshake messages, alerts, wrapped plaintext. */
    private ByteBuffer netOut;
    private boolean handshakeDone;
    private boolean closedByPeer;

    /** Starts the handshake; a client's first flight is then waiting in {@link #takeOutput}. */
    NioTls(SSLEngine engine) throws SSLException {
        this.engine = engine;
        SSLSession s = engine.getSession();
        this.netIn = ByteBuffer.allocate(s.getPacketBufferSize());
        this.appIn = ByteBuffer.allocate(s.getApplicationBufferSize());
        this.netOut = ByteBuffer.allocate(s.getPacketBufferSize());
        engine.beginHandshake();
        drive();
    }

    /** True once this side's handshake completed (TLS 1.3: a server may still refuse our certificate, by an alert). */
    boolean handshakeDone() {
        return handshakeDone;
    }

    /** True once the peer sent its close_notify: nothing more will arrive. */
    boolean closedByPeer() {
        return closedByPeer;
    }

    SSLSession session() {
        return engine.getSession();
    }

    /**
     * Takes {@code net} (bytes read from the socket, read mode; all consumed) and returns the plaintext
     * it completes, in read mode; the caller must consume it before the next call. Handshake messages
     * are answered (see {@link #takeOutput}).
     *
     * @throws SSLException if the handshake failed or a record is not valid
     */
    ByteBuffer inbound(ByteBuffer net) throws SSLException {
        appIn.clear();
        try {
            unwrapAll(net);
        } catch (SSLException e) {
            alert();
            throw e;
        }
        appIn.flip();
        return appIn;
    }

    private void unwrapAll(ByteBuffer net) throws SSLException {
        do {
            if (!netIn.hasRemaining()) {
                netIn = grow(netIn, engine.getSession().getPacketBufferSize());
            }
            int n = Math.min(net.remaining(), netIn.remaining());
            ByteBuffer part = net.duplicate();
            part.limit(part.position() + n);
            netIn.put(part);
            net.position(net.position() + n);
            drive();
        } while (net.hasRemaining() && !closedByPeer);
    }

    /**
     * After a failure: the alert that tells the peer why (a refused certificate, say) goes into
     * {@link #takeOutput}, so its log names the problem instead of a closed connection.
     */
    private void alert() {
        try {
            engine.wrap(EMPTY, netOut); // JSSE holds the fatal alert until the next wrap
        } catch (SSLException | RuntimeException ignored) {
            // nothing to send: the connection closes either way
        }
    }

    /** Wraps all of {@code app} (read mode) into records waiting in {@link #takeOutput}. */
    void outbound(ByteBuffer app) throws SSLException {
        while (app.hasRemaining()) {
            if (!wrap(app)) {
                throw new SSLException("the TLS connection is closed");
            }
        }
    }

    /** The records waiting to be written (read mode), or null if none; they are the caller's from now on. */
    ByteBuffer takeOutput() {
        if (netOut.position() == 0) {
            return null;
        }
        netOut.flip();
        ByteBuffer b = ByteBuffer.allocate(netOut.remaining()).put(netOut).flip();
        netOut.clear();
        return b;
    }

    /** Runs the engine as far as the bytes at hand allow: tasks, handshake flights, unwrapping. */
    private void drive() throws SSLException {
        while (!closedByPeer) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK) {
                for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
                    task.run();
                }
            } else if (hs == HandshakeStatus.NEED_WRAP) {
                if (!wrap(EMPTY)) {
                    return;
                }
            } else if (!unwrap()) {
                return;
            }
        }
    }

    /** One wrap into {@link #netOut}; false if the engine is closed or made no progress. */
    private boolean wrap(ByteBuffer app) throws SSLException {
        while (true) {
            SSLEngineResult r = engine.wrap(app, netOut);
            switch (r.getStatus()) {
                case BUFFER_OVERFLOW -> netOut = grow(netOut, engine.getSession().getPacketBufferSize());
                case CLOSED -> {
                    return false;
                }
                default -> {
                    noteHandshake(r);
                    return r.bytesConsumed() > 0 || r.bytesProduced() > 0;
                }
            }
        }
    }

    /** One unwrap from {@link #netIn} into {@link #appIn}; false once more bytes are needed (or the peer closed). */
    private boolean unwrap() throws SSLException {
        while (true) {
            netIn.flip();
            SSLEngineResult r;
            try {
                r = engine.unwrap(netIn, appIn);
            } finally {
                netIn.compact();
            }
            switch (r.getStatus()) {
                case BUFFER_OVERFLOW -> appIn = grow(appIn, engine.getSession().getApplicationBufferSize());
                case BUFFER_UNDERFLOW -> {
                    return false;
                }
                case CLOSED -> {
                    closedByPeer = true;
                    return false;
                }
                default -> {
                    noteHandshake(r);
                    return r.bytesConsumed() > 0 || r.bytesProduced() > 0;
                }
            }
        }
    }

    private void noteHandshake(SSLEngineResult r) {
        if (r.getHandshakeStatus() == HandshakeStatus.FINISHED
                || engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING) {
            handshakeDone = true;
        }
    }

    /** A buffer (write mode) holding what {@code b} holds, with room for at least {@code more} bytes more. */
    private static ByteBuffer grow(ByteBuffer b, int more) {
        b.flip();
        return ByteBuffer.allocate(b.remaining() + Math.max(more, b.capacity())).put(b);
    }
}
