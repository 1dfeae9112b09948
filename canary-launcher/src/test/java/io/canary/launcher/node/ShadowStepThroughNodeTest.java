package io.canary.launcher.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.canary.health.VersionHealth;
import io.canary.launcher.CanaryCli;
import io.canary.model.RoutingState;
import io.canary.rollout.RolloutAction;
import io.canary.rollout.RolloutPlan;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A real node's proxy, started WITHOUT {@code --mirror}: a rollout at its shadow step gets its share
 * of the baseline's requests copied to the canary, counted as the step's mirror traffic, while
 * users only reach the baseline; the copies stop when the rollout ends.
 */
class ShadowStepThroughNodeTest {
    @TempDir
    Path dir;
    private HttpServer v1;
    private HttpServer v2;
    private final AtomicInteger copiesAtV2 = new AtomicInteger();

    @AfterEach
    void stop() {
        if (v1 != null) {
            v1.stop(0);
        }
        if (v2 != null) {
            v2.stop(0);
        }
    }

    private HttpServer upstream(String name) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        s.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            if ("1".equals(ex.getRequestHeaders().getFirst("X-Canary-Mirror"))) {
                copiesAtV2.incrementAndGet();
            }
            byte[] b = name.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        s.start();
        return s;
    }

    private static NodeSettings settings(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "node";
        System.arraycopy(args, 0, all, 1, args.length);
        CommandLine.ParseResult parsed = CanaryCli.commandLine().parseArgs(all);
        return ((NodeCommand) parsed.subcommand().commandSpec().userObject()).settings(Map.of());
    }

    private static long count(Map<String, VersionHealth> m, String version) {
        VersionHealth h = m.get(version);
        return h == null ? 0 : h.requests();
    }

    @Test
    void theShadowStepsShareOfBaselineRequestsIsMirroredToTheCanaryAndCountedInTheStep() throws Exception {
        v1 = upstream("v1");
        v2 = upstream("v2");
        NodeSettings s = settings("--id", "node-a", "--peers", "node-a=127.0.0.1:1", "--control-port", "0", "--bind", "127.0.0.1",
                "--data-port", "0", "--data-dir", dir.toString(), "--proxy-port", "0",
                "--upstream", "v1=http://127.0.0.1:" + v1.getAddress().getPort(),
                "--upstream", "v2=http://127.0.0.1:" + v2.getAddress().getPort(),
                "--initial-weights", "v1=1.0,v2=0.0");
        try (NodeProcess node = NodeProcess.start(s, SocketTransports.factory(), NodeConsole.silent("node-a"))) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> node.node().isReady());
            RoutingState started = node.node().startRollout(RolloutPlan.builder("v1", "v2").shadow(50).build())
                    .get(10, TimeUnit.SECONDS);
            assertThat(started.rollout().shadowMirrorBasisPoints()).isEqualTo(5_000);
            int port = node.proxy().orElseThrow().port();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            int n = 60;
            for (int i = 0; i < n; i++) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/s?i=" + i))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.body()).as("users get the baseline only").isEqualTo("v1");
            }
            long sent = node.proxy().orElseThrow().stats().mirrorsSent("v2");
            // 50% of 60 within ~4 standard deviations (sd = 3.9)
            assertThat(sent).isBetween(14L, 46L);
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(copiesAtV2.get()).isEqualTo((int) sent);
                assertThat(count(node.node().health().step().mirrors(), "v2")).as("the step's mirror counts").isEqualTo(sent);
                assertThat(count(node.node().health().step().versions(), "v1")).isEqualTo(n);
            });
            assertThat(count(node.node().health().step().versions(), "v2")).as("no user on the canary").isZero();

            RoutingState aborted = node.node().controlRollout(RolloutAction.ABORT).get(10, TimeUnit.SECONDS);
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> node.node().state().version() >= aborted.version());
            assertThat(node.node().state().rollout().shadowMirrorBasisPoints()).isZero();
            for (int i = 0; i < 30; i++) {
                client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/after?i=" + i))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            }
            assertThat(node.proxy().orElseThrow().stats().mirrorsSent("v2")).as("no copies after the shadow step").isEqualTo(sent);
        }
    }
}
