package io.canary.net;

import io.canary.transport.Message;
import io.canary.transport.Transport;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** A receiver that keeps what it got, for assertions. */
final class Inbox implements Transport.Receiver {
    record Received(String from, Message message) {
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();

    @Override
    public void receive(String from, Message message) {
        received.add(new Received(from, message));
    }

    List<Received> all() {
        return List.copyOf(received);
    }

    List<Message> messages() {
        return received.stream().map(Received::message).collect(Collectors.toList());
    }

    List<Message> messagesFrom(String from) {
        return received.stream().filter(r -> r.from().equals(from)).map(Received::message).collect(Collectors.toList());
    }

    int size() {
        return received.size();
    }
}
