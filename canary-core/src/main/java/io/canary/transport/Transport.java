package io.canary.transport;

/**
 * Carries {@link Message}s between the nodes of one cluster. Canary ships an in-memory
 * implementation (for in-process clusters and tests) and a TCP one ({@code canary-transport});
 * any other can be plugged in.
 *
 * <p>Delivery is best effort: a message may be lost, duplicated, delayed or reordered, and the
 * protocol is built for that (every message is idempotent and the protocol resends what it
 * needs). A transport must never corrupt a message or deliver one that was not sent, and must say
 * truthfully who sent it.
 *
 * <p>Threading: {@link #send} and {@link #close} may be called from any thread, concurrently. The
 * node calls {@link #start} once, then {@link #send} from its protocol thread (which must never be
 * blocked), and {@link #close} once when it closes.
 */
public interface Transport extends AutoCloseable {

    /**
     * Starts the transport for node {@code selfId} and begins delivering inbound messages to
     * {@code receiver}. Called exactly once, by the node, before any {@link #send}, on the thread
     * that starts the node; it may block while it binds its resources, but must not wait for peers
     * (peers that are down are reached later, in the background).
     *
     * <p>Threading: the receiver may be called from any transport thread, concurrently; the node
     * hands each message to its own protocol thread and returns at once, so it never blocks.
     *
     * @throws TransportException if the transport cannot start (e.g. its port is in use), or was
     *     started or closed before; the message says what is wrong
     */
    void start(String selfId, Receiver receiver);

    /**
     * Sends {@code message} to node {@code to}, best effort.
     *
     * <p>Must not block the caller (it is the node's protocol thread) and must not throw: a
     * message to an unknown, unreachable or closed peer, one sent before {@link #start} or after
     * {@link #close}, or one that finds a full queue is dropped, and may be logged or counted. Safe
     * to call from any thread.
     */
    void send(String to, Message message);

    /**
     * Stops delivering, closes connections and releases ports and threads promptly, so that a
     * node can start again on the same address at once: no receiver call starts after it returns
     * (one already running may finish). Safe from any thread; may block briefly while its threads
     * stop (the socket transport waits at most two seconds). Idempotent; never throws.
     */
    @Override
    void close();

    /** Where a transport hands inbound messages. */
    @FunctionalInterface
    interface Receiver {
        /**
         * Called for each inbound message, from the transport's threads, possibly concurrently for
         * different peers. Must return quickly and must not throw; if it throws anyway, the
         * transport logs it and goes on (the message is lost, as on the network).
         *
         * @param from the sending node's id, as authenticated by the transport (handshake, TLS)
         * @param message the message
         */
        void receive(String from, Message message);
    }
}
