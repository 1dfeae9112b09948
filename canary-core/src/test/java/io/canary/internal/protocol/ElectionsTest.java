package io.canary.internal.protocol;

import static io.canary.internal.protocol.Fixture.A;
import static io.canary.internal.protocol.Fixture.AT_25;
import static io.canary.internal.protocol.Fixture.B;
import static io.canary.internal.protocol.Fixture.C;
import static io.canary.internal.protocol.Fixture.CONFIG;
import static io.canary.internal.protocol.Fixture.MEMBERS;
import static io.canary.internal.protocol.Fixture.V1;
import static org.assertj.core.api.Assertions.assertThat;

import io.canary.log.LogRecord;
import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.transport.Message;
import io.canary.transport.Message.RequestVote;
import io.canary.transport.Message.RequestVoteReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Elections, terms and the recovery round on one {@link ProtocolNode} whose peers are played by the
 * test: durable votes once per term, the up-to-date rule, pre-votes, no disruption of a live
 * coordinator, the amnesia rule for a node whose log holds no term, the preferred coordinator of a
 * fresh cluster, and what a winner adopts and re-drives. Manual time; every assertion is on effects.
 */
class ElectionsTest {
    private static final long START = 1_000;

    /** One node under test, the effects it emitted so far, and its monotonic time. */
    private static final class Node {
        final ProtocolNode protocol;
        final List<Effect> effects = new ArrayList<>();
        long now = START;

        Node(String id, List<LogRecord> log) {
            this(id, log, Set.of());
        }

        /** A node with deliberate bugs planted before its start (see {@link PlantedBug}). */
        Node(String id, List<LogRecord> log, Set<PlantedBug> planted) {
            protocol = new ProtocolNode(id, MEMBERS, A, Set.of(), CONFIG, Recovery.replay(log, V1), 1, () -> 0);
            if (!planted.isEmpty()) {
                protocol.plant(planted);
            }
            effects.addAll(protocol.start(now));
        }

        List<Effect> receive(String from, Message m) {
            List<Effect> out = protocol.onMessage(from, m, now);
            effects.addAll(out);
            return out;
        }

        /** A heartbeat of {@code from} (echoing our start, so two-way) in {@code term}. */
        List<Effect> heartbeat(String from, long term, long version, boolean coordinator) {
            return receive(from, new Message.Heartbeat(term, version, true, now, START, coordinator, coordinator));
        }

        /** A heartbeat of {@code from} as above that reports the log position {@code (lastVersion, lastTerm)}. */
        List<Effect> heartbeat(String from, long term, long version, long lastVersion, long lastTerm) {
            return receive(from, new Message.Heartbeat(term, version, true, now, START, false, false, lastVersion, lastTerm));
        }

        /** Advances to {@code until}, one heartbeat tick at a time, with {@code peers} heartbeating each tick. */
        void runUntil(long until, long term, List<String> peers) {
            while (now + CONFIG.heartbeatInterval().toMillis() <= until) {
                now += CONFIG.heartbeatInterval().toMillis();
                for (String p : peers) {
                    heartbeat(p, term, 1, false);
                }
                effects.addAll(protocol.onTimer(new Timer.HeartbeatTick(), now));
            }
        }

        List<RequestVote> asked() {
            return Fx.sent(effects, RequestVote.class);
        }
    }

    private static RequestVoteReply reply(List<Effect> out) {
        List<RequestVoteReply> replies = Fx.sent(out, RequestVoteReply.class);
        assertThat(replies).hasSize(1);
        return replies.get(0);
    }

    private static RequestVoteReply grant(long term, boolean preVote) {
        return new RequestVoteReply(term, true, preVote, V1, Optional.empty(), 0, 0);
    }

    private static List<LogRecord> termLog(long term, String votedFor) {
        return List.of(new LogRecord.TermVote(term, votedFor));
    }

    @Test
    void aVoteIsDurableBeforeItIsSentAndGivenOncePerTermAcrossARestart() {
        Node b = new Node(B, termLog(2, ""));
        List<Effect> out = b.receive(A, new RequestVote(4, 1, 0, false)); // node-a owns terms 1, 4, 7...
        assertThat(reply(out).granted()).isTrue();
        int logged = Fx.indexOf(out, e -> e instanceof Effect.Append a && a.durable()
                && a.record().equals(new LogRecord.TermVote(4, A)));
        int sent = Fx.indexOf(out, e -> e instanceof Effect.Send s && s.message() instanceof RequestVoteReply);
        assertThat(logged).isNotNegative().isLessThan(sent);
        assertThat(reply(b.receive(C, new RequestVote(4, 1, 0, false))).granted()).as("one vote per term").isFalse();

        Node restarted = new Node(B, List.of(new LogRecord.TermVote(2, ""), new LogRecord.TermVote(4, A)));
        assertThat(reply(restarted.receive(C, new RequestVote(4, 1, 0, false))).granted()).isFalse();
        assertThat(reply(restarted.receive(A, new RequestVote(4, 1, 0, false))).granted()).as("the same candidate again").isTrue();
    }

    @Test
    void aVoteGoesOnlyToACandidateAtLeastAsUpToDate() {
        List<LogRecord> log = List.of(new LogRecord.TermVote(1, A), new LogRecord.Committed(AT_25.txId(), AT_25));
        Node b = new Node(B, log);
        assertThat(reply(b.receive(C, new RequestVote(3, 1, 0, false))).granted()).as("node-c lacks version 2").isFalse();
        Node b2 = new Node(B, log);
        assertThat(reply(b2.receive(C, new RequestVote(3, 2, 1, false))).granted()).isTrue();
    }

    /**
     * Disk loss: node-a reported version 2 committed; node-c, at version 1 (a wiped or stale log),
     * asks node-b (also at version 1) for its vote. The up-to-date rule alone would grant it, and the
     * winner's recovery round could miss version 2; node-b refuses, pre-vote and vote alike.
     */
    @Test
    void noVoteForACandidateBehindAVersionAPeerReportedCommitted() {
        Node b = new Node(B, termLog(1, A));
        b.heartbeat(A, 1, 2, false);
        assertThat(reply(b.receive(C, new RequestVote(3, 1, 0, true))).granted()).as("pre-vote").isFalse();
        assertThat(reply(b.receive(C, new RequestVote(3, 1, 0, false))).granted()).as("vote").isFalse();
        Node b2 = new Node(B, termLog(1, A));
        b2.heartbeat(A, 1, 2, false);
        assertThat(reply(b2.receive(C, new RequestVote(3, 2, 1, false))).granted()).as("a candidate holding version 2").isTrue();
    }

    /**
     * Simulator seed 334040 (disk loss): node-c holds a term-2 promise of version 2 that node-b's and
     * node-c's YES decided; node-b lost its disk (its log is empty now) and heard every member, so the
     * amnesia rule lets it vote again. node-a (version 1, its own copy aborted) asks for term 3: with
     * node-b's vote its recovery round (node-a and node-b) would miss node-c's promise and propose
     * another version 2. node-b refuses it, pre-vote and vote, for node-c reported a newer log position;
     * node-c itself, holding that promise, gets the vote.
     */
    @Test
    void noVoteForACandidateBehindTheLogPositionAPeerReported() {
        Node b = new Node(B, List.of());
        b.heartbeat(A, 2, 1, 1, 0);
        b.heartbeat(C, 2, 1, 2, 2);
        assertThat(reply(b.receive(A, new RequestVote(4, 1, 0, true))).granted()).as("pre-vote").isFalse();
        assertThat(reply(b.receive(C, new RequestVote(6, 2, 2, true))).granted()).as("node-c holds that promise").isTrue();
        List<Effect> vote = b.receive(A, new RequestVote(4, 1, 0, false));
        assertThat(reply(vote).granted()).as("vote").isFalse();
        assertThat(vote).doesNotContain(new Effect.Append(new LogRecord.TermVote(4, A), true));
        assertThat(reply(b.receive(C, new RequestVote(6, 2, 2, false))).granted()).isTrue();

        Node b2 = new Node(B, List.of());
        b2.heartbeat(A, 2, 1, 1, 0);
        b2.heartbeat(C, 2, 1, 2, 2);
        assertThat(reply(b2.receive(A, new RequestVote(4, 2, 1, true))).granted())
                .as("version 2 promised in an older term is behind it too").isFalse();
    }

    /**
     * Only a node that may have lost its data is held back: one that kept its log holds its own
     * promises (Raft's rule on its own log suffices), and one of a fresh cluster (every member heard
     * at term 0) lost nothing. Holding them back too would let a peer that is ahead but cannot win
     * (its disk fails every write, so it never logs a term) stop every election: simulator seeds 116,
     * 395 and 529 (ROLLBACK_BOUND) with this rule applied to every voter.
     */
    /**
     * Simulator seed 552414: the wiped node is the candidate itself, one vote of its own majority. node-c
     * reported a promise of version 3 (the one version 3 was decided on); node-a, wiped, wins its pre-vote
     * with node-b, which holds only version 2: it does not go on to a real vote, for its recovery round
     * would miss node-c's promise and it would propose another version 3.
     */
    @Test
    void aRecoveringCandidateDoesNotCountItsOwnVoteWhileItsCandidacyLacksAReportedPromise() {
        Node a = new Node(A, List.of());
        a.heartbeat(B, 1, 1, 2, 1);
        a.heartbeat(C, 1, 1, 3, 1);
        a.effects.addAll(a.protocol.onTimer(new Timer.HeartbeatTick(), a.now + CONFIG.heartbeatInterval().toMillis()));
        assertThat(a.asked()).as("it stands: a pre-vote").isNotEmpty().allMatch(RequestVote::preVote);
        RoutingState v2 = V1.next(Weights.split("v1", "v2", 10), "v1", RolloutInfo.NONE, 1L << 32 | 1, 5);
        a.receive(B, new RequestVoteReply(2, true, true, V1, Optional.of(new Message.PreparedReport(1, v2.txId(), v2)), 0, 0));
        assertThat(a.asked()).as("no real vote").allMatch(RequestVote::preVote);
        assertThat(a.protocol.term()).isEqualTo(1);
    }

    /**
     * Simulator seed 9437954 (LEASE with disk loss, session 7): node-a, wiped, heard node-c report version 3 committed
     * (a rollback to 0%, decided on node-a's lost YES and node-c's), then node-c paused; node-b holds version 2 (25%).
     * Past the report window of (4b) node-a stands and wins node-b's pre-vote. It must not go on: it refuses node-b's
     * own candidacy for that committed version (4a), and elected at version 2 it would route 25% again and propose
     * another version 3. Once node-c's reply (granted or not) brings version 3 into its candidacy it goes on.
     */
    @Test
    void aCandidateDoesNotElectItselfBehindAVersionAPeerReportedCommittedEvenPastTheReportWindow() {
        RoutingState rolledBack = AT_25.next(Weights.split("v1", "v2", 0), "v1", RolloutInfo.NONE, 1L << 32 | 2, 200);
        // With the lapse of (4b) planted too: since session 8 (4b) no longer lapses, and alone it holds this node back.
        Node planted = standsPastTheReportWindow(Set.of(PlantedBug.CANDIDATE_IGNORES_REPORTED_COMMIT,
                PlantedBug.RECORDED_REPORTS_LAPSE));
        assertThat(planted.asked()).as("planted: it goes on to the real vote, behind version 3")
                .anyMatch(r -> !r.preVote() && r.lastVersion() == 2);

        Node a = standsPastTheReportWindow(Set.of());
        assertThat(a.asked()).as("no real vote behind the version node-c reported committed").allMatch(RequestVote::preVote);
        assertThat(a.protocol.term()).isEqualTo(1);
        assertThat(a.protocol.isCoordinator()).isFalse();
        a.effects.clear();
        standsAgain(a);
        long term = a.asked().get(0).term();
        a.receive(C, new RequestVoteReply(1, false, true, rolledBack, Optional.empty(), 0, 0));
        a.receive(B, new RequestVoteReply(term, true, true, AT_25, Optional.empty(), 0, 0));
        assertThat(a.asked()).as("node-c's report brings version 3: the real vote, with that position")
                .anyMatch(r -> !r.preVote() && r.term() == term && r.lastVersion() == 3 && r.lastTerm() == 1);
    }

    /** Wiped node-a hears node-c report version 3 committed once, then only node-b (version 2), past the report window. */
    private static Node standsPastTheReportWindow(Set<PlantedBug> planted) {
        Node a = new Node(A, List.of(), planted);
        a.heartbeat(C, 1, 3, 3, 1);
        long pastWindow = START + (Amnesia.REPORT_WINDOW_ELECTION_TIMEOUTS + 1) * CONFIG.electionTimeout().toMillis();
        while (a.now < pastWindow) {
            a.now += CONFIG.heartbeatInterval().toMillis();
            a.heartbeat(B, 1, 2, 2, 1);
            a.effects.addAll(a.protocol.onTimer(new Timer.HeartbeatTick(), a.now));
        }
        a.effects.clear();
        standsAgain(a);
        long term = a.asked().get(0).term();
        a.receive(B, new RequestVoteReply(term, true, true, AT_25, Optional.empty(), 0, 0));
        return a;
    }

    /** Ticks (node-b heartbeating at version 2) until {@code a} stands again: a pre-vote goes out. */
    private static void standsAgain(Node a) {
        for (long until = a.now + 2 * CONFIG.electionTimeout().toMillis(); a.now < until && a.asked().isEmpty(); ) {
            a.now += CONFIG.heartbeatInterval().toMillis();
            a.heartbeat(B, 1, 2, 2, 1);
            a.effects.addAll(a.protocol.onTimer(new Timer.HeartbeatTick(), a.now));
        }
        assertThat(a.asked()).as("it stands: a pre-vote").isNotEmpty().allMatch(RequestVote::preVote);
    }

    @Test
    void aNodeThatKeptItsLogOrStartedInAFreshClusterIsNotHeldBackByAReportedLogPosition() {
        Node kept = new Node(B, termLog(2, ""));
        kept.heartbeat(C, 2, 1, 2, 2);
        assertThat(reply(kept.receive(A, new RequestVote(4, 1, 0, true))).granted()).isTrue();

        Node fresh = new Node(B, List.of());
        fresh.heartbeat(A, 0, 1, 1, 0);
        fresh.heartbeat(C, 0, 1, 2, 1);
        assertThat(reply(fresh.receive(A, new RequestVote(1, 1, 0, true))).granted()).isTrue();
    }

    /**
     * Limit (e), closed in session 8 (simulator seed 12000001): a wiped node heard node-c's promise once, then node-c fell
     * silent (paused 7.9 s in that seed). No report lapses: past the old report window it still refuses a candidate
     * behind that promise, and its refusal relays the promise, so a candidate that takes it in asks with its position
     * and is granted. The planted lapse of sessions 4-7 grants the candidate behind it.
     */
    @Test
    void aRecoveringNodeHeedsAReportedPromiseHoweverLongItsHolderIsSilentAndRelaysIt() {
        RoutingState promised = V1.next(Weights.split("v1", "v2", 10), "v1", RolloutInfo.NONE, 2L << 32 | 1, 5);
        Message.PreparedReport promise = new Message.PreparedReport(2, promised.txId(), promised);
        for (boolean lapse : new boolean[] {false, true}) {
            Node b = new Node(B, List.of(), lapse ? Set.of(PlantedBug.RECORDED_REPORTS_LAPSE) : Set.of());
            b.heartbeat(A, 2, 1, 1, 0);
            b.receive(C, new Message.Heartbeat(2, 1, true, b.now, START, false, false, 2, 2, Optional.of(promise)));
            long heard = b.now;
            b.now = heard + 3 * CONFIG.peerTimeout().toMillis();
            RequestVoteReply cutOff = reply(b.receive(A, new RequestVote(4, 1, 0, true)));
            assertThat(cutOff.granted()).as("node-c cut off for a few seconds still holds the vote back").isFalse();
            b.now = heard + 10 * Amnesia.REPORT_WINDOW_ELECTION_TIMEOUTS * CONFIG.electionTimeout().toMillis();
            RequestVoteReply late = reply(b.receive(A, new RequestVote(4, 1, 0, true)));
            if (lapse) {
                assertThat(late.granted()).as("planted: silent past the window, taken as lost").isTrue();
                continue;
            }
            assertThat(late.granted()).as("silent ten report windows: still heeded").isFalse();
            assertThat(late.relayed()).as("the refusal hands node-c's promise on").containsExactly(promise);
            assertThat(reply(b.receive(A, new RequestVote(4, 2, 2, true))).granted())
                    .as("a candidate asking with the relayed promise's position").isTrue();
            assertThat(reply(b.receive(C, new RequestVote(6, 2, 2, true))).relayed())
                    .as("never relayed to its own holder").isEmpty();
        }
    }

    /**
     * A recovering node's own commit covers a reported promise of that version, whatever term it was re-logged in:
     * committed, version 2 is chosen, and every later promise of it re-drives the same state (simulator seed 18140443:
     * node-c re-logged version 2's promise in term 4, then its disk failed for 17 s; node-a, recovering with version 2
     * committed in term 2, took (2, 4) for newer than its own (2, 2) and refused itself and node-b: no coordinator, no
     * rollback). The planted COMMIT_DOES_NOT_COVER_REPORTS compares the positions only.
     */
    @Test
    void aRecoveringNodesCommitCoversAReportedPromiseOfThatVersionWhateverTermItWasReLoggedIn() {
        RoutingState v2 = V1.next(Weights.split("v1", "v2", 10), "v1", RolloutInfo.NONE, 2L << 32 | 1, 5);
        Message.PreparedReport reDriven = new Message.PreparedReport(4, v2.txId(), v2);
        for (boolean planted : new boolean[] {false, true}) {
            // Committed version 2 in term 2, then a crash before its recovery ran its course: amnesiac, then recovering.
            List<LogRecord> log = List.of(new LogRecord.TermVote(2, A), new LogRecord.Committed(v2.txId(), v2),
                    new LogRecord.Recovering(false));
            Node b = new Node(B, log, planted ? Set.of(PlantedBug.COMMIT_DOES_NOT_COVER_REPORTS) : Set.of());
            b.heartbeat(A, 4, 2, 2, 2);
            b.receive(C, new Message.Heartbeat(4, 2, true, b.now, START, false, false, 2, 4, Optional.of(reDriven)));
            RequestVoteReply r = reply(b.receive(A, new RequestVote(7, 2, 2, true)));
            if (planted) {
                assertThat(r.granted()).as("planted: (2, 4) taken for ahead of a commit of version 2").isFalse();
                assertThat(r.relayed()).containsExactly(reDriven);
                continue;
            }
            assertThat(r.granted()).as("node-a at version 2, like the promise node-c reported").isTrue();
            assertThat(r.relayed()).as("a promise its commit covers is nothing to hand on").isEmpty();
        }
    }

    /**
     * The relay, on the candidate's side. Within reach (a promise of the version after the highest committed state its
     * round found), the candidate takes the relayed promise into its recovery round, asks with it and re-drives it: a
     * holder that never answers (simulator seed 6696) stops no election. Beyond reach (seed 12000001: a promise of
     * version 4 while the round found version 2 committed, so version 3 is held only by the silent holder and a lost
     * copy), it does not go on: elected, it would keep neither. The planted RELAYED_PROMISE_GAP_IGNORED goes on.
     */
    @Test
    void aCandidateReDrivesARelayedPromiseWithinReachAndWaitsWhileOneIsBeyondIt() {
        RoutingState v3 = AT_25.next(Weights.split("v1", "v2", 0), "v1", RolloutInfo.NONE, 1L << 32 | 2, 5);
        RoutingState v4 = v3.next(Weights.split("v1", "v2", 50), "v1", RolloutInfo.NONE, 1L << 32 | 3, 6);
        for (String run : List.of("beyond", "beyond-planted", "within")) {
            Node b = new Node(B, List.of(new LogRecord.TermVote(1, A), new LogRecord.Committed(AT_25.txId(), AT_25)),
                    run.equals("beyond-planted") ? Set.of(PlantedBug.RELAYED_PROMISE_GAP_IGNORED) : Set.of());
            long stands = START + CONFIG.electionTimeout().plus(CONFIG.electionStagger()).toMillis();
            b.runUntil(stands + CONFIG.heartbeatInterval().toMillis(), 1, List.of(A, C));
            assertThat(b.asked()).isNotEmpty().allMatch(r -> r.preVote() && r.term() == 2);
            b.effects.clear();
            RoutingState promised = run.equals("within") ? v3 : v4;
            Message.PreparedReport relayed = new Message.PreparedReport(1, promised.txId(), promised);
            b.receive(C, new RequestVoteReply(1, false, true, AT_25, Optional.empty(), 0, 0, List.of(relayed)));
            assertThat(Fx.sent(b.effects, RequestVote.class)).as(run + ": asks again with the relayed position")
                    .isNotEmpty().allMatch(r -> r.preVote() && r.lastVersion() == promised.version() && r.lastTerm() == 1);
            b.receive(C, new RequestVoteReply(2, true, true, AT_25, Optional.empty(), 0, 0, List.of(relayed)));
            List<RequestVote> real = Fx.sent(b.effects, RequestVote.class).stream().filter(r -> !r.preVote()).toList();
            if (run.equals("beyond")) {
                assertThat(real).as("beyond reach: no real vote, no term spent").isEmpty();
                assertThat(b.protocol.term()).isEqualTo(1);
                continue;
            }
            assertThat(real).as(run).isNotEmpty().allMatch(r -> r.term() == 2 && r.lastVersion() == promised.version());
            b.receive(C, new RequestVoteReply(2, true, false, AT_25, Optional.empty(), 0, 0, List.of(relayed)));
            assertThat(b.effects).as(run + ": elected").anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(Effect.Log.class,
                    l -> assertThat(l.message()).startsWith(B + " is the coordinator of term 2")));
            if (run.equals("within")) {
                assertThat(Fx.sent(b.effects, Message.Prepare.class)).as("it re-drives the relayed promise")
                        .isNotEmpty().allMatch(pr -> pr.term() == 2 && pr.txId() == v3.txId() && pr.proposed().equals(v3));
            }
        }
    }

    /**
     * Simulator seed 7554 (disk loss, and a disk failing for long): node-a holds a promise of version 3
     * nobody else holds, and its disk fails, so it refuses candidates behind it and can never win
     * itself; a recovering voter holds its vote back for that promise. A candidate hears it in a
     * pre-vote refusal (every reply carries its sender's report), asks again with that position, and
     * its recovery round re-drives the promise: the election completes and nothing is lost.
     */
    @Test
    void aCandidateTakesAPromiseItHeardInARefusalIntoItsRecoveryRoundAndAsksWithIt() {
        RoutingState promised = AT_25.next(Weights.split("v1", "v2", 0), "v1", RolloutInfo.NONE, 1L << 32 | 2, 5);
        Node b = new Node(B, List.of(new LogRecord.TermVote(1, A), new LogRecord.Committed(AT_25.txId(), AT_25)));
        long stands = START + CONFIG.electionTimeout().plus(CONFIG.electionStagger()).toMillis();
        b.runUntil(stands + CONFIG.heartbeatInterval().toMillis(), 1, List.of(A, C));
        assertThat(b.asked()).isNotEmpty().allMatch(r -> r.preVote() && r.term() == 2 && r.lastVersion() == 2);
        b.effects.clear();

        List<Effect> refused = b.receive(A, new RequestVoteReply(1, false, true, AT_25,
                Optional.of(new Message.PreparedReport(1, promised.txId(), promised)), 0, 0));
        assertThat(Fx.sent(refused, RequestVote.class)).as("asks again, with the promise it heard")
                .isNotEmpty().allMatch(r -> r.preVote() && r.term() == 2 && r.lastVersion() == 3 && r.lastTerm() == 1);
        b.receive(C, new RequestVoteReply(2, true, true, AT_25, Optional.empty(), 0, 0));
        assertThat(Fx.sent(b.effects, RequestVote.class)).filteredOn(r -> !r.preVote())
                .isNotEmpty().allMatch(r -> r.term() == 2 && r.lastVersion() == 3 && r.lastTerm() == 1);
        b.receive(C, new RequestVoteReply(2, true, false, AT_25, Optional.empty(), 0, 0));
        assertThat(Fx.sent(b.effects, Message.Prepare.class)).as("elected, it re-drives the promise only node-a holds")
                .isNotEmpty().allMatch(pr -> pr.term() == 2 && pr.txId() == promised.txId() && pr.proposed().equals(promised));
    }

    @Test
    void heartbeatsCarryTheSendersLogPositionItsPromiseInDoubtElseItsCommit() {
        RoutingState promised = AT_25.next(Weights.split("v1", "v2", 0), "v1", RolloutInfo.NONE, 2L << 32 | 1, 5);
        Node b = new Node(B, List.of(new LogRecord.TermVote(2, C), new LogRecord.Committed(AT_25.txId(), AT_25),
                new LogRecord.Prepared(2, promised.txId(), promised)));
        List<Message.Heartbeat> sent = Fx.sent(b.protocol.onTimer(new Timer.HeartbeatTick(), b.now + 200), Message.Heartbeat.class);
        assertThat(sent).isNotEmpty().allSatisfy(h -> {
            assertThat(h.committedVersion()).isEqualTo(2);
            assertThat(h.lastVersion()).isEqualTo(3);
            assertThat(h.lastTerm()).isEqualTo(2);
            assertThat(h.inDoubt()).as("the promise itself, for a recovering node to relay")
                    .contains(new Message.PreparedReport(2, promised.txId(), promised));
        });
        Node c = new Node(C, List.of(new LogRecord.TermVote(1, A), new LogRecord.Committed(AT_25.txId(), AT_25)));
        assertThat(Fx.sent(c.protocol.onTimer(new Timer.HeartbeatTick(), c.now + 200), Message.Heartbeat.class))
                .isNotEmpty().allSatisfy(h -> {
                    assertThat(h.lastVersion()).isEqualTo(2);
                    assertThat(h.lastTerm()).as("the term of the committed transaction").isEqualTo(1);
                    assertThat(h.inDoubt()).as("nothing in doubt").isEmpty();
                });
    }

    @Test
    void aPreVoteChangesNobodysTermAndNobodyVotesWhileItHearsALiveCoordinator() {
        Node b = new Node(B, termLog(2, A));
        List<Effect> pre = b.receive(C, new RequestVote(3, 1, 0, true));
        assertThat(reply(pre).granted()).isTrue();
        assertThat(Fx.of(pre, Effect.Append.class)).as("a pre-vote logs nothing").isEmpty();
        assertThat(b.protocol.term()).isEqualTo(2);

        b.heartbeat(A, 2, 1, true); // node-a coordinates term 2 and is heard
        assertThat(reply(b.receive(C, new RequestVote(3, 1, 0, true))).granted()).isFalse();
        List<Effect> real = b.receive(C, new RequestVote(3, 1, 0, false));
        assertThat(real).as("not even the term changes: no disruption").isEmpty();
        assertThat(b.protocol.term()).isEqualTo(2);
    }

    @Test
    void aMessageOfAnOlderTermIsFencedAndANewerTermIsAdoptedDurablyFirst() {
        Node b = new Node(B, termLog(4, ""));
        RoutingState proposed = V1.next(Weights.split("v1", "v2", 0), "v1", RolloutInfo.NONE, 3L << 32 | 1, 9);
        List<Effect> stale = b.receive(A, new Message.Prepare(3, proposed.txId(), proposed));
        assertThat(Fx.sent(stale, Message.Vote.class)).singleElement().satisfies(v -> {
            assertThat(v.refusal()).isEqualTo(Message.Refusal.STALE_TERM);
            assertThat(v.term()).as("tells the old coordinator the newer term").isEqualTo(4);
        });
        assertThat(Fx.of(stale, Effect.Append.class)).isEmpty();
        assertThat(Fx.of(b.receive(A, new Message.Commit(3, proposed.txId(), proposed)), Effect.Apply.class)).isEmpty();

        RoutingState next = V1.next(Weights.split("v1", "v2", 0), "v1", RolloutInfo.NONE, 5L << 32 | 1, 9);
        List<Effect> newer = b.receive(C, new Message.Prepare(5, next.txId(), next));
        assertThat(newer.get(0)).isEqualTo(new Effect.Append(new LogRecord.TermVote(5, ""), true));
        assertThat(b.protocol.term()).isEqualTo(5);
        assertThat(b.protocol.coordinatorId()).isEqualTo(C);
        assertThat(Fx.sent(newer, Message.Vote.class)).singleElement().satisfies(v -> assertThat(v.yes()).isTrue());
    }

    @Test
    void aNodeWithoutAnyTermNeitherVotesNorStandsUntilItHeardEveryMembersTerm() {
        Node b = new Node(B, List.of());
        b.heartbeat(A, 0, 1, false);
        assertThat(reply(b.receive(A, new RequestVote(1, 1, 0, true))).granted()).as("node-c's term is unknown").isFalse();
        b.runUntil(longAfterStart(), 0, List.of(A)); // node-c never heard: far past any election timeout or the old fallback
        assertThat(b.asked()).as("it does not stand either").isEmpty();
        assertThat(reply(b.receive(A, new RequestVote(1, 1, 0, true))).granted()).isFalse();

        b.heartbeat(C, 0, 1, false);
        assertThat(reply(b.receive(A, new RequestVote(1, 1, 0, true))).granted()).isTrue();
    }

    /** Long after a start: 20 election timeouts, four times the old timer fallback (5), as a fresh bootstrap may wait. */
    private static long longAfterStart() {
        return START + 4 * Amnesia.PLANTED_FALLBACK_ELECTION_TIMEOUTS * CONFIG.electionTimeout().toMillis();
    }

    /**
     * Simulator seeds 2927, 3079 (before session 6 the timer fallback's reason): node-a is lost for good before node-b,
     * fresh or wiped, ever heard it. node-b waits: it neither votes nor stands, routes fail-safe saying whom it waits
     * for and what the operator can do, and logs it as a WARNING (rate-limited). The operator replaces node-a (a node
     * named node-a started on an empty data dir, at term 0): node-b has heard every member and votes again.
     */
    @Test
    void aMemberLostForGoodKeepsANodeWithoutAnyTermWaitingUntilTheOperatorReplacesIt() {
        Node b = new Node(B, List.of());
        b.heartbeat(C, 1, 1, false); // node-c is in term 1: node-b adopts it with its vote unknown
        assertThat(b.protocol.term()).isEqualTo(1);
        b.runUntil(longAfterStart(), 1, List.of(C));
        assertThat(reply(b.receive(C, new RequestVote(3, 1, 0, true))).granted()).as("node-a unheard: no vote").isFalse();
        assertThat(reply(b.receive(C, new RequestVote(3, 1, 0, false))).granted()).isFalse();
        assertThat(b.asked()).as("nor does it stand").isEmpty();
        io.canary.CoordinationStatus status = b.protocol.coordination(b.now);
        assertThat(status.waitingFor()).containsExactly(A);
        assertThat(status.failSafe()).isTrue();
        assertThat(status.failSafeReason()).contains("amnesiac", "waiting to hear node-a",
                "replace it by starting a node named node-a on an empty data dir");
        List<Effect.Log> warnings = Fx.of(b.effects, Effect.Log.class).stream()
                .filter(l -> l.level() == java.lang.System.Logger.Level.WARNING && l.message().contains("waiting to hear node-a"))
                .toList();
        long waited = longAfterStart() - START - Amnesia.ADVICE_AFTER_ELECTION_TIMEOUTS * CONFIG.electionTimeout().toMillis();
        long every = Amnesia.WARNING_EVERY_ELECTION_TIMEOUTS * CONFIG.electionTimeout().toMillis();
        assertThat(warnings).as("a WARNING naming node-a, rate-limited").isNotEmpty().hasSizeLessThanOrEqualTo((int) (waited / every) + 1);
        assertThat(warnings.get(0).message()).startsWith("node-b: amnesiac (empty or restored log): waiting to hear node-a")
                .contains("start node-a, or replace it");

        b.heartbeat(A, 0, 1, false); // the replacement: node-a on an empty data dir
        assertThat(b.protocol.coordination(b.now).waitingFor()).isEmpty();
        assertThat(b.protocol.term()).as("node-c's vote request moved it to term 3, its vote unknown").isEqualTo(3);
        assertThat(reply(b.receive(C, new RequestVote(3, 1, 0, false))).granted()).as("never in term 3").isFalse();
        assertThat(reply(b.receive(C, new RequestVote(6, 1, 0, true))).granted()).as("every member heard").isTrue();
        List<Effect> vote = b.receive(C, new RequestVote(6, 1, 0, false));
        assertThat(reply(vote).granted()).isTrue();
        assertThat(vote).contains(new Effect.Append(new LogRecord.TermVote(6, C), true));
    }

    @Test
    void withoutEveryMemberHeardANodeWithoutAnyTermNeverVotesHoweverLongItWaits() {
        Node b = new Node(B, List.of());
        b.runUntil(longAfterStart(), 0, List.of());
        assertThat(reply(b.receive(A, new RequestVote(1, 1, 0, true))).granted())
                .as("it heard nobody: any member's term may be newer than a vote it forgot").isFalse();
        assertThat(b.asked()).isEmpty();
        assertThat(b.protocol.coordination(b.now).waitingFor()).containsExactly(A, C);
    }

    /**
     * Simulator seeds 3017518, 3093511 (LEASE, CONFIRMED with disk loss): node-b lost its disk; version 2 had been
     * decided on node-b's lost YES and node-a's, and node-a is now paused (silent to node-b, not lost). node-c, at
     * version 1, stands. Under the old timer fallback (planted {@code AMNESIA_FALLBACK_ON_TIMER}) node-b, having heard
     * node-c (a majority with itself) for 5 election timeouts, grants node-c, whose recovery round cannot see version
     * 2; without it node-b never votes before it heard node-a, whose heartbeat reports version 2.
     */
    @Test
    void anAmnesiacNodeDoesNotTakeAPausedHolderForLostOnATimer() {
        long pastFallback = START + Amnesia.PLANTED_FALLBACK_ELECTION_TIMEOUTS * CONFIG.electionTimeout().toMillis()
                + 2 * CONFIG.heartbeatInterval().toMillis();
        Node planted = new Node(B, List.of(), Set.of(PlantedBug.AMNESIA_FALLBACK_ON_TIMER));
        planted.runUntil(pastFallback, 1, List.of(C));
        assertThat(reply(planted.receive(C, new RequestVote(3, 1, 0, true))).granted())
                .as("the planted fallback votes for node-c, behind what node-a holds").isTrue();

        Node b = new Node(B, List.of());
        b.runUntil(pastFallback, 1, List.of(C));
        assertThat(reply(b.receive(C, new RequestVote(3, 1, 0, true))).granted()).as("no timer ends amnesia").isFalse();
        b.runUntil(longAfterStart(), 1, List.of(C));
        assertThat(reply(b.receive(C, new RequestVote(3, 1, 0, true))).granted()).isFalse();
        b.heartbeat(A, 1, 2, 2, 1); // node-a resumes: it reports version 2, decided in term 1
        assertThat(reply(b.receive(C, new RequestVote(3, 1, 0, true))).granted())
                .as("every member heard, recovering: node-c is behind node-a's position").isFalse();
        assertThat(reply(b.receive(C, new RequestVote(3, 2, 1, true))).granted()).as("a candidate that holds it").isTrue();
    }

    @Test
    void aTermAdoptedWithoutAnyTermInTheLogIsLoggedWithAnUnknownVoteAndNeverGrantedEvenAfterARestart() {
        Node b = new Node(B, List.of()); // wiped: it may have voted for node-c in term 6 (node-c's: 3, 6, 9...)
        List<Effect> adopted = b.heartbeat(C, 6, 1, false);
        assertThat(adopted).contains(new Effect.Append(new LogRecord.TermVote(6, LogRecord.TermVote.UNKNOWN_VOTE), true));
        b.heartbeat(A, 4, 1, false);
        assertThat(reply(b.receive(C, new RequestVote(6, 1, 0, false))).granted()).as("term 6: vote unknown").isFalse();
        List<Effect> next = b.receive(A, new RequestVote(7, 1, 0, false));
        assertThat(reply(next).granted()).as("a term nobody can have asked it before").isTrue();
        assertThat(next).contains(new Effect.Append(new LogRecord.TermVote(7, A), true));

        Node restarted = new Node(B, termLog(6, LogRecord.TermVote.UNKNOWN_VOTE));
        assertThat(reply(restarted.receive(C, new RequestVote(6, 1, 0, false))).granted()).isFalse();
    }

    @Test
    void aNodeRestartedOnATermItAdoptedWithAnUnknownVoteStaysAmnesiacUntilItHeardEveryMember() {
        // Simulator seed 3098018: node-a, wiped, adopted term 1 (vote unknown), crashed and restarted. Taken as a node
        // that lost nothing, it voted for node-b while node-c, which alone held a commit decided on node-a's lost
        // YES, was paused; node-b then committed another state under that version.
        // (Terms 4 and 7 are node-a's own: ballot ownership.)
        Node b = new Node(B, termLog(1, LogRecord.TermVote.UNKNOWN_VOTE));
        b.heartbeat(A, 1, 1, false);
        assertThat(reply(b.receive(A, new RequestVote(4, 1, 0, true))).granted()).as("node-c not heard since the restart").isFalse();
        b.runUntil(START + CONFIG.electionTimeout().toMillis() * 3, 1, List.of(A));
        assertThat(b.asked()).as("nor does it stand").isEmpty();

        b.heartbeat(C, 1, 1, false);
        assertThat(reply(b.receive(A, new RequestVote(4, 1, 0, true))).granted()).as("every member heard").isTrue();

        Node voted = new Node(B, List.of(new LogRecord.TermVote(1, LogRecord.TermVote.UNKNOWN_VOTE), new LogRecord.TermVote(4, A)));
        voted.heartbeat(A, 4, 1, false);
        assertThat(reply(voted.receive(A, new RequestVote(7, 1, 0, true))).granted())
                .as("a later term with a known vote: nothing forgotten since").isTrue();

        // A state learned after the adopted term does not end amnesia (an amnesiac node takes Commits and syncs: seed
        // 7000049); the record logged once it heard every member does, and it restarts as a node that kept its log.
        Node learned = new Node(B, List.of(new LogRecord.TermVote(1, LogRecord.TermVote.UNKNOWN_VOTE),
                new LogRecord.Committed(AT_25.txId(), AT_25)));
        learned.heartbeat(A, 1, 2, false);
        assertThat(reply(learned.receive(A, new RequestVote(4, 2, 1, true))).granted()).as("node-c unheard").isFalse();
        Node caughtUp = new Node(B, List.of(new LogRecord.TermVote(1, LogRecord.TermVote.UNKNOWN_VOTE),
                new LogRecord.Committed(AT_25.txId(), AT_25),
                new LogRecord.TermVote(1, LogRecord.TermVote.UNKNOWN_VOTE_AMNESIA_ENDED)));
        caughtUp.heartbeat(A, 1, 2, false);
        assertThat(reply(caughtUp.receive(A, new RequestVote(4, 2, 1, true))).granted()).isTrue();
    }

    @Test
    void aFreshPreferredCoordinatorStandsOnceItHeardEveryoneAndWinsWithAMajority() {
        Node a = new Node(A, List.of());
        assertThat(a.asked()).as("node-b's and node-c's terms are unknown yet").isEmpty();
        a.heartbeat(B, 0, 1, false);
        a.heartbeat(C, 0, 1, false);
        a.runUntil(START + CONFIG.heartbeatInterval().toMillis(), 0, List.of());
        assertThat(a.asked()).as("a pre-vote for term 1, at once").hasSize(2).allMatch(r -> r.preVote() && r.term() == 1);

        List<Effect> pre = a.receive(B, grant(1, true));
        int logged = Fx.indexOf(pre, e -> e instanceof Effect.Append x && x.record().equals(new LogRecord.TermVote(1, A)));
        int asked = Fx.indexOf(pre, e -> e instanceof Effect.Send s && s.message() instanceof RequestVote r && !r.preVote());
        assertThat(logged).isNotNegative().isLessThan(asked);
        a.receive(B, grant(1, false));
        assertThat(a.protocol.isCoordinator()).isTrue();
        assertThat(a.protocol.term()).isEqualTo(1);
        assertThat(a.protocol.coordinatorId()).isEqualTo(A);
    }

    @Test
    void onAFreshStartALowerRankedNodeDefersToTheHeardPreferredCoordinatorForABoundedTime() {
        Node b = new Node(B, List.of());
        long ownTurn = START + CONFIG.electionTimeout().plus(CONFIG.electionStagger()).toMillis();
        long deferredUntil = ownTurn + Elections.DEFERRAL_ELECTION_TIMEOUTS * CONFIG.electionTimeout().toMillis();
        b.runUntil(deferredUntil - CONFIG.heartbeatInterval().toMillis(), 0, List.of(A, C));
        assertThat(b.asked()).as("node-a is heard and as up to date: node-b leaves it the election").isEmpty();
        b.runUntil(deferredUntil + CONFIG.heartbeatInterval().toMillis(), 0, List.of(A, C));
        assertThat(b.asked()).as("but not forever").isNotEmpty().allMatch(RequestVote::preVote);
    }

    @Test
    void onceACoordinatorWasSeenFailoverIsNotSlowedByTheFreshStartDeferral() {
        Node b = new Node(B, termLog(1, A));
        b.heartbeat(A, 1, 1, true);
        long lost = b.now;
        // node-a restarts without its role and keeps heartbeating as a plain member: node-b stands at its own time.
        b.runUntil(lost + CONFIG.electionTimeout().plus(CONFIG.electionStagger()).toMillis()
                + CONFIG.heartbeatInterval().toMillis(), 1, List.of(A, C));
        assertThat(b.asked()).isNotEmpty().allMatch(r -> r.preVote() && r.term() == 2);
        long firstAsk = b.now;
        assertThat(firstAsk - lost).isLessThanOrEqualTo(CONFIG.electionTimeout().plus(CONFIG.electionStagger()).toMillis()
                + CONFIG.heartbeatInterval().toMillis());
    }

    @Test
    void theWinnerAdoptsTheHighestCommittedStateAndReDrivesTheNewestPromiseOfTheNextVersion() {
        RoutingState old = AT_25.next(Weights.split("v1", "v2", 50), "v1", RolloutInfo.NONE, 1L << 32 | 2, 1);
        RoutingState newer = AT_25.next(Weights.split("v1", "v2", 0), "v1", RolloutInfo.NONE, 2L << 32 | 1, 2);
        Candidacy c = new Candidacy(3, false, 0);
        c.onReply(A, new RequestVoteReply(3, true, false, V1, Optional.empty(), 0, 0));
        c.onReply(B, new RequestVoteReply(3, true, false, AT_25,
                Optional.of(new Message.PreparedReport(1, old.txId(), old)), 0, 0));
        c.onReply(C, new RequestVoteReply(3, true, false, AT_25,
                Optional.of(new Message.PreparedReport(2, newer.txId(), newer)), 0, 0));
        c.onReply(C, new RequestVoteReply(4, true, false, V1, Optional.empty(), 0, 0)); // another round: not counted
        Candidacy.RecoveryPlan plan = c.recover();
        assertThat(plan.highestCommitted()).isEqualTo(AT_25);
        assertThat(plan.redrive()).hasValueSatisfying(p -> assertThat(p.proposed()).isEqualTo(newer));

        Candidacy aborted = new Candidacy(3, false, 0);
        aborted.onReply(A, new RequestVoteReply(3, true, false, AT_25,
                Optional.of(new Message.PreparedReport(2, newer.txId(), newer)), 0, 0));
        aborted.onReply(B, new RequestVoteReply(3, true, false, AT_25, Optional.empty(), newer.txId(), newer.version()));
        assertThat(aborted.recover().redrive()).as("aborted by its own coordinator, never promised later").isEmpty();
    }

    /**
     * Ballot ownership: term t belongs to the member of rank (t - 1) mod 3 (node-a 1, 4, ...; node-b 2, 5, ...;
     * node-c 3, 6, ...). A voter grants only the owner of the term asked about, so a wiped voter that forgot its
     * vote in a term cannot give that term to a second candidate (simulator seeds 60091, 57187, 1045579: two
     * coordinators in term 2). Fails with the rule off ({@code PlantedBug.ANY_NODE_STANDS_IN_ANY_TERM}).
     */
    @Test
    void aVoteGoesOnlyToTheOwnerOfTheTermAndACandidateStandsInItsOwnNextTerm() {
        Node b = new Node(B, termLog(1, A));
        assertThat(reply(b.receive(C, new RequestVote(2, 1, 0, true))).granted()).as("term 2 is node-b's").isFalse();
        assertThat(reply(b.receive(C, new RequestVote(2, 1, 0, false))).granted()).isFalse();
        assertThat(b.effects).doesNotContain(new Effect.Append(new LogRecord.TermVote(2, C), true));
        assertThat(reply(b.receive(C, new RequestVote(3, 1, 0, false))).granted()).as("term 3 is node-c's").isTrue();

        Node c = new Node(C, termLog(1, A));
        long stands = START + CONFIG.electionTimeout().toMillis() + 2 * CONFIG.electionStagger().toMillis();
        c.runUntil(stands + CONFIG.heartbeatInterval().toMillis(), 1, List.of());
        assertThat(c.asked()).as("nobody heard: node-c stands in its own next term, 3, not 2")
                .isNotEmpty().allMatch(r -> r.preVote() && r.term() == 3);
    }

    /**
     * Simulator seeds 1033121, 3015087: a wiped node-a, which had won term 3 with node-b's vote, heard only node-c
     * (node-b paused), and on the old timer fallback stood in term 3 again and reused its transaction ids. It neither
     * votes nor stands before it heard every member (whose terms then bound any term it won); under the planted timer
     * fallback it votes but still does not stand, unless {@code PlantedBug.AMNESIAC_STANDS_ON_FALLBACK} is planted too.
     */
    @Test
    void aNodeWithoutAnyTermStandsOnlyOnceItHeardEveryMember() {
        long pastFallback = START + Amnesia.PLANTED_FALLBACK_ELECTION_TIMEOUTS * CONFIG.electionTimeout().toMillis()
                + 2 * CONFIG.heartbeatInterval().toMillis();
        Node onTimer = new Node(A, List.of(), Set.of(PlantedBug.AMNESIA_FALLBACK_ON_TIMER));
        onTimer.runUntil(pastFallback, 2, List.of(C));
        assertThat(onTimer.asked()).as("node-b unheard: it may hold a term node-a won and forgot").isEmpty();
        assertThat(reply(onTimer.receive(C, new RequestVote(3, 1, 0, true))).granted()).as("it votes on the timer").isTrue();
        Node standing = new Node(A, List.of(), Set.of(PlantedBug.AMNESIA_FALLBACK_ON_TIMER, PlantedBug.AMNESIAC_STANDS_ON_FALLBACK));
        standing.runUntil(pastFallback + CONFIG.electionTimeout().toMillis(), 2, List.of(C));
        assertThat(standing.asked()).as("with the stand rule off too it stands in term 4, perhaps again").isNotEmpty();

        Node a = new Node(A, List.of());
        a.runUntil(longAfterStart(), 2, List.of(C));
        assertThat(a.asked()).as("node-b unheard").isEmpty();
        assertThat(reply(a.receive(C, new RequestVote(3, 1, 0, true))).granted()).as("nor does it vote").isFalse();

        a.heartbeat(B, 2, 1, false);
        a.runUntil(a.now + CONFIG.electionTimeout().toMillis() + CONFIG.heartbeatInterval().toMillis(), 2, List.of(C));
        assertThat(a.asked()).as("every member heard: it stands, in its next own term").isNotEmpty()
                .allMatch(r -> r.preVote() && r.term() == 4);
    }

    /**
     * Simulator seed 7000049 (LEASE, disk loss): wiped node-b adopted term 1 (vote unknown) and took a StateSync from
     * node-a while node-c (the term-3 coordinator it had voted for before its wipe) was paused, crashed, and restarted
     * as if it had lost nothing, for its log held a state besides the adopted term; it voted YES to node-a's term-1
     * Prepare. Now a log whose current term's vote is unknown restarts amnesiac until the node logs that it heard every
     * member ({@code TermVote.UNKNOWN_VOTE_AMNESIA_ENDED}: still never granted in that term).
     */
    @Test
    void aNodeRestartedAmnesiacStaysSoWhateverItLearnedUntilItLogsThatItHeardEveryMember() {
        RoutingState v2 = V1.next(Weights.split("v1", "v2", 5), "v1", RolloutInfo.NONE, 1L << 32 | 1, 5);
        List<LogRecord> learned = List.of(new LogRecord.TermVote(1, LogRecord.TermVote.UNKNOWN_VOTE), new LogRecord.Synced(v2));
        Node restarted = new Node(B, learned);
        restarted.heartbeat(A, 1, 2, false);
        assertThat(restarted.protocol.coordination(restarted.now).waitingFor()).as("still amnesiac").containsExactly(C);
        RoutingState v3 = v2.next(Weights.split("v1", "v2", 0), "v1", RolloutInfo.NONE, 1L << 32 | 2, 6);
        assertThat(Fx.sent(restarted.receive(A, new Message.Prepare(1, v3.txId(), v3)), Message.Vote.class))
                .singleElement().satisfies(v -> assertThat(v.yes()).as("no part in node-a's term").isFalse());

        List<Effect> heard = restarted.heartbeat(C, 1, 2, false);
        LogRecord.TermVote ended = new LogRecord.TermVote(1, LogRecord.TermVote.UNKNOWN_VOTE_AMNESIA_ENDED);
        assertThat(heard).contains(new Effect.Append(ended, true));
        assertThat(reply(restarted.receive(A, new RequestVote(1, 2, 1, false))).granted()).as("never in term 1").isFalse();

        List<LogRecord> afterwards = new ArrayList<>(learned);
        afterwards.add(ended);
        Node again = new Node(B, afterwards);
        assertThat(again.protocol.coordination(again.now).waitingFor()).as("amnesia ended before the restart").isEmpty();
        assertThat(reply(again.receive(A, new RequestVote(1, 2, 1, false))).granted()).as("still never in term 1").isFalse();
        assertThat(reply(again.receive(A, new RequestVote(4, 2, 1, false))).granted()).as("a newer term: votes at once").isTrue();

        // The rule off (planted AMNESIA_ENDED_BY_A_LEARNED_STATE, the rule before session 6): the synced state ends the
        // amnesia at the restart, and node-b gives the deposed term-1 node-a a YES it cannot fence (seed 7000049). A log
        // holding nothing but the adopted term stays amnesiac even then: the bug is exactly the rule ?heard replaced.
        Node planted = new Node(B, learned, Set.of(PlantedBug.AMNESIA_ENDED_BY_A_LEARNED_STATE));
        planted.heartbeat(A, 1, 2, false);
        assertThat(planted.protocol.coordination(planted.now).waitingFor()).as("taken as a node that lost nothing").isEmpty();
        assertThat(Fx.sent(planted.receive(A, new Message.Prepare(1, v3.txId(), v3)), Message.Vote.class))
                .singleElement().satisfies(v -> assertThat(v.yes()).as("a YES in a term it cannot fence").isTrue());
        Node plantedEmpty = new Node(B, termLog(1, LogRecord.TermVote.UNKNOWN_VOTE),
                Set.of(PlantedBug.AMNESIA_ENDED_BY_A_LEARNED_STATE));
        plantedEmpty.heartbeat(A, 1, 1, false);
        assertThat(plantedEmpty.protocol.coordination(plantedEmpty.now).waitingFor()).containsExactly(C);
    }

    /**
     * Simulator seeds 3034026 (AGREEMENT) and 3035498 (ATOMICITY): wiped node-b heard only the deposed term-1
     * coordinator node-a, whose term it could not fence (it forgot term 2), voted YES to its Prepare (node-a then
     * committed another version 3 than term 2 had) and logged and acknowledged its Abort (node-a would have told
     * its caller "failed" for a transaction term 2 committed). Until it heard every member such a node votes NO
     * about itself, neither logs nor acknowledges an Abort, echoes no heartbeat and takes no lease.
     * Fails with the rule off ({@code PlantedBug.AMNESIAC_JOINS_ANY_TERM}).
     */
    @Test
    void aNodeWithoutAnyTermTakesPartInNoTransactionUntilItHeardEveryMember() {
        Node b = new Node(B, List.of());
        b.receive(A, new Message.Heartbeat(1, 1, true, b.now, START, true, true));
        RoutingState proposed = V1.next(Weights.split("v1", "v2", 0), "v1", RolloutInfo.NONE, 1L << 32 | 3, 9);
        List<Effect> prepared = b.receive(A, new Message.Prepare(1, proposed.txId(), proposed));
        assertThat(Fx.sent(prepared, Message.Vote.class)).singleElement().satisfies(v -> {
            assertThat(v.yes()).isFalse();
            assertThat(v.refusal()).isEqualTo(Message.Refusal.BEHIND);
        });
        assertThat(prepared).noneMatch(e -> e instanceof Effect.Append a && a.record() instanceof LogRecord.Prepared);
        List<Effect> aborted = b.receive(A, new Message.Abort(1, 1L << 32 | 2, 2, "test"));
        assertThat(aborted).as("no ABORTED record, no AbortAck").isEmpty();
        List<Message.Heartbeat> beats = Fx.sent(b.protocol.onTimer(new Timer.HeartbeatTick(), b.now + 200), Message.Heartbeat.class);
        assertThat(beats).isNotEmpty().allMatch(h -> h.echo() == -1);
        assertThat(b.protocol.isReady()).as("no lease").isFalse();

        b.heartbeat(C, 1, 1, false);
        List<Effect> now = b.receive(A, new Message.Prepare(1, proposed.txId(), proposed));
        assertThat(Fx.sent(now, Message.Vote.class)).singleElement().satisfies(v -> assertThat(v.yes()).isTrue());
        assertThat(Fx.sent(b.protocol.onTimer(new Timer.HeartbeatTick(), b.now + 400), Message.Heartbeat.class))
                .isNotEmpty().anyMatch(h -> h.echo() >= 0);
    }
}
