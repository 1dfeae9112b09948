package io.canary.launcher.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.NodeConfig;
import io.canary.launcher.CommandRun;
import io.canary.launcher.model.ModelSpec;
import io.canary.launcher.node.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5, test 3: through the HTTP API of three real nodes in this JVM (sockets, ephemeral ports),
 * with traffic from {@code canary load}, a rollout of a bad demo canary is rolled back and one of a
 * good canary completes. Short step intervals keep each under ~15 seconds.
 */
class RolloutThroughHttpTest {
    private static final NodeConfig FAST = NodeConfig.custom()
            .heartbeatInterval(Duration.ofMillis(100)).peerTimeout(Duration.ofMillis(800))
            .healthInterval(Duration.ofMillis(100)).healthWindow(Duration.ofSeconds(3))
            .prepareTimeout(Duration.ofSeconds(1)).retryInterval(Duration.ofMillis(100))
            .syncTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(4))
            .build();

    @TempDir
    Path dataDir;

    private static CommandRun run(ClientCommand command, String nodes, String... args) {
        command.withEnv(Map.of());
        String[] all = new String[args.length + 2];
        all[0] = "--nodes";
        all[1] = nodes;
        System.arraycopy(args, 0, all, 2, args.length);
        return CommandRun.of(command, all);
    }

    private static InProcessCluster cluster(Path dir, ModelSpec v2) {
        Map<String, ModelSpec> models = new LinkedHashMap<>();
        models.put("v1", new ModelSpec.Demo(Duration.ofMillis(10), 0.0));
        models.put("v2", v2);
        InProcessCluster c = InProcessCluster.builder().dataDir(dir).models(models).nodeConfig(FAST).start();
        c.awaitReady(Duration.ofSeconds(20));
        return c;
    }


    /** Runs {@code canary load} in the background and {@code canary rollout start --watch} until the rollout ends. */
    private static CommandRun[] rolloutUnderLoad(InProcessCluster c) throws Exception {
        String nodes = CommandRun.nodesOption(c.dataUrls());
        CompletableFuture<CommandRun> load = CompletableFuture.supplyAsync(() ->
                run(new LoadCommand(), nodes, "--rps", "300", "--duration", "8s", "--keys", "500", "--quiet"));
        CommandRun watch = run(new RolloutStartCommand(), nodes, "--node", "node-c", "--canary", "v2", "--steps", "10,50,100",
                "--interval", "1s", "--min-requests", "20", "--max-error-rate-delta", "5%", "--max-p95-ratio", "2",
                "--failure-limit", "2", "--watch");
        CommandRun status = run(new RolloutStatusCommand(), nodes);
        return new CommandRun[] {watch, status, load.get(30, TimeUnit.SECONDS)};
    }

    @Test
    void aGoodCanaryCompletesAndEveryNodeServesItFully() throws Exception {
        try (InProcessCluster c = cluster(dataDir, new ModelSpec.Demo(Duration.ofMillis(10), 0.0))) {
            CommandRun[] runs = rolloutUnderLoad(c);
            CommandRun watch = runs[0];
            CommandRun status = runs[1];
            CommandRun load = runs[2];

            assertThat(watch.code()).as(watch.out() + watch.err()).isZero();
            assertThat(watch.out()).contains("Rollout started through node-c").contains("ended: COMPLETED")
                    .contains("verdict").contains("PROMOTE");
            assertThat(status.out()).contains("[##########] step 3/3  100%  COMPLETED").contains("Last verdicts");
            c.nodes().forEach(n -> assertThat(n.node().state().weights().share("v2")).as(n.nodeId()).isEqualTo(1.0));
            assertThat(load.code()).as(load.err()).isZero();
            assertThat(load.out()).containsPattern("\\nv1\\s+\\d+").containsPattern("\\nv2\\s+\\d+");
        }
    }

    @Test
    void aBadCanaryIsRolledBackAndEveryNodeReturnsToTheBaseline() throws Exception {
        try (InProcessCluster c = cluster(dataDir, new ModelSpec.Demo(Duration.ofMillis(30), 0.5))) {
            CommandRun[] runs = rolloutUnderLoad(c);
            CommandRun watch = runs[0];
            CommandRun status = runs[1];
            CommandRun load = runs[2];

            assertThat(watch.code()).as(watch.out() + watch.err()).isEqualTo(1);
            assertThat(watch.out()).contains("ended: ROLLED_BACK").contains("ROLLBACK");
            assertThat(status.out()).contains("ROLLED_BACK").contains("Routing state").contains("v1 100%, v2 0%");
            c.nodes().forEach(n -> assertThat(n.node().state().weights().share("v1")).as(n.nodeId()).isEqualTo(1.0));
            assertThat(load.out()).containsPattern("\\nv2\\s+\\d+\\s+\\d+\\s+[1-9]\\d\\.\\d\\d%");
        }
    }
}
