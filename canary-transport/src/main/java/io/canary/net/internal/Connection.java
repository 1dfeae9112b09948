package io.canary.net.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLSocket;

/** An outbound connection past its handshake: plain TCP on a channel, or TLS layered on it. */
final class Connection implements AutoCloseable {
    private final SocketChannel channel;
    private final SSLSocket tls;
    private final ByteBuffer probeBuffer = ByteBuffer.allocate(1);
    private final FrameSeal seal;

    Connection(SocketChannel channel, SSLSocket tls, FrameSeal seal) {
        this.channel = channel;
        this.tls = tls;
        this.seal = seal;
    }

    /** Seals what we send on an authenticated connection; null without a secret. */
    FrameSeal seal() {
        return seal;
    }

    OutputStream out() throws IOException {
        return io().getOutputStream();
    }

    private Socket io() {
        return tls != null ? tls : channel.socket();
    }

    /**
     * The acceptor never writes after its Hello, so readable bytes or end of stream mean the
     * connection is dead (typically: the peer restarted). Checking before each burst of writes
     * finds that out at once instead of losing the burst's first message into a dead socket.
     *
     * @throws IOException if the connection is dead
     */
    void probe() throws IOException {
        int n = tls == null ? probePlain() : probeTls();
        if (n < 0) {
            throw new EOFException("the peer closed the connection");
        }
        if (n > 0) {
            throw new IOException("unexpected data from the peer");
        }
    }

    /** A non-blocking read: a few microseconds. */
    private int probePlain() throws IOException {
        channel.configureBlocking(false);
        try {
            probeBuffer.clear();
            return channel.read(probeBuffer);
        } finally {
            channel.configureBlocking(true);
        }
    }

    /**
     * TLS may legitimately send records after the handshake (session tickets) that only the TLS
     * layer can consume, so read through it with a 1 ms timeout.
     */
    private int probeTls() throws IOException {
        tls.setSoTimeout(1);
        try {
            InputStream in = tls.getInputStream();
            return in.read() < 0 ? -1 : 1;
        } catch (SocketTimeoutException alive) {
            return 0;
        } finally {
            tls.setSoTimeout(0);
        }
    }

    @Override
    public void close() {
        NodeContext.closeQuietly(tls);
        NodeContext.closeQuietly(channel);
    }
}
