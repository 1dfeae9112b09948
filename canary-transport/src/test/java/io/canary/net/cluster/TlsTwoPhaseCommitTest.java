package io.canary.net.cluster;

import io.canary.net.TlsSettings;
import io.canary.testing.ClusterHarness;
import io.canary.testing.TwoPhaseCommitScenarios;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

/** The core's 2PC scenarios, unchanged, over mutual TLS 1.3 on loopback and the real clock. */
class TlsTwoPhaseCommitTest extends TwoPhaseCommitScenarios {
    @Override
    protected ClusterHarness newHarness() {
        return new SocketClusterHarness(List.of(), (from, message) -> { }, (id, b) -> b.tls(
                new TlsSettings(resource(id + ".p12"), "changeit", resource("truststore.p12"), "changeit")));
    }

    private static Path resource(String name) {
        try {
            return Path.of(TlsTwoPhaseCommitTest.class.getResource("/tls/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
