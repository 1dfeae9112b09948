package io.canary.launcher.client;

import io.canary.launcher.KeyValues;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The data-plane addresses a client talks to: either an explicit list
 * ({@code node-a=http://host:port,...}, from {@code --nodes} or {@code CANARY_NODES}) or the
 * reference layout of the deployment guide: node-a, node-b and node-c on the hosts named by
 * {@code PEERS_NODE_A}, {@code PEERS_NODE_B} and {@code PEERS_NODE_C} (default 127.0.0.1), data
 * ports 50051, 50052 and 50053.
 */
public final class NodeAddresses {
    /** Environment variable holding a node list, used when {@code --nodes} is not given. */
    public static final String NODES_ENV = "CANARY_NODES";
    /** The reference layout's node ids, in order. */
    public static final List<String> REFERENCE_NODE_IDS = List.of("node-a", "node-b", "node-c");
    /** The reference layout's first data port (node-a); node-b and node-c follow. */
    public static final int REFERENCE_FIRST_DATA_PORT = 50051;
    private static final String DEFAULT_HOST = "127.0.0.1";

    private NodeAddresses() {
    }

    /**
     * The nodes to talk to: {@code explicit} if given, else {@code CANARY_NODES} from {@code env},
     * else the reference layout with hosts from {@code PEERS_NODE_A/B/C}.
     *
     * @throws IllegalArgumentException naming the bad entry if a list is malformed
     */
    public static List<NodeAddress> resolve(String explicit, Map<String, String> env) {
        if (explicit != null && !explicit.isBlank()) {
            return parse(explicit);
        }
        String fromEnv = env.get(NODES_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            try {
                return parse(fromEnv);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(NODES_ENV + ": " + e.getMessage());
            }
        }
        return referenceLayout(env);
    }

    /** node-a/b/c on {@code PEERS_NODE_A/B/C} (default 127.0.0.1), data ports 50051-50053. */
    public static List<NodeAddress> referenceLayout(Map<String, String> env) {
        List<NodeAddress> nodes = new ArrayList<>();
        for (int i = 0; i < REFERENCE_NODE_IDS.size(); i++) {
            String id = REFERENCE_NODE_IDS.get(i);
            String variable = "PEERS_NODE_" + (char) ('A' + i);
            String host = env.getOrDefault(variable, "").trim();
            if (host.isEmpty()) {
                host = DEFAULT_HOST;
            }
            nodes.add(new NodeAddress(id, toUri(variable, "http://" + bracketed(host) + ":" + (REFERENCE_FIRST_DATA_PORT + i))));
        }
        return List.copyOf(nodes);
    }

    /**
     * Parses {@code node-a=http://10.0.0.1:50051,node-b=10.0.0.2:50052}; the scheme defaults to
     * http.
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    public static List<NodeAddress> parse(String list) {
        List<NodeAddress> nodes = new ArrayList<>();
        KeyValues.parse(list, "node", "node-a=http://host:port").forEach((id, value) -> {
            String address = value.contains("://") ? value : "http://" + value;
            URI uri = toUri(id, address);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new IllegalArgumentException("node " + id + ": address must be http:// or https://, got '" + address + "'");
            }
            if (uri.getHost() == null || uri.getPort() < 0) {
                throw new IllegalArgumentException("node " + id + ": address needs a host and a port, got '" + address + "'");
            }
            nodes.add(new NodeAddress(id, uri));
        });
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("the node list is empty: give e.g. node-a=http://127.0.0.1:50051");
        }
        return List.copyOf(nodes);
    }

    /** Formats nodes back as {@code node-a=http://host:port,...}. */
    public static String format(List<NodeAddress> nodes) {
        StringBuilder sb = new StringBuilder();
        for (NodeAddress n : nodes) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(n.nodeId()).append('=').append(n.baseUri());
        }
        return sb.toString();
    }

    private static String bracketed(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static URI toUri(String what, String address) {
        try {
            return new URI(address);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(what + ": '" + address + "' is not a valid address (" + e.getReason() + ")");
        }
    }
}
