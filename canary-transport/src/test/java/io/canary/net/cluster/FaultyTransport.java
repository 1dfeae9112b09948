package io.canary.net.cluster;

import io.canary.transport.Message;
import io.canary.transport.Transport;
import java.util.Set;

/**
 * A real transport with the harness's faults applied at both ends (when sent, and again when
 * received, so that a message already on the wire when a fault is set is lost too). Messages from
 * ids that are not cluster members (a fuzzer posing as a configured extra peer) go to
 * {@code strangers} instead of the node.
 */
final class FaultyTransport implements Transport {
    private final String selfId;
    private final Transport delegate;
    private final LinkFaults faults;
    private final Set<String> members;
    private final Receiver strangers;

    FaultyTransport(String selfId, Transport delegate, LinkFaults faults, Set<String> members, Receiver strangers) {
        this.selfId = selfId;
        this.delegate = delegate;
        this.faults = faults;
        this.members = members;
        this.strangers = strangers;
    }

    @Override
    public void start(String id, Receiver receiver) {
        delegate.start(id, (from, message) -> {
            if (!members.contains(from)) {
                strangers.receive(from, message);
            } else if (!faults.loses(from, selfId, message)) {
                receiver.receive(from, message);
            }
        });
    }

    @Override
    public void send(String to, Message message) {
        if (!faults.loses(selfId, to, message)) {
            delegate.send(to, message);
        }
    }

    @Override
    public void close() {
        delegate.close();
    }
}
