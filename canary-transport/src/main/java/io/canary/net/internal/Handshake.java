package io.canary.net.internal;

import io.canary.net.codec.Hello;
import java.util.Set;

/**
 * Decides whether the other side of a connection is a member of our cluster speaking our protocol.
 * Each problem is one sentence naming both values, so that both nodes' logs say exactly what to fix.
 */
final class Handshake {
    private final String clusterId;
    private final String selfId;
    private final int protocolVersion;
    private final Set<String> members;

    Handshake(String clusterId, String selfId, int protocolVersion, Set<String> members) {
        this.clusterId = clusterId;
        this.selfId = selfId;
        this.protocolVersion = protocolVersion;
        this.members = members;
    }

    /** Our own Hello. */
    Hello hello() {
        return new Hello(clusterId, selfId, protocolVersion);
    }

    /** As the acceptor: what is wrong with the Hello of a node that connected to us, or null. */
    String problemWithInbound(Hello h) {
        if (h.protocolVersion() != protocolVersion) {
            return "protocol version " + h.protocolVersion() + " does not match " + selfId + "'s protocol version "
                    + protocolVersion;
        }
        if (!h.clusterId().equals(clusterId)) {
            return "cluster id '" + Printable.of(h.clusterId()) + "' does not match " + selfId + "'s cluster id '" + clusterId + "'";
        }
        if (h.nodeId().equals(selfId)) {
            return "node id '" + h.nodeId() + "' is " + selfId + "'s own id";
        }
        if (!members.contains(h.nodeId())) {
            return "node id '" + Printable.of(h.nodeId()) + "' is not a member of cluster '" + clusterId + "' as " + selfId
                    + " knows it";
        }
        return null;
    }

    /** As the connector: what is wrong with the Hello of {@code expectedPeer} at {@code address}, or null. */
    String problemWithOutbound(Hello h, String expectedPeer, String address) {
        if (h.protocolVersion() != protocolVersion) {
            return expectedPeer + " speaks protocol version " + h.protocolVersion() + ", " + selfId + " speaks "
                    + protocolVersion;
        }
        if (!h.clusterId().equals(clusterId)) {
            return "cluster id '" + Printable.of(h.clusterId()) + "' of " + expectedPeer + " does not match " + selfId
                    + "'s cluster id '" + clusterId + "'";
        }
        if (!h.nodeId().equals(expectedPeer)) {
            return "the node at " + address + " says it is '" + Printable.of(h.nodeId()) + "', " + selfId + " expected '"
                    + expectedPeer + "'";
        }
        return null;
    }
}
