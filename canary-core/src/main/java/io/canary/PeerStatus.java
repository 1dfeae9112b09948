package io.canary;

/**
 * What a node knows about one member of the cluster (itself included). Immutable.
 *
 * @param nodeId the member
 * @param coordinator true for the coordinator
 * @param reachable heard from within the peer timeout (always true for the node itself)
 * @param committedVersion the committed version it last reported (-1 if never heard from)
 * @param stale known to be behind the coordinator's committed version
 * @param lastHeardAt epoch milliseconds of the last message from it (0 if never)
 */
public record PeerStatus(String nodeId, boolean coordinator, boolean reachable, long committedVersion,
                         boolean stale, long lastHeardAt) {
}
