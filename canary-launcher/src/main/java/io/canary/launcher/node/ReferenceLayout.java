package io.canary.launcher.node;

import io.canary.net.HostPort;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference deployment of the original guide: node-a (coordinator), node-b and node-c, on hosts
 * from {@code PEERS_NODE_A}, {@code PEERS_NODE_B}, {@code PEERS_NODE_C} (default 127.0.0.1), control
 * ports 60001-60003 and data ports 50051-50053.
 */
public final class ReferenceLayout {
    /** The node ids, coordinator first. */
    public static final List<String> NODE_IDS = List.of("node-a", "node-b", "node-c");
    /** The coordinator of the reference layout. */
    public static final String COORDINATOR = "node-a";
    /** Control port of node-a; node-b and node-c follow. */
    public static final int FIRST_CONTROL_PORT = 60_001;
    /** Data (HTTP) port of node-a; node-b and node-c follow. */
    public static final int FIRST_DATA_PORT = 50_051;
    /** Host used when the node's {@code PEERS_NODE_X} variable is unset or blank. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    private ReferenceLayout() {
    }

    /** The environment variable holding a reference node's host: {@code node-b -> PEERS_NODE_B}. */
    public static String hostVariable(String nodeId) {
        return "PEERS_" + nodeId.replace('-', '_').toUpperCase(java.util.Locale.ROOT);
    }

    /** A reference node's host from {@code env}, or {@link #DEFAULT_HOST}. */
    public static String host(String nodeId, Map<String, String> env) {
        String h = env.get(hostVariable(nodeId));
        return h == null || h.isBlank() ? DEFAULT_HOST : h.trim();
    }

    /** Control addresses of node-a, node-b, node-c, in that order. */
    public static Map<String, HostPort> controlAddresses(Map<String, String> env) {
        Map<String, HostPort> m = new LinkedHashMap<>();
        for (int i = 0; i < NODE_IDS.size(); i++) {
            String id = NODE_IDS.get(i);
            m.put(id, new HostPort(host(id, env), FIRST_CONTROL_PORT + i));
        }
        return m;
    }

    /** Data-plane (HTTP) addresses of node-a, node-b, node-c, in that order: what {@code canary query} asks. */
    public static Map<String, HostPort> dataAddresses(Map<String, String> env) {
        Map<String, HostPort> m = new LinkedHashMap<>();
        for (int i = 0; i < NODE_IDS.size(); i++) {
            String id = NODE_IDS.get(i);
            m.put(id, new HostPort(host(id, env), FIRST_DATA_PORT + i));
        }
        return m;
    }
}
