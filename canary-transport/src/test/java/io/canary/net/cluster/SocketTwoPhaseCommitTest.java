package io.canary.net.cluster;

import io.canary.net.IoModel;
import io.canary.testing.ClusterHarness;
import io.canary.testing.TwoPhaseCommitScenarios;

/**
 * The core's 2PC scenarios, unchanged, over real sockets on loopback and the real clock, on the NIO
 * transport (one selector thread per node) with the cluster secret: handshake, tags and CRC32C on.
 */
class SocketTwoPhaseCommitTest extends TwoPhaseCommitScenarios {
    @Override
    protected ClusterHarness newHarness() {
        return new SocketClusterHarness(java.util.List.of(), (from, message) -> { }, (id, b) -> b.ioModel(IoModel.NIO));
    }
}
