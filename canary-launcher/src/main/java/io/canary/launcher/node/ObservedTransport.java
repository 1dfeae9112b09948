package io.canary.launcher.node;

import io.canary.launcher.http.NodeCounters;
import io.canary.transport.Message;
import io.canary.transport.Transport;
import java.util.Objects;

/**
 * Wraps a transport to show traffic on the console: with {@code --verbose} every heartbeat, health
 * exchange and inbound message; always, every aborted transaction (once per transaction).
 */
final class ObservedTransport implements Transport {
    private final Transport delegate;
    private final NodeConsole console;
    private final NodeCounters counters;
    private final boolean verbose;

    ObservedTransport(Transport delegate, NodeConsole console, NodeCounters counters, boolean verbose) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.console = Objects.requireNonNull(console, "console");
        this.counters = Objects.requireNonNull(counters, "counters");
        this.verbose = verbose;
    }

    Transport delegate() {
        return delegate;
    }

    @Override
    public void start(String selfId, Receiver receiver) {
        delegate.start(selfId, (from, message) -> {
            observeInbound(from, message);
            receiver.receive(from, message);
        });
    }

    @Override
    public void send(String to, Message message) {
        observeOutbound(to, message);
        delegate.send(to, message);
    }

    @Override
    public void close() {
        delegate.close();
    }

    private void observeInbound(String from, Message message) {
        try {
            if (message instanceof Message.Abort abort && counters.aborted(abort.txId())) {
                console.aborted(abort.txId(), abort.reason());
            }
            if (verbose) {
                console.line("Processing message from " + from + ": " + message.getClass().getSimpleName());
            }
        } catch (RuntimeException ignored) {
            // Observing must never disturb delivery.
        }
    }

    private void observeOutbound(String to, Message message) {
        try {
            if (message instanceof Message.Abort abort && counters.aborted(abort.txId())) {
                console.aborted(abort.txId(), abort.reason());
            }
            if (!verbose) {
                return;
            }
            if (message instanceof Message.Heartbeat hb) {
                console.line("Heartbeat sent to " + to + " (committed version " + hb.committedVersion() + ")");
            } else if (message instanceof Message.HealthReport) {
                console.line("Health snapshot sent to " + to);
            } else {
                console.line(message.getClass().getSimpleName() + " sent to " + to);
            }
        } catch (RuntimeException ignored) {
            // Observing must never disturb delivery.
        }
    }
}
