package io.canary.testing;

import static org.assertj.core.api.Assertions.fail;

import io.canary.CanaryNode;
import io.canary.NodeConfig;
import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.transport.Message;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/** {@link ClusterHarness} over {@link LocalCluster}: in-memory network, virtual time, memory logs. */
public final class LocalClusterHarness implements ClusterHarness {
    private LocalCluster cluster;

    @Override
    public void start(int nodes, NodeConfig config, RoutingState initial, Map<String, Set<String>> servable) {
        LocalCluster.Builder b = LocalCluster.builder().nodes(nodes).config(config).initialState(initial);
        servable.forEach(b::servableVersions);
        cluster = b.build();
    }

    public LocalCluster cluster() {
        return cluster;
    }

    @Override
    public CanaryNode node(String id) {
        return cluster.node(id);
    }

    @Override
    public List<String> ids() {
        return cluster.ids();
    }

    @Override
    public void crash(String id) {
        cluster.crash(id);
    }

    @Override
    public void crashTearingLastRecord(String id) {
        cluster.crash(id, true);
    }

    @Override
    public CanaryNode restart(String id) {
        return cluster.restart(id);
    }

    @Override
    public void isolate(String id) {
        cluster.isolate(id);
    }

    @Override
    public void drop(String from, String to, Class<? extends Message> type) {
        cluster.network().drop(from, to, type);
    }

    @Override
    public void heal() {
        cluster.heal();
    }

    @Override
    public List<LogRecord> logRecords(String id) {
        return cluster.log(id).records();
    }

    @Override
    public void awaitUntil(String what, BooleanSupplier condition, Duration max) {
        if (!cluster.advanceUntil(condition, max)) {
            fail("not within " + max + " of virtual time: " + what);
        }
        if (!cluster.failures().isEmpty()) {
            fail("a node's task threw", cluster.failures().get(0));
        }
    }

    @Override
    public void close() {
        if (cluster != null) {
            cluster.close();
        }
    }
}
