package io.canary.transport.local;

import io.canary.transport.Message;

/**
 * Observes the traffic of a {@link LocalNetwork}: lets tests and the simulator count, trace or assert on
 * messages. Every method has an empty default, so a listener overrides only what it needs.
 *
 * <p>Threading: {@link #onSend} and the drops decided at send time run on the sender's thread;
 * {@link #onDeliver} and the drops decided at delivery time run on the network's scheduler. With a
 * {@code ManualScheduler} all of them run on the test thread. A listener must not block and should not
 * throw (what it throws is logged and ignored).
 */
public interface NetworkListener {

    /** {@code from} handed {@code message} to the network for {@code to} (before any fault applies). */
    default void onSend(String from, String to, Message message) {
    }

    /** The network lost {@code message}; {@code reason} says which rule or condition lost it. */
    default void onDrop(String from, String to, Message message, String reason) {
    }

    /** {@code message} reached the receiver of {@code to} (a duplicate is reported once per copy). */
    default void onDeliver(String from, String to, Message message) {
    }
}
