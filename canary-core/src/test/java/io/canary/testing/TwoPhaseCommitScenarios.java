package io.canary.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.canary.CanaryNode;
import io.canary.NodeConfig;
import io.canary.PeerStatus;
import io.canary.ProposalFailedException;
import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.transport.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The two-phase commit scenarios of issue 2, written once against {@link ClusterHarness} and run
 * over every transport by a one-line subclass. Three nodes; node-a coordinates. The scenarios wait
 * only through {@link ClusterHarness#awaitUntil}, so they hold on virtual and on real time alike.
 */
public abstract class TwoPhaseCommitScenarios {

    /** Timings short enough for a real-time run, long enough for loaded CI machines. */
    protected static final NodeConfig CONFIG = LocalCluster.DEFAULT_CONFIG;
    protected static final Duration WAIT = Duration.ofSeconds(15);
    protected static final RoutingState INITIAL = RoutingState.initial("v1", "v2");
    protected static final RoutingState AT_10 = RoutingState.initial(Weights.split("v1", "v2", 10), "v1");

    protected ClusterHarness harness;

    /** A fresh, not yet started harness. */
    protected abstract ClusterHarness newHarness();

    @BeforeEach
    void createHarness() {
        harness = newHarness();
    }

    @AfterEach
    void closeHarness() {
        harness.close();
    }

    // ---- 1 -----------------------------------------------------------------------------------

    @Test
    void threeNodesCommitAWeightChangeAndEveryLogHoldsIt() {
        start(INITIAL, Map.of());
        RoutingState committed = commit(harness.node("node-b"), Weights.split("v1", "v2", 10));

        assertThat(committed.version()).isEqualTo(2);
        assertThat(committed.weights()).isEqualTo(Weights.split("v1", "v2", 10));
        awaitEveryNodeAt(committed);
        for (String id : harness.ids()) {
            assertThat(harness.node(id).state()).isEqualTo(committed);
            assertThat(committedStates(id)).as("log of %s", id).contains(committed);
        }
    }

    // ---- 2 -----------------------------------------------------------------------------------

    @Test
    void aNoVoteAbortsEverywhereAndTheCallerLearnsWhichNodeRefusedAndWhy() {
        start(INITIAL, Map.of("node-c", Set.of("v1")));
        Throwable failure = failureOf(harness.node("node-b").proposeWeights(Weights.split("v1", "v2", 10)));

        assertThat(failure).isInstanceOf(ProposalFailedException.class)
                .hasMessageContaining("node-c voted NO: node-c cannot serve v2 (it serves v1)");
        for (String id : harness.ids()) {
            CanaryNode node = harness.node(id);
            assertThat(node.state()).as("state of %s", id).isEqualTo(INITIAL);
            assertThat(routedVersions(node)).as("routing of %s", id).containsExactly("v1");
            assertThat(committedStates(id)).noneMatch(s -> s.version() > 1);
        }
    }

    // ---- 3 -----------------------------------------------------------------------------------

    @Test
    void anUnreachableNodeBlocksAPromotionButNotARollbackAndCatchesUpWhenItReturns() {
        start(AT_10, Map.of());
        harness.isolate("node-c");
        harness.awaitUntil("node-a sees node-c unreachable", () -> !peer("node-a", "node-c").reachable(), WAIT);

        Throwable promotion = failureOf(harness.node("node-a").proposeWeights(Weights.split("v1", "v2", 20)));
        assertThat(promotion).isInstanceOf(ProposalFailedException.class)
                .hasMessageContaining("no vote from node-c")
                .hasMessageContaining("prepare timeout");
        assertThat(harness.node("node-a").state()).isEqualTo(AT_10);

        RoutingState rollback = commit(harness.node("node-b"), Weights.split("v1", "v2", 0));
        assertThat(rollback.version()).isEqualTo(2);
        harness.awaitUntil("node-a and node-b roll back",
                () -> harness.node("node-a").state().equals(rollback) && harness.node("node-b").state().equals(rollback), WAIT);
        assertThat(harness.node("node-c").state()).as("unreachable node-c has not heard").isEqualTo(AT_10);
        assertThat(peer("node-a", "node-c").stale()).isTrue();

        harness.heal();
        awaitEveryNodeAt(rollback);
        assertThat(committedStates("node-c")).contains(rollback);
    }

    // ---- 4 -----------------------------------------------------------------------------------

    @Test
    void aCoordinatorThatCrashesAfterLoggingCommitButBeforeSendingItCommitsEverywhereAfterRestart() {
        start(INITIAL, Map.of());
        harness.drop("node-a", "node-b", Message.Commit.class);
        harness.drop("node-a", "node-c", Message.Commit.class);
        harness.drop("node-a", "node-b", Message.StateSync.class);
        harness.drop("node-a", "node-c", Message.StateSync.class);
        RoutingState decided = commit(harness.node("node-a"), Weights.split("v1", "v2", 10));
        harness.awaitUntil("node-b and node-c prepared",
                () -> hasPrepared("node-b", decided.txId()) && hasPrepared("node-c", decided.txId()), WAIT);
        assertThat(committedStates("node-a")).contains(decided);

        harness.crash("node-a");
        assertThat(harness.node("node-b").state()).isEqualTo(INITIAL);
        assertThat(harness.node("node-c").state()).isEqualTo(INITIAL);
        harness.heal();
        harness.restart("node-a");

        awaitEveryNodeAt(decided);
        assertThat(harness.node("node-a").state()).isEqualTo(decided);
    }

    // ---- 5 -----------------------------------------------------------------------------------

    @Test
    void participantsPreparedWhenTheCoordinatorCrashesStayOnTheOldStateUntilTheSuccessorFinishesTheTransaction() {
        start(INITIAL, Map.of());
        harness.drop("node-b", "node-a", Message.Vote.class);
        harness.drop("node-c", "node-a", Message.Vote.class);
        CompletableFuture<RoutingState> pending = harness.node("node-a").proposeWeights(Weights.split("v1", "v2", 10));
        harness.awaitUntil("node-b and node-c prepared", () -> hasPrepared("node-b") && hasPrepared("node-c"), WAIT);
        long txId = preparedTxId("node-b");

        harness.crash("node-a");
        assertThat(pending).isCompletedExceptionally();
        for (String id : List.of("node-b", "node-c")) {
            assertThat(harness.node(id).state()).as("in-doubt %s stays on the old state", id).isEqualTo(INITIAL);
            assertThat(routedVersions(harness.node(id))).containsExactly("v1");
        }
        // A majority promised it, so it may have committed: the successor re-drives it, never a different version 2.
        harness.awaitUntil("a successor finishes the in-doubt transaction",
                () -> harness.node("node-b").state().txId() == txId && harness.node("node-c").state().txId() == txId, WAIT);
        RoutingState finished = harness.node("node-b").state();
        assertThat(finished.version()).isEqualTo(2);
        assertThat(finished.weights()).isEqualTo(Weights.split("v1", "v2", 10));

        harness.heal();
        harness.restart("node-a");
        awaitEveryNodeAt(finished);
        assertThat(harness.node("node-a").isCoordinator()).as("a returning node-a rejoins as a member").isFalse();
        RoutingState next = commit(harness.node("node-a"), Weights.split("v1", "v2", 5));
        assertThat(next.version()).isEqualTo(3);
        assertThat(next.txId() >>> 32).as("a newer term, so a new transaction id").isGreaterThan(txId >>> 32);
        awaitEveryNodeAt(next);
    }

    // ---- 6 -----------------------------------------------------------------------------------

    @Test
    void aParticipantThatCrashedAfterPreparingIsInDoubtOnRestartAndEndsWithTheDecision() {
        start(INITIAL, Map.of());
        harness.drop("node-a", "node-c", Message.Commit.class);
        harness.drop("node-a", "node-c", Message.StateSync.class);
        RoutingState decided = commit(harness.node("node-b"), Weights.split("v1", "v2", 10));
        harness.awaitUntil("node-c prepared", () -> hasPrepared("node-c", decided.txId()), WAIT);
        assertThat(harness.node("node-c").state()).isEqualTo(INITIAL);

        harness.crash("node-c");
        harness.heal();
        harness.restart("node-c");

        awaitEveryNodeAt(decided);
        List<LogRecord> log = harness.logRecords("node-c");
        int prepared = indexOf(log, r -> r instanceof LogRecord.Prepared p && p.txId() == decided.txId());
        int learned = indexOf(log, r -> (r instanceof LogRecord.Synced s && s.state().equals(decided))
                || (r instanceof LogRecord.Committed c && c.state().equals(decided)));
        assertThat(prepared).isNotNegative();
        assertThat(learned).as("node-c learned the decision after its restart").isGreaterThan(prepared);
    }

    @Test
    void aParticipantThatCrashedAfterPreparingAnAbortedTransactionEndsAborted() {
        start(INITIAL, Map.of());
        harness.drop("node-c", "node-a", Message.Vote.class);
        harness.drop("node-a", "node-c", Message.Abort.class);
        Throwable failure = failureOf(harness.node("node-a").proposeWeights(Weights.split("v1", "v2", 10)));
        assertThat(failure).hasMessageContaining("no vote from node-c");
        long txId = preparedTxId("node-c");

        harness.crash("node-c");
        harness.heal();
        harness.restart("node-c");

        harness.awaitUntil("node-c learns the abort", () -> hasAborted("node-c", txId), WAIT);
        assertThat(harness.node("node-c").state()).isEqualTo(INITIAL);
        RoutingState next = commit(harness.node("node-a"), Weights.split("v1", "v2", 5));
        awaitEveryNodeAt(next);
    }

    // ---- 7 -----------------------------------------------------------------------------------

    @Test
    void aRestartedNodeReplaysItsLogToTheSameStateAndATornLastRecordIsDropped() {
        start(INITIAL, Map.of());
        RoutingState v2 = commit(harness.node("node-a"), Weights.split("v1", "v2", 10));
        RoutingState v3 = commit(harness.node("node-a"), Weights.split("v1", "v2", 20));
        awaitEveryNodeAt(v3);

        // Cut off from the coordinator, a restarted node has only its log to go by.
        harness.isolate("node-b");
        harness.isolate("node-c");
        harness.crash("node-b");
        harness.restart("node-b");
        assertThat(harness.node("node-b").state()).as("replayed").isEqualTo(v3);

        harness.crashTearingLastRecord("node-c");
        harness.restart("node-c");
        assertThat(harness.node("node-c").state()).as("torn v3 dropped, v2 replayed").isEqualTo(v2);
        assertThat(harness.node("node-c").isReady()).as("not synced yet").isFalse();
        harness.awaitUntil("node-c, cut off from a majority, says it is fail-safe",
                () -> harness.node("node-c").coordination().failSafe(), WAIT);
        assertThat(harness.node("node-c").isReady()).as("cut off from a majority: not ready").isFalse();
        assertThat(harness.node("node-c").coordination().failSafe()).isTrue();
        assertThat(routedVersions(harness.node("node-c"))).as("fail-safe: the baseline only").containsExactly("v1");
        assertThat(harness.node("node-c").state()).isEqualTo(v2);

        harness.heal();
        awaitEveryNodeAt(v3);
        harness.awaitUntil("node-c is current and ready again", () -> harness.node("node-c").isReady(), WAIT);
    }

    // ---- 9 -----------------------------------------------------------------------------------

    @Test
    void concurrentProposalsFromEveryNodeCommitInSomeOrderOrFailWithAReason() throws Exception {
        start(INITIAL, Map.of());
        List<CompletableFuture<io.canary.WeightChange>> futures = new ArrayList<>();
        int percent = 1;
        for (int round = 0; round < 3; round++) {
            for (String id : harness.ids()) {
                futures.add(harness.node(id).setWeights(Weights.split("v1", "v2", percent++)));
            }
        }
        harness.awaitUntil("every proposal answered",
                () -> futures.stream().allMatch(CompletableFuture::isDone), WAIT.multipliedBy(2));

        // Weight sets queued together coalesce (issue 13): one carries each committed version, the
        // others are told which version superseded them.
        List<Long> committedVersions = new ArrayList<>();
        List<Long> supersededIn = new ArrayList<>();
        for (CompletableFuture<io.canary.WeightChange> f : futures) {
            if (f.isCompletedExceptionally()) {
                assertThat(failureOf(f)).isInstanceOf(ProposalFailedException.class).message().isNotBlank();
            } else if (f.get().superseded()) {
                supersededIn.add(f.get().version());
            } else {
                committedVersions.add(f.get().version());
            }
        }
        assertThat(committedVersions).containsAll(supersededIn);
        assertThat(committedVersions).as("no version committed twice").doesNotHaveDuplicates();
        assertThat(committedVersions).isNotEmpty();
        long last = 1 + committedVersions.size();
        assertThat(new TreeSet<>(committedVersions)).as("no version skipped")
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(2, last).boxed().toList());
        harness.awaitUntil("every node at version " + last,
                () -> harness.ids().stream().allMatch(id -> harness.node(id).state().version() == last), WAIT);
        List<Long> logged = committedStates("node-a").stream().map(RoutingState::version).filter(v -> v > 1)
                .collect(Collectors.toList());
        assertThat(logged).as("the coordinator's log: each version once, in order")
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(2, last).boxed().toList());
    }

    // ---- helpers -----------------------------------------------------------------------------

    protected void start(RoutingState initial, Map<String, Set<String>> servable) {
        harness.start(3, CONFIG, initial, servable);
        harness.awaitUntil("node-a coordinates, every node ready and hearing every other", () -> harness.node("node-a").isCoordinator()
                && harness.ids().stream().allMatch(id -> {
            CanaryNode node = harness.node(id);
            return node.isReady() && node.cluster().stream().allMatch(PeerStatus::reachable);
        }), WAIT);
    }

    protected RoutingState commit(CanaryNode via, Weights weights) {
        CompletableFuture<RoutingState> f = via.proposeWeights(weights);
        harness.awaitUntil("proposal of " + weights + " via " + via.id() + " answered", f::isDone, WAIT);
        try {
            return f.get();
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError("proposal of " + weights + " failed: " + e.getCause().getMessage(), e);
        }
    }

    protected Throwable failureOf(CompletableFuture<?> f) {
        harness.awaitUntil("proposal answered", f::isDone, WAIT);
        Throwable t = catchThrowable(f::join);
        assertThat(t).as("the proposal should have failed").isNotNull();
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    protected void awaitEveryNodeAt(RoutingState state) {
        harness.awaitUntil("every node at version " + state.version() + " " + state.weights(),
                () -> harness.ids().stream().allMatch(id -> harness.node(id).state().equals(state)), WAIT);
    }

    protected PeerStatus peer(String viewer, String peer) {
        return harness.node(viewer).cluster().stream().filter(p -> p.nodeId().equals(peer)).findFirst().orElseThrow();
    }

    /** Committed and synced states in a node's log, oldest first. */
    protected List<RoutingState> committedStates(String id) {
        List<RoutingState> states = new ArrayList<>();
        for (LogRecord r : harness.logRecords(id)) {
            if (r instanceof LogRecord.Committed c) {
                states.add(c.state());
            } else if (r instanceof LogRecord.Synced s) {
                states.add(s.state());
            }
        }
        return states;
    }

    protected boolean hasPrepared(String id) {
        return harness.logRecords(id).stream().anyMatch(r -> r instanceof LogRecord.Prepared);
    }

    protected boolean hasPrepared(String id, long txId) {
        return harness.logRecords(id).stream().anyMatch(r -> r instanceof LogRecord.Prepared p && p.txId() == txId);
    }

    protected long preparedTxId(String id) {
        return harness.logRecords(id).stream().filter(r -> r instanceof LogRecord.Prepared)
                .map(r -> ((LogRecord.Prepared) r).txId()).reduce((a, b) -> b).orElseThrow();
    }

    protected boolean hasAborted(String id, long txId) {
        return harness.logRecords(id).stream().anyMatch(r -> r instanceof LogRecord.Aborted a && a.txId() == txId);
    }

    /** The versions a node routes 2,000 sticky keys to. */
    protected static Set<String> routedVersions(CanaryNode node) {
        Set<String> versions = new TreeSet<>();
        for (int i = 0; i < 2000; i++) {
            versions.add(node.route("user-" + i));
        }
        return versions;
    }

    private static int indexOf(List<LogRecord> log, java.util.function.Predicate<LogRecord> p) {
        for (int i = 0; i < log.size(); i++) {
            if (p.test(log.get(i))) {
                return i;
            }
        }
        return -1;
    }

}
