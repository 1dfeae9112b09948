package io.canary.transport;

/**
 * Carries {@link Message}s between the nodes of one cluster. Canary ships an in-memory
 * implementation (for in-process clusters and tests) and a TCP one ({@code canary-transport});
 * any other can be plugged in.
 *
 * <p>Delivery is best effort: a message may be lost, duplicated, delayed or reordered, and the
 * protocol is built for that (every message is idempotent and the protocol resends what it
 * needs). A transport must never corrupt a message or deliver one that was not sent.
 */
public interface Transport extends AutoCloseable {

    /**
     * Starts the transport for node {@code selfId} and begins delivering inbound messages to
     * {@code receiver}. Called exactly once, by the node, before any {@link #send}.
     *
     * <p>Threading: the receiver may be called from any transport thread, concurrently; the node
     * hands each message to its own protocol thread and returns at once, so it never blocks.
     *
     * @throws TransportException if the transport cannot start (e.g. its port is in use); the
     *     message says what is wrong
     */
    void start(String selfId, Receiver receiver);

    /**
     * Sends {@code message} to node {@code to}, best effort.
     *
     * <p>Must not block the caller (it is the node's protocol thread) and must not throw: a
     * message to an unknown, unreachable or closed peer is dropped, and may be logged. Safe to
     * call from any thread.
     */
    void send(String to, Message message);

    /**
     * Stops delivering, closes connections and releases ports and threads promptly, so that a
     * node can start again on the same address at once. Idempotent; never throws.
     */
    @Override
    void close();

    /** Where a transport hands inbound messages. */
    @FunctionalInterface
    interface Receiver {
        /**
         * Called for each inbound message. Must return quickly and must not throw.
         *
         * @param from the sending node's id, as authenticated by the transport (handshake, TLS)
         * @param message the message
         */
        void receive(String from, Message message);
    }
}
