package io.canary.internal.protocol;

import static io.canary.internal.protocol.Fixture.A;
import static io.canary.internal.protocol.Fixture.AT_25;
import static io.canary.internal.protocol.Fixture.B;
import static io.canary.internal.protocol.Fixture.C;
import static io.canary.internal.protocol.Fixture.CONFIG;
import static io.canary.internal.protocol.Fixture.MEMBERS;
import static io.canary.internal.protocol.Fixture.V1;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.log.LogRecord;
import io.canary.transport.Message;
import io.canary.transport.Message.RequestVote;
import io.canary.transport.Message.RequestVoteReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A wiped node's recovery survives its restarts (ARCHITECTURE, safety (5); simulator seeds 9209848 and 9420412): once
 * its amnesia ended recovering it logs {@link LogRecord.Recovering} (not done) before anything else, and a restart
 * before the recovering window ran its course starts amnesiac again, whatever term and vote it logged meanwhile, so it
 * hears every member (the holder of what it lost included) before it votes again. One {@link ProtocolNode}, its peers
 * played by the test, manual time; every assertion is on effects and replies.
 */
class DurableRecoveryTest {
    private static final long START = 1_000;
    private static final LogRecord.TermVote ADOPTED = new LogRecord.TermVote(1, LogRecord.TermVote.UNKNOWN_VOTE);
    private static final LogRecord.TermVote HEARD = new LogRecord.TermVote(1, LogRecord.TermVote.UNKNOWN_VOTE_AMNESIA_ENDED);

    /** One node under test and its monotonic time. */
    private static final class Node {
        final ProtocolNode protocol;
        long now = START;

        Node(List<LogRecord> log, Set<PlantedBug> planted) {
            protocol = new ProtocolNode(A, MEMBERS, A, Set.of(), CONFIG, Recovery.replay(log, V1), 1, () -> 0);
            if (!planted.isEmpty()) {
                protocol.plant(planted);
            }
            protocol.start(now);
        }

        /** A heartbeat of {@code from} in {@code term} reporting the log position {@code (lastVersion, lastTerm)}. */
        List<Effect> heartbeat(String from, long term, long lastVersion, long lastTerm) {
            return protocol.onMessage(from, new Message.Heartbeat(term, lastVersion, true, now, START, false, false,
                    lastVersion, lastTerm), now);
        }

        /** Whether it grants {@code from}'s pre-vote for {@code term} asked with the position {@code (lastVersion, lastTerm)}. */
        boolean grants(String from, long term, long lastVersion, long lastTerm) {
            List<RequestVoteReply> replies = Fx.sent(protocol.onMessage(from,
                    new RequestVote(term, lastVersion, lastTerm, true), now), RequestVoteReply.class);
            assertThat(replies).hasSize(1);
            return replies.get(0).granted();
        }

        List<Effect> tick(long at) {
            now = at;
            return protocol.onTimer(new Timer.HeartbeatTick(), now);
        }
    }

    private static List<LogRecord> appended(List<Effect> effects) {
        return Fx.of(effects, Effect.Append.class).stream().map(Effect.Append::record).toList();
    }

    /** What wiped node-a logged in seed 9209848 before it crashed: adopted term 1, heard everyone, stood in term 7. */
    private static List<LogRecord> wipedThenStood(boolean recoveryLogged) {
        List<LogRecord> log = new ArrayList<>(List.of(ADOPTED));
        if (recoveryLogged) {
            log.add(new LogRecord.Recovering(false));
        }
        log.add(HEARD);
        log.add(new LogRecord.TermVote(7, A));
        return log;
    }

    @Test
    void amnesiaEndingRecoveringLogsThePendingRecoveryDurablyBeforeItsEnd() {
        Node a = new Node(List.of(), Set.of());
        a.heartbeat(B, 1, 2, 1);
        List<Effect> heardAll = a.heartbeat(C, 1, 3, 1);
        assertThat(appended(heardAll)).containsExactly(new LogRecord.Recovering(false), HEARD);
        assertThat(Fx.of(heardAll, Effect.Append.class)).allMatch(Effect.Append::durable);
        assertThat(a.protocol.checkpointRecords()).as("a checkpoint keeps it").contains(new LogRecord.Recovering(false));

        Node fresh = new Node(List.of(), Set.of());
        fresh.heartbeat(B, 0, 1, 0);
        assertThat(appended(fresh.heartbeat(C, 0, 1, 0))).as("a fresh cluster: nothing was lost, no recovery").isEmpty();
        assertThat(fresh.protocol.checkpointRecords()).noneMatch(r -> r instanceof LogRecord.Recovering);
    }

    /**
     * Seed 9209848: wiped node-a heard node-b (version 2) and node-c (the only other holder of version 3, decided on
     * node-a's lost YES), stood in term 7, crashed. Restarted, it must not grant node-b (version 2) while node-c is down:
     * node-b would win on {a, b} without version 3. It waits to hear node-c again, then refuses node-b behind node-c's
     * position, and grants node-b once node-b asks with version 3 (learned from node-c's reply).
     */
    @Test
    void aRestartBeforeTheRecoveryRanItsCourseIsAmnesiacAgainUntilItHeardEveryMember() {
        Node a = new Node(wipedThenStood(true), Set.of());
        assertThat(a.protocol.coordination(a.now).waitingFor()).containsExactlyInAnyOrder(B, C);
        a.heartbeat(B, 7, 2, 1);
        assertThat(a.grants(B, 8, 2, 1)).as("node-c not heard since the restart").isFalse();
        assertThat(a.protocol.isReady()).as("fail-safe meanwhile").isFalse();
        List<Effect> heardC = a.heartbeat(C, 7, 3, 1);
        assertThat(appended(heardC)).as("still pending on disk: nothing to log").isEmpty();
        assertThat(a.grants(B, 8, 2, 1)).as("behind node-c's position: recovering again").isFalse();
        assertThat(a.grants(B, 8, 3, 1)).as("node-b took version 3 from node-c's reply").isTrue();
    }

    @Test
    void withTheRuleInvertedTheRestartedNodeGrantsACandidateBehindTheUnheardHolderAtOnce() {
        // The planted bug is the code before session 7: the restart takes the node for one that lost nothing.
        Node a = new Node(wipedThenStood(false), Set.of(PlantedBug.RECOVERY_FORGOTTEN_ON_RESTART));
        a.heartbeat(B, 7, 2, 1);
        assertThat(a.grants(B, 8, 2, 1)).isTrue();
        Node planted = new Node(wipedThenStood(true), Set.of(PlantedBug.RECOVERY_FORGOTTEN_ON_RESTART));
        planted.heartbeat(B, 7, 2, 1);
        assertThat(planted.grants(B, 8, 2, 1)).as("the pending record ignored").isTrue();
    }

    @Test
    void onceTheRecoveringWindowRanItsCourseItIsLoggedDoneAndARestartVotesAtOnce() {
        Node a = new Node(List.of(), Set.of());
        a.heartbeat(B, 1, 2, 1);
        a.heartbeat(C, 1, 3, 1);
        long window = Amnesia.REPORT_WINDOW_ELECTION_TIMEOUTS * CONFIG.electionTimeout().toMillis();
        assertThat(appended(a.tick(START + window - 1))).as("still recovering").isEmpty();
        assertThat(appended(a.tick(START + window))).as("past the window, node-c's report (3, 1) is still ahead of its log")
                .isEmpty();
        assertThat(a.protocol.checkpointRecords()).as("still pending").contains(new LogRecord.Recovering(false));
        // The coordinator catches it up to version 3 (decided in term 1): its own log now covers every report.
        RoutingState v3 = AT_25.next(Weights.split("v1", "v2", 50), "v1", RolloutInfo.NONE, 1L << 32 | 2, 200);
        a.protocol.onMessage(B, new Message.StateSync(1, v3), a.now);
        List<Effect> lapsed = a.tick(START + window + 100);
        assertThat(appended(lapsed)).containsExactly(new LogRecord.Recovering(true));
        assertThat(Fx.of(lapsed, Effect.Append.class)).allMatch(Effect.Append::durable);
        assertThat(appended(a.tick(START + window + 300))).as("once").isEmpty();
        assertThat(a.protocol.checkpointRecords()).noneMatch(r -> r instanceof LogRecord.Recovering);

        List<LogRecord> log = new ArrayList<>(wipedThenStood(true));
        log.add(new LogRecord.Recovering(true));
        Node restarted = new Node(log, Set.of());
        assertThat(restarted.protocol.coordination(restarted.now).waitingFor()).isEmpty();
        restarted.heartbeat(B, 7, 2, 1);
        assertThat(restarted.grants(B, 8, 2, 1)).as("recovery done before the restart: Raft's rule on its own log").isTrue();
    }

    @Test
    void theLogsLastRecoveringRecordDecides() {
        assertThat(Recovery.replay(wipedThenStood(true), V1).recoveryPending()).isTrue();
        assertThat(Recovery.replay(wipedThenStood(false), V1).recoveryPending()).isFalse();
        List<LogRecord> done = new ArrayList<>(wipedThenStood(true));
        done.add(new LogRecord.Recovering(true));
        assertThat(Recovery.replay(done, V1).recoveryPending()).isFalse();
        done.add(new LogRecord.Recovering(false));
        assertThat(Recovery.replay(done, V1).recoveryPending()).as("a second loss, recovering again").isTrue();
    }
}
