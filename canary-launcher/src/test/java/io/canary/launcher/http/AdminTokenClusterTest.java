package io.canary.launcher.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canary.launcher.node.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 5 test 4, token part, on a real node: a missing or wrong token is 401 and changes nothing. */
class AdminTokenClusterTest {
    @TempDir
    Path dir;

    @Test
    void withAnAdminTokenChangesNeedItEvenFromLoopback() {
        try (InProcessCluster cluster = InProcessCluster.builder().nodeIds(List.of("node-a")).dataDir(dir)
                .adminToken("let-me-in").nodeConfig(DataPlaneClusterTest.fastTimings()).start()) {
            HttpTestClient client = new HttpTestClient(cluster.node("node-a").dataUrl());
            await().atMost(Duration.ofSeconds(10)).until(() -> client.get("/ready").status() == 200);
            String body = "{\"weights\":{\"v1\":0.9,\"v2\":0.1}}";

            var missing = client.post("/routing/weights", body);
            assertThat(missing.status()).isEqualTo(401);
            assertThat(missing.error()).contains("Authorization: Bearer");
            var wrong = client.post("/rollout/abort", null, "Authorization", "Bearer let-me-out");
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(wrong.error()).isEqualTo("the admin token is wrong");
            assertThat(client.get("/routing/state").json().get("version").asLong()).isEqualTo(1);

            assertThat(client.post("/predict", null).status()).as("reads and predictions need no token").isEqualTo(200);
            var right = client.post("/routing/weights", body, "Authorization", "Bearer let-me-in");
            assertThat(right.status()).as(right.body()).isEqualTo(200);
            assertThat(right.json().get("version").asLong()).isEqualTo(2);
        }
    }
}
