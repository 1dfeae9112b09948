package io.canary.launcher.node;

import io.canary.transport.Transport;

/**
 * Makes the transport a launcher node talks to its peers through: TCP sockets for real nodes, or
 * an in-memory network for in-process clusters and tests.
 */
@FunctionalInterface
public interface TransportFactory {

    /** A transport for the node described by {@code settings}, not yet started. */
    Transport create(NodeSettings settings);

    /**
     * The control port the started transport listens on (the chosen one when configured with
     * port 0). Default: the configured port.
     */
    default int boundPort(Transport transport, NodeSettings settings) {
        return settings.controlPort();
    }
}
