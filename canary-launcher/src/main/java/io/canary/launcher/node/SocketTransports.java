package io.canary.launcher.node;

import io.canary.net.ControlPort;
import io.canary.net.HostPort;
import io.canary.net.SocketTransport;
import io.canary.net.SocketTransportConfig;
import io.canary.transport.Transport;
import java.util.Map;
import java.util.Objects;

/** Builds TCP transports ({@code canary-transport}) for launcher nodes. */
public final class SocketTransports {
    private SocketTransports() {
    }

    /** Transports listening on the settings' bind address and control port. */
    public static TransportFactory factory() {
        return factory(Map.of());
    }

    /**
     * Transports that serve on control ports bound beforehand, by node id (nodes without one bind
     * their configured port). A cluster on ephemeral ports binds every port first, so that each
     * node's peer list can name them; each port is owned by its transport once used.
     */
    public static TransportFactory factory(Map<String, ControlPort> prebound) {
        Map<String, ControlPort> ports = Map.copyOf(prebound);
        return new TransportFactory() {
            @Override
            public Transport create(NodeSettings settings) {
                SocketTransportConfig config = config(settings);
                ControlPort port = ports.get(settings.nodeId());
                return port != null ? new SocketTransport(config, port) : new SocketTransport(config);
            }

            @Override
            public int boundPort(Transport transport, NodeSettings settings) {
                Transport t = transport;
                return t instanceof SocketTransport s && s.port() >= 0 ? s.port() : settings.controlPort();
            }
        };
    }

    /** The socket configuration of a node: cluster id, bind address and port, and every peer's address. */
    public static SocketTransportConfig config(NodeSettings settings) {
        Objects.requireNonNull(settings, "settings");
        SocketTransportConfig.Builder b = SocketTransportConfig.custom()
                .clusterId(settings.clusterId())
                .bindHost(settings.bindHost())
                .port(settings.controlPort());
        settings.tls().ifPresent(b::tls);
        settings.clusterSecret().ifPresent(b::clusterSecret);
        for (Map.Entry<String, HostPort> e : settings.members().entrySet()) {
            // This node's own entry only matters to others; with port 0 it is not known yet.
            if (!e.getKey().equals(settings.nodeId()) || e.getValue().port() > 0) {
                b.peer(e.getKey(), e.getValue());
            }
        }
        return b.build();
    }
}
