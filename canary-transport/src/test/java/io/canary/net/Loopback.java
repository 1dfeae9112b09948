package io.canary.net;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Nodes on 127.0.0.1 with ephemeral ports: binds every node's control port first, so that every
 * peer map can name every port, then hands each port to the node's transport.
 */
final class Loopback implements AutoCloseable {
    static final String HOST = "127.0.0.1";

    private final String clusterId;
    private final Map<String, HostPort> addresses = new LinkedHashMap<>();
    private final Map<String, ControlPort> bound = new LinkedHashMap<>();

    Loopback(String clusterId, String... nodeIds) {
        this.clusterId = clusterId;
        for (String id : nodeIds) {
            ControlPort p = ControlPort.bind(HOST, 0);
            bound.put(id, p);
            addresses.put(id, p.address());
        }
    }

    /** Fast timings for tests: short connect timeout and backoff. */
    static SocketTransportConfig.Builder fast() {
        return SocketTransportConfig.custom()
                .bindHost(HOST)
                .connectTimeout(Duration.ofSeconds(1))
                .backoffInitial(Duration.ofMillis(10))
                .backoffMax(Duration.ofMillis(200));
    }

    Map<String, HostPort> addresses() {
        return addresses;
    }

    HostPort address(String id) {
        return addresses.get(id);
    }

    /** The configuration of node {@code id}: every node of this loopback cluster as its peers. */
    SocketTransportConfig.Builder config(String id) {
        return fast().clusterId(clusterId).port(addresses.get(id).port()).peers(addresses);
    }

    /** Releases {@code id}'s port unused, so that node is "down" until it is started on that port. */
    void release(String id) {
        ControlPort p = bound.remove(id);
        if (p != null) {
            p.close();
        }
    }

    /** A transport for {@code id} with the default test config, not yet started. */
    SocketTransport transport(String id) {
        return transport(id, config(id).build());
    }

    /** A transport for {@code id}: on its pre-bound port the first time, binding the same port afterwards. */
    SocketTransport transport(String id, SocketTransportConfig config) {
        ControlPort p = bound.remove(id);
        return p != null ? new SocketTransport(config, p) : new SocketTransport(config);
    }

    /** Starts a transport for {@code id} delivering to {@code inbox}. */
    SocketTransport start(String id, Inbox inbox) {
        SocketTransport t = transport(id);
        t.start(id, inbox);
        return t;
    }

    @Override
    public void close() {
        bound.values().forEach(ControlPort::close);
        bound.clear();
    }
}
