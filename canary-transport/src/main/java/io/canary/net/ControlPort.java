package io.canary.net;

import io.canary.transport.TransportException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;

/**
 * A bound control-port listener, not yet serving. {@link SocketTransport#start} binds one itself;
 * bind one ahead with {@link #bind} when the port must be known before the transport is built, e.g.
 * a cluster on ephemeral ports whose peer maps need every node's port. The transport that is given
 * one owns it and closes it.
 */
public final class ControlPort implements AutoCloseable {
    private static final int BACKLOG = 128;

    private final ServerSocketChannel server;
    private final HostPort address;

    private ControlPort(ServerSocketChannel server, HostPort address) {
        this.server = server;
        this.address = address;
    }

    /**
     * Binds {@code host:port} (port 0: any free port) with SO_REUSEADDR, so a node can restart on
     * its port at once even while connections of its previous run linger in TIME_WAIT.
     *
     * @throws TransportException with one clear line if the port is taken or the address is not ours
     */
    public static ControlPort bind(String host, int port) {
        ServerSocketChannel server = null;
        try {
            // A channel, so that either I/O model can serve it: the NIO selector, or a blocking accept loop.
            server = ServerSocketChannel.open();
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(host, port), BACKLOG);
            return new ControlPort(server, new HostPort(host, server.socket().getLocalPort()));
        } catch (BindException e) {
            closeQuietly(server);
            String msg = String.valueOf(e.getMessage());
            if (msg.contains("in use")) {
                // Not always a listener: an outgoing connection (open or in TIME_WAIT) can hold the port
                // as its local one, since the default ports lie in Linux's ephemeral range.
                throw new TransportException("control port " + port + " is already in use by another process"
                        + " or a lingering connection (ss -tanp | grep :" + port + " shows which)");
            }
            throw new TransportException("cannot listen on " + new HostPort(host, port) + ": " + msg);
        } catch (IOException | SecurityException | IllegalArgumentException e) {
            closeQuietly(server);
            throw new TransportException("cannot listen on " + host + ":" + port + ": " + e.getMessage());
        }
    }

    /** The port actually bound (the chosen one when bound with port 0). */
    public int port() {
        return address.port();
    }

    /** The bound host and port. */
    public HostPort address() {
        return address;
    }

    /** True once closed (by {@link #close()} or by the transport that owned it). */
    public boolean isClosed() {
        return !server.isOpen();
    }

    /** The listener as a blocking server socket (the blocking model). */
    ServerSocket serverSocket() {
        return server.socket();
    }

    /** The listener's channel (the NIO model). */
    ServerSocketChannel channel() {
        return server;
    }

    /** Releases the port. Idempotent. */
    @Override
    public void close() {
        closeQuietly(server);
    }

    private static void closeQuietly(ServerSocketChannel s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }
}
