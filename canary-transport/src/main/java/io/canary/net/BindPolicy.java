package io.canary.net;

import io.canary.transport.TransportException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Safe by default: a control port that other machines can reach must authenticate its peers. A
 * bind on a non-loopback address (the wildcard {@code 0.0.0.0} included) without a cluster secret
 * or mutual TLS is refused at start, saying how to make a secret; loopback-only clusters (the demo,
 * tests) may run without. Also checks that a node key is this node's.
 */
public final class BindPolicy {
    private BindPolicy() {
    }

    /** @throws TransportException with one line saying what to do */
    static void check(SocketTransportConfig config, String selfId, String bindHost) {
        config.clusterSecret().flatMap(ClusterSecret::owner).ifPresent(owner -> {
            if (!owner.equals(selfId)) {
                throw new TransportException("the node key given to " + selfId + " is " + owner + "'s: give each node its own"
                        + " (canary secret derive --id " + selfId + ") or the cluster secret itself");
            }
        });
        if (config.authenticated() || isLoopback(bindHost)) {
            return;
        }
        throw new TransportException(selfId + "'s control port would listen on " + bindHost + ":" + config.bind().port()
                + ", reachable from other machines, with no authentication: anyone reaching it could pose as a member."
                + " Make a cluster secret once (canary secret generate > cluster.key), copy it to every member (chmod 600)"
                + " and give it to each node (canary node --cluster-secret-file cluster.key, or $CANARY_CLUSTER_SECRET_FILE;"
                + " embedded: SocketTransportConfig.clusterSecret), or use mutual TLS, or listen on loopback only"
                + " (--bind 127.0.0.1)");
    }

    /** True for 127.0.0.0/8, ::1 and names resolving to them; false for the wildcard and anything else. */
    public static boolean isLoopback(String host) {
        try {
            InetAddress a = InetAddress.getByName(host);
            return a.isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
