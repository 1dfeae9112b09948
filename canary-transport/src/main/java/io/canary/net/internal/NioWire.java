package io.canary.net.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLException;

/**
 * One non-blocking connection as the frame layer sees it, on the selector thread: plaintext in and
 * out, through {@link NioTls} when mutual TLS is configured, and the bytes the socket has not taken
 * yet. Both sides of a connection ({@link NioPeer}, {@link NioInbound}) use it, so they read and write
 * the same way with and without TLS. Not thread-safe.
 */
final class NioWire {
    private final SocketChannel ch;
    /** Null on a plain connection. */
    private final NioTls tls;
    /** Bytes for the socket (records under TLS) not yet taken by it; null when none. */
    private ByteBuffer out;
    private boolean endOfStream;
    private int lastRead;

    NioWire(SocketChannel ch, NioTls tls) {
        this.ch = ch;
        this.tls = tls;
        queueRaw(tls == null ? null : tls.takeOutput());
    }

    /** Null on a plain connection. */
    NioTls tls() {
        return tls;
    }

    /** True unless TLS is configured and its handshake is not complete yet. */
    boolean ready() {
        return tls == null || tls.handshakeDone();
    }

    /**
     * Reads what the socket holds into {@code scratch} and returns its plaintext (read mode, maybe
     * empty; consume it before the next call), or null at the end of the stream. Under TLS, handshake
     * messages are answered: call {@link #flush} after.
     *
     * @throws SSLException if TLS failed (a refused certificate, a damaged record)
     * @throws IOException if the socket failed
     */
    ByteBuffer read(ByteBuffer scratch) throws IOException {
        if (endOfStream) {
            return null;
        }
        scratch.clear();
        int n = ch.read(scratch);
        lastRead = n;
        if (n < 0) {
            endOfStream = true;
            return null;
        }
        scratch.flip();
        if (tls == null) {
            return scratch;
        }
        ByteBuffer plain;
        try {
            plain = tls.inbound(scratch);
        } finally {
            queueRaw(tls.takeOutput()); // answers, or the alert of a failure: see flushQuietly
        }
        // The peer's close_notify: what came with it is delivered now, the end of the stream on the next read.
        endOfStream = tls.closedByPeer();
        return plain;
    }

    /** True if the last {@link #read} found nothing in the socket (as opposed to bytes that held no plaintext yet). */
    boolean drained() {
        return lastRead == 0;
    }

    /** Queues {@code bytes} (encrypted under TLS) behind what waits; call {@link #flush} to write. */
    void queue(ByteBuffer bytes) throws SSLException {
        if (tls == null) {
            queueRaw(bytes);
            return;
        }
        tls.outbound(bytes);
        queueRaw(tls.takeOutput());
    }

    void queue(byte[] bytes) throws SSLException {
        queue(ByteBuffer.wrap(bytes));
    }

    private void queueRaw(ByteBuffer b) {
        if (b == null || !b.hasRemaining()) {
            return;
        }
        if (out == null) {
            out = b;
            return;
        }
        ByteBuffer joined = ByteBuffer.allocate(out.remaining() + b.remaining());
        out = joined.put(out).put(b).flip();
    }

    /**
     * Writes what waits as far as the socket takes it; without a key (a last word before closing) the
     * rest is simply left.
     *
     * @param key the connection's key: its interest is set to read, plus write while some is left; or null
     * @return the number of bytes written; see {@link #idle} for whether anything is left
     */
    int flush(SelectionKey key) throws IOException {
        int n = 0;
        if (out != null) {
            n = ch.write(out);
            if (!out.hasRemaining()) {
                out = null;
            }
        }
        if (key != null) {
            key.interestOps(out == null ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
        return n;
    }

    /** True if nothing waits for the socket. */
    boolean idle() {
        return out == null;
    }

    /** Bytes waiting for the socket. */
    int waiting() {
        return out == null ? 0 : out.remaining();
    }

    /** Writes {@code bytes} once, as far as the socket takes them, and forgets the rest (a last word before closing). */
    void writeLast(byte[] bytes) {
        try {
            queue(bytes);
        } catch (IOException | RuntimeException ignored) {
            // the peer may already be gone; our log line says it all
        }
        flushQuietly();
    }

    /** Writes what waits (a TLS alert, say) as far as the socket takes it, before closing; never throws. */
    void flushQuietly() {
        try {
            flush(null);
        } catch (IOException | RuntimeException ignored) {
            // the peer may already be gone; our log line says it all
        }
    }
}
