package io.canary.net.cluster;

import io.canary.testing.ClusterHarness;
import io.canary.testing.TwoPhaseCommitScenarios;

/** The core's 2PC scenarios, unchanged, over real sockets on loopback and the real clock. */
class SocketTwoPhaseCommitTest extends TwoPhaseCommitScenarios {
    @Override
    protected ClusterHarness newHarness() {
        return new SocketClusterHarness();
    }
}
