package io.canary.launcher.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.canary.NodeConfig;
import io.canary.launcher.model.ModelSpec;
import io.canary.launcher.node.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP contract against a real three-node cluster in this JVM (real sockets on loopback,
 * ephemeral ports), including issue 5 test 4: bad input gets the right 4xx and changes nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataPlaneClusterTest {
    static final String TOKEN = "test-admin-token";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;

    private InProcessCluster cluster;
    private final Map<String, HttpTestClient> clients = new LinkedHashMap<>();

    static NodeConfig fastTimings() {
        return NodeConfig.custom()
                .heartbeatInterval(Duration.ofMillis(100)).peerTimeout(Duration.ofMillis(800))
                .prepareTimeout(Duration.ofSeconds(1)).requestTimeout(Duration.ofSeconds(4))
                .healthInterval(Duration.ofMillis(200)).syncTimeout(Duration.ofSeconds(2))
                .build();
    }

    @BeforeAll
    void startCluster() {
        Map<String, ModelSpec> models = new LinkedHashMap<>();
        models.put("v1", new ModelSpec.Demo(Duration.ofMillis(1), 0));
        models.put("v2", new ModelSpec.Demo(Duration.ofMillis(1), 0));
        cluster = InProcessCluster.builder().dataDir(dir).models(models).nodeConfig(fastTimings()).start();
        cluster.dataUrls().forEach((id, url) -> clients.put(id, new HttpTestClient(url)));
        clients.values().forEach(c -> await().atMost(WAIT).until(() -> c.get("/ready").status() == 200));
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private JsonNode state(String id) {
        return clients.get(id).get("/routing/state").json();
    }

    private long version() {
        return state("node-a").get("version").asLong();
    }

    private void awaitIdentical() {
        await().atMost(WAIT).until(() -> state("node-a").equals(state("node-b")) && state("node-a").equals(state("node-c")));
    }

    @Test
    void weightChangeThroughAParticipantIsIdenticalOnEveryNode() {
        awaitIdentical();
        long before = version();
        var r = clients.get("node-c").post("/routing/weights", "{\"weights\":{\"v1\":0.6,\"v2\":0.4}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("version").asLong()).isEqualTo(before + 1);
        assertThat(r.json().get("status").asText()).isEqualTo("COMMITTED");
        awaitIdentical();
        assertThat(state("node-b").get("weights").get("v2").asDouble()).isEqualTo(0.4);
        assertThat(state("node-b").get("txId").asLong()).isPositive();
    }

    @Test
    void predictIsStickyPerKeyAndServesBothVersionsUnderASplit() {
        var r = clients.get("node-a").post("/routing/weights", "{\"weights\":{\"v1\":0.5,\"v2\":0.5}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        awaitIdentical();
        String first = clients.get("node-b").post("/predict", "{\"key\":\"user-42\"}").json().get("version").asText();
        for (String id : clients.keySet()) {
            var p = clients.get(id).post("/predict", "{\"input\":[1,2]}", "X-Canary-Key", "user-42");
            assertThat(p.status()).isEqualTo(200);
            assertThat(p.json().get("version").asText()).as("same key, same version on every node").isEqualTo(first);
            assertThat(p.json().get("node").asText()).isEqualTo(id);
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 40 && seen.size() < 2; i++) {
            seen.add(clients.get("node-a").post("/predict", null, "X-Canary-Key", "k" + i).json().get("version").asText());
        }
        assertThat(seen).containsExactlyInAnyOrder("v1", "v2");
        assertThat(clients.get("node-a").get("/health").json().get("versions").get("v1").get("requests").asLong()).isPositive();
        await().atMost(WAIT).until(() -> clients.get("node-c").get("/health/cluster").json().get("nodes").size() == 3);
    }

    @Test
    void clusterShowsEveryMemberReachableWithTheCoordinator() {
        await().atMost(WAIT).until(() -> {
            JsonNode c = clients.get("node-b").get("/cluster").json();
            boolean all = true;
            for (JsonNode n : c.get("nodes")) {
                all &= n.get("reachable").asBoolean();
            }
            return all && c.get("nodes").size() == 3;
        });
        JsonNode c = clients.get("node-b").get("/cluster").json();
        assertThat(c.get("node").asText()).isEqualTo("node-b");
        assertThat(c.get("coordinator").asText()).isEqualTo("node-a");
    }

    @Test
    void rolloutCanBeStartedPausedResumedPromotedAndAbortedOverHttp() {
        clients.get("node-a").post("/routing/weights", "{\"weights\":{\"v1\":1.0,\"v2\":0.0}}");
        var start = clients.get("node-b").post("/rollout", "{\"canary\":\"v2\",\"steps\":[10,50,100],\"interval\":\"1h\"}");
        assertThat(start.status()).as(start.body()).isEqualTo(200);
        assertThat(start.json().get("rollout").get("phase").asText()).isEqualTo("PROGRESSING");
        assertThat(start.json().get("weights").get("v2").asDouble()).isEqualTo(0.1);
        JsonNode status = clients.get("node-a").get("/rollout").json();
        assertThat(status.get("rollout").get("canary").asText()).isEqualTo("v2");
        assertThat(status.get("plan").get("steps").toString()).isEqualTo("[10,50,100]");
        assertThat(status.get("plan").get("intervalMs").asLong()).isEqualTo(3_600_000);
        assertThat(status.get("verdicts").isArray()).isTrue();

        var pause = clients.get("node-c").post("/rollout/pause", null);
        assertThat(pause.status()).as(pause.body()).isEqualTo(200);
        assertThat(pause.json().get("rollout").get("phase").asText()).isEqualTo("PAUSED");
        var resume = clients.get("node-c").post("/rollout/resume", null);
        assertThat(resume.status()).as(resume.body()).isEqualTo(200);
        assertThat(resume.json().get("rollout").get("phase").asText()).isEqualTo("PROGRESSING");
        var promote = clients.get("node-b").post("/rollout/promote", null);
        assertThat(promote.status()).as(promote.body()).isEqualTo(200);
        assertThat(promote.json().get("rollout").get("percent").asInt()).isEqualTo(50);
        assertThat(promote.json().get("weights").get("v2").asDouble()).isEqualTo(0.5);
        var abort = clients.get("node-a").post("/rollout/abort", null);
        assertThat(abort.status()).as(abort.body()).isEqualTo(200);
        assertThat(abort.json().get("rollout").get("phase").asText()).isEqualTo("ABORTED");
        assertThat(abort.json().get("weights").get("v2").asDouble()).isEqualTo(0.0);
        var again = clients.get("node-a").post("/rollout/resume", null);
        assertThat(again.status()).as(again.body()).isEqualTo(409);
        assertThat(again.error()).contains("no rollout is running");
        awaitIdentical();
        assertThat(clients.get("node-a").get("/metrics").body()).contains("canary_rollbacks_total{node=\"node-a\"} 1");
    }

    @Test
    void badInputGetsTheRight4xxAndChangesNothingAnywhere() {
        awaitIdentical();
        long before = version();
        HttpTestClient b = clients.get("node-b");
        assertThat(b.post("/routing/weights", "{\"weights\":{\"v1\":0.7,\"v2\":0.2}}").status()).isEqualTo(400);
        var unknown = b.post("/routing/weights", "{\"weights\":{\"v1\":0.5,\"v3\":0.5}}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.error()).contains("v3");
        var malformed = b.post("/routing/weights", "{\"weights\": {\"v1\": 1.0");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.error()).startsWith("malformed JSON");
        String huge = "{\"weights\":{\"v1\":1.0},\"x\":\"" + "y".repeat(70 * 1024) + "\"}";
        assertThat(b.post("/routing/weights", huge).status()).isEqualTo(413);
        assertThat(b.post("/rollout", "{\"canary\":\"v2\",\"steps\":[5,25]}").status()).isEqualTo(400);
        assertThat(b.post("/rollout", "{\"canary\":\"v2\",\"interval\":\"soon\"}").status()).isEqualTo(400);
        for (String id : clients.keySet()) {
            assertThat(state(id).get("version").asLong()).as("version on %s", id).isEqualTo(before);
        }
    }
}
