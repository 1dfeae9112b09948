package io.canary.launcher.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.canary.launcher.CanaryCli;
import io.canary.launcher.http.HttpTestClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5 tests 1, 2 and 5: three {@code canary node} processes on loopback, started the way the
 * deployment guide starts them (one command each), with short protocol timings.
 */
class ProcessClusterTest {
    private static final List<String> IDS = List.of("node-a", "node-b", "node-c");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path work;

    private final Map<String, Integer> controlPorts = new LinkedHashMap<>();
    private final Map<String, NodeJvm> nodes = new LinkedHashMap<>();
    private final Map<String, HttpTestClient> clients = new LinkedHashMap<>();
    private final List<NodeJvm> all = new ArrayList<>();

    /** Every node authenticates its control connections, as a deployment does (issue 15). */
    private Path clusterKey;

    @BeforeEach
    void choosePorts() throws java.io.IOException {
        for (String id : IDS) {
            controlPorts.put(id, NodeJvm.freePort());
        }
        clusterKey = Files.writeString(work.resolve("cluster.key"), io.canary.net.ClusterSecret.generate().encode());
        Files.setPosixFilePermissions(clusterKey, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    @AfterEach
    void destroyEveryProcess() {
        all.forEach(NodeJvm::close);
    }

    private List<String> args(String id) {
        StringBuilder peers = new StringBuilder();
        controlPorts.forEach((n, p) -> peers.append(peers.length() == 0 ? "" : ",").append(n).append("=127.0.0.1:").append(p));
        List<String> a = new ArrayList<>(id.equals("node-a") ? List.of("--role", "coordinator")
                : List.of("--role", "participant", "--id", id));
        a.addAll(List.of("--peers", peers.toString(), "--bind", "127.0.0.1", "--data-port", "0",
                "--cluster-secret-file", clusterKey.toString(),
                "--data-dir", work.resolve("logs").toString(),
                "--heartbeat-interval", "100ms", "--peer-timeout", "800ms", "--prepare-timeout", "1s",
                "--request-timeout", "4s", "--sync-timeout", "2s", "--health-interval", "250ms"));
        return a;
    }

    private NodeJvm startNode(String id) {
        NodeJvm jvm = NodeJvm.start(work, args(id));
        all.add(jvm);
        nodes.put(id, jvm);
        clients.put(id, new HttpTestClient(jvm.awaitDataPort()));
        return jvm;
    }

    private void startCluster() {
        IDS.forEach(this::startNode);
        for (String id : IDS) {
            await().atMost(WAIT).until(() -> clients.get(id).get("/ready").status() == 200);
        }
        // Every member reachable from the coordinator: a promotion needs all of them.
        await().atMost(WAIT).until(() -> {
            JsonNode c = clients.get("node-a").get("/cluster").json();
            for (JsonNode n : c.get("nodes")) {
                if (!n.get("reachable").asBoolean()) {
                    return false;
                }
            }
            return true;
        });
    }

    private boolean reachable(String from, String id) {
        for (JsonNode n : clients.get(from).get("/cluster").json().get("nodes")) {
            if (n.get("id").asText().equals(id)) {
                return n.get("reachable").asBoolean();
            }
        }
        throw new AssertionError(id + " missing from /cluster of " + from);
    }

    private JsonNode state(String id) {
        return clients.get(id).get("/routing/state").json();
    }

    /** The committed state only: what must be identical on every node (routed and fail-safe are per node, now). */
    private static JsonNode committed(JsonNode state) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = state.deepCopy();
        copy.remove(List.of("routed", "failSafe", "failSafeReason"));
        return copy;
    }

    private String query() {
        StringBuilder nodesArg = new StringBuilder();
        clients.forEach((id, c) -> nodesArg.append(nodesArg.length() == 0 ? "" : ",").append(id).append("=")
                .append("http://127.0.0.1:").append(nodes.get(id).awaitDataPort()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CanaryCli.run(new PrintWriter(out, true), new PrintWriter(err, true), "query", "--nodes", nodesArg.toString());
        assertThat(code).as("canary query exit code; stderr: %s", err).isZero();
        return out.toString();
    }

    @Test
    void weightChangeThroughAParticipantCommitsOnAllThreeProcesses() {
        startCluster();
        NodeJvm a = nodes.get("node-a");
        assertThat(a.stdout()).anySatisfy(l -> assertThat(l).startsWith("[node-a] Coordinator started, listening on 127.0.0.1:" + controlPorts.get("node-a")));
        assertThat(a.stdout()).anySatisfy(l -> assertThat(l).matches("\\[node-a\\] Data plane on 127\\.0\\.0\\.1:\\d+"));
        assertThat(a.stdout()).anySatisfy(l -> assertThat(l).isEqualTo("[node-a] Peers: {node-a=127.0.0.1:" + controlPorts.get("node-a")
                + ", node-b=127.0.0.1:" + controlPorts.get("node-b") + ", node-c=127.0.0.1:" + controlPorts.get("node-c") + "}"
                + " (authenticated by the cluster secret)"));
        assertThat(nodes.get("node-b").stdout()).anySatisfy(l -> assertThat(l).startsWith("[node-b] Participant started, listening on 127.0.0.1:"));

        var r = clients.get("node-b").post("/routing/weights", "{\"weights\":{\"v1\":0.9,\"v2\":0.1}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        long version = r.json().get("version").asLong();

        for (String id : IDS) {
            await().atMost(WAIT).until(() -> state(id).get("version").asLong() == version);
        }
        JsonNode reference = state("node-a");
        assertThat(reference.get("weights").get("v2").asDouble()).isEqualTo(0.1);
        assertThat(committed(state("node-b"))).isEqualTo(committed(reference));
        assertThat(committed(state("node-c"))).isEqualTo(committed(reference));
        assertThat(query()).contains("Routing State v" + version).doesNotContain("disagree");
        for (String id : IDS) {
            assertThat(nodes.get(id).stdout()).anySatisfy(l -> assertThat(l).startsWith("[" + id + "] Committed version " + version));
        }
    }

    @Test
    void killedParticipantDoesNotBlockRollbackRefusesPromotionAndCatchesUpOnRestart() {
        startCluster();
        var first = clients.get("node-a").post("/routing/weights", "{\"weights\":{\"v1\":0.8,\"v2\":0.2}}");
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        await().atMost(WAIT).until(() -> state("node-c").get("version").asLong() == first.json().get("version").asLong());

        nodes.get("node-c").kill();
        await().atMost(WAIT).until(() -> !reachable("node-a", "node-c"));

        var rollback = clients.get("node-b").post("/routing/weights", "{\"weights\":{\"v1\":0.95,\"v2\":0.05}}");
        assertThat(rollback.status()).as(rollback.body()).isEqualTo(200);
        long rolledBackVersion = rollback.json().get("version").asLong();
        await().atMost(WAIT).until(() -> state("node-a").get("version").asLong() == rolledBackVersion);
        assertThat(state("node-b").get("weights").get("v2").asDouble()).isEqualTo(0.05);

        var promotion = clients.get("node-a").post("/routing/weights", "{\"weights\":{\"v1\":0.5,\"v2\":0.5}}");
        assertThat(promotion.status()).as(promotion.body()).isEqualTo(409);
        assertThat(promotion.error()).contains("node-c");
        assertThat(state("node-a").get("version").asLong()).isEqualTo(rolledBackVersion);

        NodeJvm restarted = nodes.get("node-c").restart(work);
        all.add(restarted);
        nodes.put("node-c", restarted);
        clients.put("node-c", new HttpTestClient(restarted.awaitDataPort()));
        await().atMost(WAIT).until(() -> state("node-c").get("version").asLong() == rolledBackVersion);
        assertThat(committed(state("node-c"))).isEqualTo(committed(state("node-a")));
        await().atMost(WAIT).until(() -> clients.get("node-c").get("/ready").status() == 200);
    }

    @Test
    void sigtermStopsANodeCleanlyAndItsLogReplaysToTheSameState() throws Exception {
        startCluster();
        var r = clients.get("node-a").post("/routing/weights", "{\"weights\":{\"v1\":0.7,\"v2\":0.3}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        long version = r.json().get("version").asLong();
        await().atMost(WAIT).until(() -> state("node-b").get("version").asLong() == version);
        JsonNode before = state("node-b");

        int exit = nodes.get("node-b").terminate();
        assertThat(exit).as("SIGTERM exit code (128+15 after the shutdown hook ran)").isEqualTo(143);
        assertThat(nodes.get("node-b").stdout()).anySatisfy(l -> assertThat(l).isEqualTo("[node-b] Shutting down..."));
        assertThat(nodes.get("node-b").stdout()).anySatisfy(l -> assertThat(l).startsWith("[node-b] Stopped; committed version " + version));
        assertThat(nodes.get("node-b").stderr()).noneSatisfy(l -> assertThat(l).contains("Exception"));
        assertThat(Files.readString(work.resolve("logs").resolve("node-b.log"))).isNotBlank();

        // Alone (no coordinator to sync from), the restarted node can only know the state from its log.
        nodes.get("node-a").terminate();
        nodes.get("node-c").terminate();
        NodeJvm again = nodes.get("node-b").restart(work);
        all.add(again);
        HttpTestClient client = new HttpTestClient(again.awaitDataPort());
        JsonNode replayed = client.get("/routing/state").json();
        assertThat(committed(replayed)).isEqualTo(committed(before));
    }
}
