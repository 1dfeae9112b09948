package io.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.canary.health.HealthSnapshot;
import io.canary.internal.node.NodeContext;
import io.canary.internal.node.NodeExtension;
import io.canary.internal.protocol.StateChange;
import io.canary.log.LogRecord;
import io.canary.log.MemoryStateLog;
import io.canary.log.StateLogException;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.testing.LocalCluster;
import io.canary.time.ManualScheduler;
import io.canary.transport.Message;
import io.canary.transport.local.LocalNetwork;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CanaryNodeTest {
    static final NodeConfig CONFIG = LocalCluster.DEFAULT_CONFIG;
    static final LogRecord STARTED = new LogRecord.RolloutStarted("r1", new io.canary.rollout.RolloutPlan("v1", "v2",
            io.canary.rollout.RolloutPlan.DEFAULT_STEPS, Duration.ofSeconds(30), 100, io.canary.rollout.Thresholds.NONE, 2), 5);

    final ManualScheduler scheduler = new ManualScheduler(1_000_000);
    final LocalNetwork network = new LocalNetwork(scheduler, 7);

    CanaryNode.Builder single(String id) {
        return CanaryNode.builder().nodeId(id).members(List.of(id)).transport(network.transport(id))
                .scheduler(scheduler).config(CONFIG);
    }

    RoutingState await(CompletableFuture<RoutingState> f) {
        for (int i = 0; i < 1000 && !f.isDone(); i++) {
            scheduler.advance(Duration.ofMillis(10));
        }
        assertThat(f).isDone();
        return f.join();
    }

    Throwable failure(CompletableFuture<RoutingState> f) {
        for (int i = 0; i < 1000 && !f.isDone(); i++) {
            scheduler.advance(Duration.ofMillis(10));
        }
        Throwable t = catchThrowable(f::join);
        return t instanceof CompletionException ? t.getCause() : t;
    }

    @Test
    void theBuilderNamesWhatIsMissingOrWrong() {
        assertThatThrownBy(() -> CanaryNode.builder().build()).hasMessage("nodeId is required");
        assertThatThrownBy(() -> CanaryNode.builder().nodeId("node-a").build())
                .hasMessage("members is required: every member's id, node-a included");
        assertThatThrownBy(() -> CanaryNode.builder().nodeId("node-z").members(List.of("node-a")).build())
                .hasMessage("members [node-a] must include this node node-z");
        assertThatThrownBy(() -> CanaryNode.builder().nodeId("node-a").members(List.of("node-a")).coordinatorId("node-q").build())
                .hasMessage("coordinatorId node-q is not among the members [node-a]");
        assertThatThrownBy(() -> CanaryNode.builder().nodeId("node-a").members(List.of("node-a")).build())
                .hasMessage("transport is required");
    }

    @Test
    void aDataDirectoryThatCannotHoldTheLogIsAClearStartUpError(@TempDir Path dir) throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> single("node-a").dataDir(notADirectory).build())
                .isInstanceOf(StateLogException.class)
                .hasMessageStartingWith("cannot write state log " + notADirectory.resolve("node-a.log"));
    }

    @Test
    void aNodeOnAFileLogRestartsOnItsCommittedStateAndDropsATornLastLine(@TempDir Path dir) throws IOException {
        CanaryNode node = single("node-a").dataDir(dir).build().start();
        RoutingState committed = await(node.proposeWeights(Weights.split("v1", "v2", 10)));
        node.close();
        Files.writeString(dir.resolve("node-a.log"), "COMMITTED 2 v1=0.5 torn-by-a-cra", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);

        CanaryNode restarted = single("node-a").dataDir(dir).build().start();
        scheduler.runPending();
        assertThat(restarted.state()).isEqualTo(committed);
        assertThat(restarted.isReady()).isTrue();
        assertThat(await(restarted.proposeWeights(Weights.split("v1", "v2", 20))).version()).isEqualTo(3);
        restarted.close();
    }

    @Test
    void listenersSeeEveryCommittedStateAndRoutingFollows() {
        CanaryNode node = single("node-a").stateLog(new MemoryStateLog()).build().start();
        List<RoutingState> seen = new ArrayList<>();
        node.addListener(seen::add);
        RoutingState all = await(node.proposeWeights(Weights.split("v1", "v2", 100)));

        assertThat(seen).containsExactly(all);
        assertThat(node.route("user-1")).isEqualTo("v2");
        assertThat(node.route()).isEqualTo("v2");
        node.close();
    }

    @Test
    void closeIsIdempotentAndLaterCallsFailWithAReason() {
        CanaryNode node = single("node-a").stateLog(new MemoryStateLog()).build().start();
        node.close();
        node.close();
        assertThat(failure(node.proposeWeights(Weights.split("v1", "v2", 10))))
                .isInstanceOf(ProposalFailedException.class).hasMessage("node-a is closed");
        assertThat(node.isReady()).isFalse();
    }

    @Test
    void aParticipantWhoseCoordinatorIsDownTellsTheCallerWhoDidNotAnswer() {
        CanaryNode b = CanaryNode.builder().nodeId("node-b").members(List.of("node-a", "node-b"))
                .transport(network.transport("node-b")).scheduler(scheduler).config(CONFIG)
                .stateLog(new MemoryStateLog()).build().start();
        assertThat(failure(b.proposeWeights(Weights.split("v1", "v2", 10))))
                .isInstanceOf(ProposalTimeoutException.class)
                .hasMessage("no coordinator was elected within 5s");
        assertThat(b.isCoordinator()).isFalse();
        b.close();
    }

    @Test
    void rolloutCommandsWithoutARunningRolloutFailClearly() {
        CanaryNode node = single("node-a").stateLog(new MemoryStateLog()).build().start();
        assertThat(failure(node.controlRollout(io.canary.rollout.RolloutAction.PAUSE)))
                .isInstanceOf(ProposalFailedException.class).hasMessage("no rollout is running");
        node.close();
    }

    @Test
    void theLogIsCheckpointedSoItStaysBoundedAndReplaysToTheSameState() {
        MemoryStateLog log = new MemoryStateLog();
        CanaryNode node = single("node-a").stateLog(log).build().start();
        RoutingState last = null;
        for (int i = 0; i < 700; i++) {
            last = await(node.proposeWeights(Weights.split("v1", "v2", i % 2 == 0 ? 10 : 20)));
        }
        assertThat(last.version()).isEqualTo(701);
        assertThat(log.records().size()).as("records after 700 commits").isLessThan(1100);
        node.close();

        CanaryNode restarted = single("node-a").stateLog(log).build().start();
        scheduler.runPending();
        assertThat(restarted.state()).isEqualTo(last);
        restarted.close();
    }

    @Test
    void aCallerNeverWaitsForeverEvenIfAnExtensionNeverAnswers() {
        NodeExtension silent = new NodeExtension() {
            @Override
            public CompletableFuture<RoutingState> onCommand(Message.Command command) {
                return new CompletableFuture<>();
            }
        };
        io.canary.internal.node.NodeRuntime runtime = new io.canary.internal.node.NodeRuntime(
                new io.canary.internal.node.NodeSettings("node-a", List.of("node-a"), "node-a", java.util.Set.of(), CONFIG,
                        RoutingState.initial("v1", "v2"), network.transport("node-a"), new MemoryStateLog(), scheduler,
                        false, List.of(silent), 1));
        runtime.start();
        CompletableFuture<RoutingState> f = runtime.call(id -> runtime.protocol().command(id,
                new Message.ControlRollout(io.canary.rollout.RolloutAction.PAUSE), scheduler.nowMillis()));
        scheduler.advance(CONFIG.requestTimeout());
        assertThat(f).isNotDone();
        assertThat(failure(f)).isInstanceOf(ProposalTimeoutException.class).hasMessage("node-a got no outcome within 6s");
        runtime.close();
    }

    /** The health and rollout engineers plug in through this SPI; it must give them what they need. */
    @Test
    void anExtensionGetsItsReplayedRecordsMessagesCommitsAndCanProposeAndLog() {
        MemoryStateLog log = new MemoryStateLog();
        RecordingExtension ext = new RecordingExtension();
        CanaryNode node = single("node-a").stateLog(log).extension(ext).build().start();
        scheduler.runPending();

        CompletableFuture<RoutingState> proposed = new CompletableFuture<>();
        ext.context.execute(() -> ext.context.propose(current -> current.next(Weights.split("v1", "v2", 5), "v1",
                current.rollout(), 0, 0), StateChange.Requester.ROLLOUT, "rollout step 5%").whenComplete((s, e) -> {
                    ext.context.append(STARTED, true);
                    proposed.complete(s);
                }));
        RoutingState committed = await(proposed);
        assertThat(committed.weights()).isEqualTo(Weights.split("v1", "v2", 5));
        assertThat(ext.committed).containsExactly(committed);
        int[] ticks = new int[1];
        ext.context.every(Duration.ofSeconds(1), () -> ticks[0]++);
        scheduler.advance(Duration.ofMillis(3500));
        assertThat(ticks[0]).isEqualTo(3);

        ext.context.send("node-a", new Message.HealthReport(new HealthSnapshot("node-a", 0, 0, Map.of())));
        scheduler.runPending();
        assertThat(ext.messages).hasSize(1);
        assertThat(log.records()).contains(STARTED);
        node.close();

        RecordingExtension after = new RecordingExtension();
        single("node-a").stateLog(log).extension(after).build().start();
        scheduler.runPending();
        assertThat(after.replayed).containsExactly(STARTED);
    }

    @Test
    void anExtensionThatThrowsOnACommitCutsNothingShortListenersStillSeeIt() {
        NodeExtension broken = new NodeExtension() {
            @Override
            public void onCommitted(RoutingState state) {
                throw new IllegalStateException("broken extension");
            }
        };
        CanaryNode node = single("node-a").stateLog(new MemoryStateLog()).extension(broken).build().start();
        List<RoutingState> seen = new ArrayList<>();
        node.addListener(seen::add);

        RoutingState committed = await(node.proposeWeights(Weights.split("v1", "v2", 10)));

        assertThat(seen).containsExactly(committed);
        assertThat(node.state()).isEqualTo(committed);
        assertThat(scheduler.failures()).isEmpty();
        node.close();
    }

    static final class RecordingExtension implements NodeExtension {
        NodeContext context;
        final List<RoutingState> committed = new ArrayList<>();
        final List<Message> messages = new ArrayList<>();
        final List<LogRecord> replayed = new ArrayList<>();

        @Override
        public void start(NodeContext context, List<LogRecord> replayed) {
            this.context = context;
            this.replayed.addAll(replayed);
        }

        @Override
        public void onMessage(String from, Message message) {
            messages.add(message);
        }

        @Override
        public void onCommitted(RoutingState state) {
            committed.add(state);
        }
    }
}
