package io.canary.launcher.client;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a client reaches one node's HTTP data plane.
 *
 * @param nodeId the node's id, e.g. {@code node-b}
 * @param baseUri the data plane's base address, e.g. {@code http://192.168.1.101:50052}
 */
public record NodeAddress(String nodeId, URI baseUri) {

    public NodeAddress {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(baseUri, "baseUri");
    }

    /** The address of {@code path} on this node, e.g. {@code /routing/state}. */
    public URI resolve(String path) {
        String base = baseUri.toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + path);
    }

    /** The name the original guide prints: {@code node-a} is {@code Node A}; other ids print as they are. */
    public String displayName() {
        if (nodeId.startsWith("node-") && nodeId.length() > 5) {
            return "Node " + nodeId.substring(5).toUpperCase(Locale.ROOT);
        }
        return nodeId;
    }

    @Override
    public String toString() {
        return nodeId + " (" + baseUri + ")";
    }
}
