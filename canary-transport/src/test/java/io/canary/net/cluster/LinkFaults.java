package io.canary.net.cluster;

import io.canary.transport.Message;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Which messages the socket cluster loses, per node and per directed link and type. Thread-safe. */
final class LinkFaults {
    private record Drop(String from, String to, Class<? extends Message> type) {
    }

    private final Set<String> isolated = ConcurrentHashMap.newKeySet();
    private final Set<Drop> drops = ConcurrentHashMap.newKeySet();

    void isolate(String id) {
        isolated.add(id);
    }

    void drop(String from, String to, Class<? extends Message> type) {
        drops.add(new Drop(from, to, type));
    }

    void heal() {
        isolated.clear();
        drops.clear();
    }

    /** True if {@code message} from {@code from} to {@code to} is lost; a node's messages to itself never are. */
    boolean loses(String from, String to, Message message) {
        if (from.equals(to)) {
            return false;
        }
        return isolated.contains(from) || isolated.contains(to) || drops.contains(new Drop(from, to, message.getClass()));
    }
}
