package io.canary.net.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The inbound connections of one node, for either I/O model, and the one authenticated connection
 * kept per peer. A peer's connector holds one live connection at a time, the one it opened last, so
 * of two authenticated connections of one peer the one accepted later wins: the other is dead (the
 * peer restarted, or gave up on it after a timeout) and is closed. Accept order, not the order the
 * handshakes finish in: a stale connection whose bytes are read late never closes the live one.
 * Thread-safe.
 *
 * @param <C> the connection type
 */
final class InboundRegistry<C> {
    private final Consumer<C> closer;
    private final AtomicLong accepts = new AtomicLong();
    /** Every open inbound connection, with its place in the accept order. */
    private final Map<C, Long> open = new ConcurrentHashMap<>();
    private final Map<String, C> byPeer = new ConcurrentHashMap<>();

    InboundRegistry(Consumer<C> closer) {
        this.closer = closer;
    }

    /** A connection was accepted. */
    void opened(C c) {
        open.put(c, accepts.incrementAndGet());
    }

    /** Open connections, authenticated or not. */
    int size() {
        return open.size();
    }

    /**
     * {@code c} passed its handshake as {@code peerId}: it replaces the peer's connection accepted
     * before it (closed here), unless that one was accepted after it.
     *
     * @return false if {@code c} is the stale one (closed here, it must not reach the protocol)
     */
    boolean authenticated(String peerId, C c) {
        long mine = open.getOrDefault(c, 0L);
        while (true) {
            C previous = byPeer.putIfAbsent(peerId, c);
            if (previous == null || previous == c) {
                return true;
            }
            if (open.getOrDefault(previous, 0L) > mine) {
                closer.accept(c);
                return false;
            }
            if (byPeer.replace(peerId, previous, c)) {
                closer.accept(previous);
                return true;
            }
        }
    }

    /** {@code c} closed ({@code peerId} null if it never passed its handshake). */
    void closed(C c, String peerId) {
        open.remove(c);
        if (peerId != null) {
            byPeer.remove(peerId, c);
        }
    }

    /** Closes every open connection. */
    void closeAll() {
        List.copyOf(open.keySet()).forEach(closer);
    }
}
