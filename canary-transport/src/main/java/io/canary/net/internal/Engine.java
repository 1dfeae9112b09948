package io.canary.net.internal;

import io.canary.transport.Message;
import java.util.Set;

/**
 * The sockets of one running transport: its listener, its inbound connections, and one outbound
 * connection per peer with a bounded queue. {@link NioEngine} drives them all from one selector
 * thread; {@link BlockingEngine} with a thread per connection (kept for mutual TLS).
 *
 * <p>Threading: every method is safe from any thread; {@link #offer} and the accessors never block.
 */
public interface Engine {
    /**
     * Queues {@code m} for {@code peer} without blocking; a full queue drops it (counted, logged rarely).
     *
     * @return false if {@code peer} is not one of ours (nothing queued, nothing counted)
     */
    boolean offer(String peer, Message m);

    /** Peers whose outbound connection is up and past its handshake. */
    Set<String> connectedPeers();

    /** Messages waiting in {@code peer}'s outbound queue (0 for an unknown peer). */
    int queued(String peer);

    /** Closes every connection and thread, waiting for the threads until {@code deadlineNanos} (System.nanoTime). */
    void close(long deadlineNanos);
}
