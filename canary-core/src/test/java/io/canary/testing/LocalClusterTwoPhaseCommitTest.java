package io.canary.testing;

/** The 2PC scenarios over the in-memory network, on virtual time. */
class LocalClusterTwoPhaseCommitTest extends TwoPhaseCommitScenarios {
    @Override
    protected ClusterHarness newHarness() {
        return new LocalClusterHarness();
    }
}
