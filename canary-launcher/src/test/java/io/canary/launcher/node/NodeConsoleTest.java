package io.canary.launcher.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canary.NodeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator watching the nodes' terminals sees: start-up, the first rollout, commits, --verbose traffic. */
class NodeConsoleTest {
    @TempDir
    Path dir;

    @Test
    void coordinatorInitiatesTheFirstRolloutAndEveryNodePrintsItsCommitAndVerboseTraffic() {
        Map<String, List<String>> lines = new ConcurrentHashMap<>();
        NodeConfig fast = NodeConfig.custom().heartbeatInterval(Duration.ofMillis(100)).peerTimeout(Duration.ofMillis(800))
                .prepareTimeout(Duration.ofSeconds(1)).requestTimeout(Duration.ofSeconds(4))
                .healthInterval(Duration.ofMillis(200)).syncTimeout(Duration.ofSeconds(2)).build();
        try (InProcessCluster cluster = InProcessCluster.builder().dataDir(dir).nodeConfig(fast)
                .rolloutOnStart("v2").verbose(true)
                .consoles(id -> new NodeConsole(id, lines.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>())::add))
                .start()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.nodes().stream()
                    .allMatch(p -> p.node().state().rollout().currentPercent() == 5));
            int controlA = cluster.node("node-a").controlPort();
            assertThat(lines.get("node-a")).contains("[node-a] Coordinator started, listening on 127.0.0.1:" + controlA,
                    "[node-a] Data plane on 127.0.0.1:" + cluster.node("node-a").dataPort(),
                    "[node-a] Initiating first rollout (5% canary)...");
            assertThat(lines.get("node-b")).anySatisfy(l -> assertThat(l).startsWith("[node-b] Participant started"));
            for (String id : cluster.memberIds()) {
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(lines.get(id)).anySatisfy(l ->
                        assertThat(l).startsWith("[" + id + "] Committed version 2: {v1=0.95, v2=0.05}")
                                .contains("rollout of v2 step 1/4 (5%) PROGRESSING")));
            }
            assertThat(lines.get("node-b")).anySatisfy(l -> assertThat(l).startsWith("[node-b] Heartbeat sent to node-a"));
            assertThat(lines.get("node-b")).anySatisfy(l -> assertThat(l).isEqualTo("[node-b] Processing message from node-a: Heartbeat"));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(lines.get("node-c")).anySatisfy(l -> assertThat(l).startsWith("[node-c] Health snapshot sent to")));
        }
        assertThat(lines.get("node-a")).last().asString().startsWith("[node-a] Stopped; committed version 2 is in ");
    }
}
