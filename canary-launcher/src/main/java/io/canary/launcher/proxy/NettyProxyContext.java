package io.canary.launcher.proxy;

import java.util.concurrent.atomic.LongAdder;

/**
 * What every connection of the Netty engine shares: configuration, the node, counters, routing,
 * upstream pools and mirroring (always there: a shadow step mirrors without --mirror). Immutable; the counters are thread-safe.
 *
 * @param viaBytes this proxy's {@code Via} entry ({@code 1.1 node-a}), as bytes
 * @param inFlight exchanges begun and not yet finished (closing waits for them, bounded)
 */
record NettyProxyContext(ProxySettings settings, ProxyNode node, ProxyStats stats, RequestRouter router, Upstreams upstreams,
                         UpstreamPools pools, NettyMirror mirror, byte[] viaBytes, LongAdder inFlight) {
}
