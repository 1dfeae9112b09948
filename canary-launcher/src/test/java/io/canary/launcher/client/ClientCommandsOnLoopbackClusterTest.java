package io.canary.launcher.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canary.NodeConfig;
import io.canary.launcher.CommandRun;
import io.canary.launcher.node.InProcessCluster;
import io.canary.launcher.node.NodeProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client commands against three real launcher nodes in this JVM (real sockets, real HTTP,
 * ephemeral ports on 127.0.0.1): what a user sees from query and weights set.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClientCommandsOnLoopbackClusterTest {
    static final NodeConfig FAST = NodeConfig.custom()
            .heartbeatInterval(Duration.ofMillis(100)).peerTimeout(Duration.ofMillis(800))
            .healthInterval(Duration.ofMillis(200)).prepareTimeout(Duration.ofSeconds(1))
            .retryInterval(Duration.ofMillis(100)).syncTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(4))
            .build();

    @TempDir
    static Path dataDir;

    static InProcessCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = InProcessCluster.builder().dataDir(dataDir).nodeConfig(FAST).start();
        cluster.awaitReady(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static CommandRun run(ClientCommand command, String... args) {
        command.withEnv(Map.of());
        String[] all = new String[args.length + 2];
        all[0] = "--nodes";
        all[1] = CommandRun.nodesOption(cluster.dataUrls());
        System.arraycopy(args, 0, all, 2, args.length);
        return CommandRun.of(command, all);
    }

    @Test
    @Order(1)
    void queryOfAFreshClusterShowsThreeIdenticalNodesAtVersionOne() {
        CommandRun r = run(new QueryCommand());

        assertThat(r.code()).as(r.out() + r.err()).isZero();
        for (String node : new String[] {"A", "B", "C"}) {
            assertThat(r.out()).contains("[Node " + node + "] Routing State v1\n  Status: COMMITTED\n  Weights: {'v1': 1.0, 'v2': 0.0}")
                    .contains("[Node " + node + "] Health Snapshot")
                    .contains("[Node " + node + "] Prediction routed to: v1");
        }
        assertThat(r.out()).contains("All 3 nodes agree: routing state v1");
    }

    @Test
    @Order(2)
    void aWeightChangeThroughAParticipantIsCommittedOnAllThreeAndQueryShowsThemIdentical() {
        long before = cluster.node("node-a").node().state().version();

        CommandRun set = run(new WeightsCommand.Set(), "--node", "node-b", "v1=0.9", "v2=0.1");

        assertThat(set.code()).as(set.err()).isZero();
        assertThat(set.out()).contains("Committed routing state v" + (before + 1) + " through node-b")
                .contains("Weights: {'v1': 0.9, 'v2': 0.1}");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            CommandRun q = run(new QueryCommand());
            assertThat(q.code()).as(q.out()).isZero();
            assertThat(q.out()).contains("All 3 nodes agree: routing state v" + (before + 1) + ", weights {'v1': 0.9, 'v2': 0.1}");
        });
    }

    @Test
    @Order(3)
    void invalidWeightsAreRefusedInOneLineAndChangeNothing() {
        long before = cluster.node("node-a").node().state().version();

        CommandRun sum = run(new WeightsCommand.Set(), "v1=0.7", "v2=0.2");
        CommandRun unknown = run(new WeightsCommand.Set(), "v1=0.5", "v9=0.5");

        assertThat(sum.code()).as("bad input").isEqualTo(2);
        assertThat(sum.err()).startsWith("canary: invalid weights: ").contains("sum to 1").hasLineCount(1);
        assertThat(unknown.code()).as("bad input").isEqualTo(2);
        assertThat(unknown.err()).contains("v9").hasLineCount(1);
        assertThat(cluster.nodes()).allSatisfy(n -> assertThat(n.node().state().version()).isEqualTo(before));
    }

    @Test
    @Order(4)
    void withAParticipantDownQueryNamesItAndExitsOneAndARollbackStillCommits() {
        cluster.stop("node-c");
        try {
            CommandRun q = run(new QueryCommand());
            assertThat(q.code()).isEqualTo(1);
            assertThat(q.out()).contains("[Node C] UNREACHABLE").contains("PROBLEM: node-c is unreachable: connection refused");

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                CommandRun rollback = run(new WeightsCommand.Set(), "--node", "node-a", "v1=1.0", "v2=0.0");
                assertThat(rollback.code()).as(rollback.err()).isZero();
            });
            CommandRun promotion = run(new WeightsCommand.Set(), "v1=0.5", "v2=0.5");
            assertThat(promotion.code()).isEqualTo(1);
            assertThat(promotion.err()).startsWith("canary: ").contains("aborted").contains("node-c").hasLineCount(1);
        } finally {
            NodeProcess back = cluster.restart("node-c");
            await().atMost(Duration.ofSeconds(15)).until(() -> back.node().isReady());
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            CommandRun q = run(new QueryCommand());
            assertThat(q.code()).as(q.out()).isZero();
            assertThat(q.out()).contains("weights {'v1': 1.0, 'v2': 0.0}");
        });
    }

    @Test
    @Order(5)
    void anOperatorSteersARolloutWithPauseResumePromoteAndAbort() {
        // A long interval: nothing moves unless the operator says so.
        CommandRun start = run(new RolloutStartCommand(), "--node", "node-b", "--canary", "v2", "--interval", "10m");
        assertThat(start.code()).as(start.err()).isZero();
        assertThat(start.out()).contains("[###.......] step 1/4    5%  PROGRESSING");

        CommandRun pause = run(new RolloutCommand.Pause());
        assertThat(pause.code()).as(pause.err()).isZero();
        assertThat(pause.out()).contains("Rollout paused.").contains("step 1/4    5%  PAUSED");
        CommandRun status = run(new RolloutStatusCommand());
        assertThat(status.out()).contains("v1 -> v2").contains("PAUSED").contains("paused by operator");

        assertThat(run(new RolloutCommand.Resume()).out()).contains("Rollout resumed.").contains("PROGRESSING");
        CommandRun promote = run(new RolloutCommand.Promote(), "--node", "node-c");
        assertThat(promote.code()).as(promote.err()).isZero();
        assertThat(promote.out()).contains("[#####.....] step 2/4   25%  PROGRESSING");

        CommandRun abort = run(new RolloutCommand.Abort());
        assertThat(abort.code()).as(abort.err()).isZero();
        assertThat(abort.out()).contains("Rollout aborted.").contains("0%  ABORTED").contains("v1 100%, v2 0%");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(cluster.nodes())
                .allSatisfy(n -> assertThat(n.node().state().rollout().phase().name()).isEqualTo("ABORTED")));

        CommandRun again = run(new RolloutCommand.Pause());
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).startsWith("canary: cannot pause the rollout: ").contains("no rollout is running").hasLineCount(1);
    }
}
