package io.canary.internal.protocol;

import io.canary.log.LogRecord;
import io.canary.transport.Message.PreparedReport;
import java.lang.System.Logger.Level;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The amnesia rules of one {@link ProtocolNode} (see {@link Elections}' class comment and ARCHITECTURE.md): a node whose
 * log held no term may have voted in a term it forgot, so until it heard the other members it neither votes, stands
 * nor takes part in transactions; then, for a while, it is <em>recovering</em> and heeds the log positions peers
 * report. That recovery is durable ({@link LogRecord.Recovering}): a restart before it ran its course starts amnesiac
 * again, for what the node heard died with it while its log may still lack what it lost (simulator seeds 9209848,
 * 9420412). Split out of {@link Elections}, which asks it; the term and vote themselves are the node's {@link Terms}.
 * Not thread-safe: driven by the node's protocol thread only.
 */
final class Amnesia {
    /**
     * Only under the planted {@link PlantedBug#AMNESIA_FALLBACK_ON_TIMER}: the old timer fallback, after which a node
     * that heard a majority voted again without having heard every member. Gone since session 6: it could not tell a
     * member lost for good from one paused or cut off for that long, and voted for a candidate behind a record only
     * that member and this node's lost copy held (simulator seeds 3017518, 575921, 1045579, 1068010, 3098018).
     */
    static final int PLANTED_FALLBACK_ELECTION_TIMEOUTS = 5;
    /** How long (in election timeouts) a recovering node heeds the log positions peers reported (see {@link #recovering}). */
    static final int REPORT_WINDOW_ELECTION_TIMEOUTS = 5;
    /** After this many election timeouts amnesiac, the node's fail-safe reason and its WARNING tell the operator what to do. */
    static final int ADVICE_AFTER_ELECTION_TIMEOUTS = 5;
    /** The WARNING naming the members it waits for is repeated at most once per this many election timeouts. */
    static final int WARNING_EVERY_ELECTION_TIMEOUTS = 20;

    private final ProtocolNode node;
    /** A log without any term: a fresh node, or one whose data was lost (it may have voted before). */
    private boolean amnesiac;
    /**
     * Until when this node is recovering: it started on a log without any term and, when its amnesia
     * ended, learned that the cluster had a history (a term or a committed version beyond its own): its
     * data may have been lost, promises included, so it heeds the log positions peers report
     * (Elections' rule on reported log positions). A node of a fresh cluster (every member at term 0) lost nothing.
     */
    private long recoveringUntil = Long.MIN_VALUE;
    /** Until it heard every member: the members whose current term this node learned from a heartbeat. */
    private final Set<String> termKnown = new HashSet<>();
    /**
     * False from a start on a log without any term until this node heard every other member (whose terms are then
     * at most its own). Until then it does not stand, even once the fan-in rule (more than three members) lets it vote, unless no term at
     * all is known to it: it may have won a term it forgot, with a voter it has not heard, and standing again in it
     * would reuse that term and its transaction ids (simulator seeds 1033121, 1001667, 3015087).
     */
    private boolean heardEveryMember;
    /**
     * The log's recovery is pending: a {@link LogRecord.Recovering} not done is its last (logged when amnesia ended
     * recovering, or replayed at this start), so a restart now starts amnesiac again. Cleared, durably, once the
     * recovering window ran its course in one incarnation.
     */
    private boolean recoveryPending;
    /** Amnesiac at this start only because the log's recovery is pending (its log held a term with a known vote). */
    private final boolean onlyRecoveryPending;
    private long startedAt;
    private long warnedAt = Long.MIN_VALUE;

    /**
     * @param lostLog the log holds no term, or its current vote is unknown: the node lost its data (again)
     * @param recoveryPending the log's last {@link LogRecord.Recovering} is not done: amnesiac again too
     */
    Amnesia(ProtocolNode node, boolean lostLog, boolean recoveryPending) {
        this.node = node;
        this.amnesiac = lostLog || recoveryPending;
        this.heardEveryMember = !amnesiac;
        this.recoveryPending = recoveryPending;
        this.onlyRecoveryPending = !lostLog && recoveryPending;
    }

    /** The node starts at {@code now}: the fan-in rule and the operator's advice count from here. */
    void start(long now) {
        startedAt = now;
        if (node.planted().contains(PlantedBug.RECOVERY_FORGOTTEN_ON_RESTART)) {
            forgetRecovery();
        }
    }

    /** True once this node heard every other member since a start on a log without any term (or never had amnesia). */
    boolean heardEveryMember() {
        return heardEveryMember;
    }

    /**
     * True while this node heeds the log positions peers report: for {@link #REPORT_WINDOW_ELECTION_TIMEOUTS} election
     * timeouts after its amnesia ended recovering, and after that for as long as some peer's newest report, however
     * old, is of a position its own log does not reach (session 8, limit (e) closed): that peer may hold the only
     * surviving copy of a promise a commit was decided on with this node's lost YES, and fell silent (paused, cut off)
     * after this node heard it. It ends once its own log covers every such report: it then holds the promise (or a
     * newer one of its version) or a commit at or past it, which a majority-backed coordinator drove here.
     */
    boolean recovering(long now) {
        if (now < recoveringUntil) {
            return true;
        }
        return recoveringUntil != Long.MIN_VALUE && !node.planted().contains(PlantedBug.RECORDED_REPORTS_LAPSE)
                && node.membership().reportedAheadEver(node.participant().lastVersion(), node.participant().lastTerm(),
                        ownCommitted());
    }

    /**
     * True if this node is recovering and a peer reported a log position ahead of {@code (version, term)} and past
     * the version this node holds committed (session 10: its commit covers every promise of that version or an older
     * one, see {@code Membership.Position#aheadOf}; a candidate it votes for adopts that commit from its vote reply,
     * and its own candidacy holds it already). The promise
     * behind that position may be one a commit was decided on with this node's own YES, lost with its disk: a
     * candidate without it, elected with this node's vote, could propose another state under that version. The
     * reporter, ahead, can win itself. No report lapses (session 8: a holder heard once and silent since is not taken
     * as lost, seed 12000001); only the planted {@link PlantedBug#RECORDED_REPORTS_LAPSE} ignores reports older than
     * {@link #reportWindow}. Only for a recovering node: one that kept its log holds its own promises, and Raft's
     * up-to-date rule on its own log suffices; holding everyone's vote back behind any ahead peer would let one peer
     * that cannot win (its disk fails) stop every election. That such a peer cannot stop a recovering node's
     * elections either is the relay's job ({@link #relayedFor}).
     */
    boolean behindReported(long version, long term, long now) {
        if (!recovering(now)) {
            return false;
        }
        if (node.planted().contains(PlantedBug.RECORDED_REPORTS_LAPSE)) {
            return node.membership().reportedAhead(version, term, ownCommitted(), now, reportWindow());
        }
        return node.membership().reportedAheadEver(version, term, ownCommitted());
    }

    /**
     * The highest version this node holds committed, which covers every report of a version at or below it (see
     * {@code Membership.Position#aheadOf}); -1 under the planted {@link PlantedBug#COMMIT_DOES_NOT_COVER_REPORTS}.
     */
    private long ownCommitted() {
        return node.planted().contains(PlantedBug.COMMIT_DOES_NOT_COVER_REPORTS) ? -1 : node.participant().committed().version();
    }

    /**
     * The promises this node hands on in a vote reply to {@code candidate}: while it recovers, those other peers
     * reported ahead of its own log (they hold it back, {@link #behindReported}). A candidate that takes them into its
     * recovery round asks again with their position and is granted, so a holder that never answers (its disk fails,
     * it crash-loops: simulator seed 6696) cannot stop elections, and no timer is needed. Each is a fact about its
     * holder's log, never this node's own acceptance.
     */
    List<PreparedReport> relayedFor(String candidate, long now) {
        if (!recovering(now)) {
            return List.of();
        }
        return node.membership().promisesAhead(node.participant().lastVersion(), node.participant().lastTerm(), ownCommitted(),
                candidate);
    }

    /**
     * Amnesia ends: from now on it votes, as recovering or not. Only when it heard every member
     * (so every holder's position) in a cluster where everyone heartbeats everyone: after the fan-in rule, or
     * with heartbeats fanning in, it may never hear the holder, the rule would prove nothing there (known
     * limits (c), (d)), and it would only hold elections back (simulator seed 542382: five members, fresh
     * nodes leaving amnesia after node-a's election, holding their votes back for a node whose disk fails).
     */
    private void endAmnesia(boolean heardEveryMember, long now, List<Effect> out) {
        amnesiac = false;
        boolean recovering = heardEveryMember && node.membership().members().size() <= Succession.WARM_SUCCESSORS + 1
                && (node.terms().current() > 0
                    || node.membership().highestReportedVersion() > node.participant().committed().version());
        recoveringUntil = recovering ? now + reportWindow() : Long.MIN_VALUE;
        // (Not under the planted bug, so that its runs keep main's effects, and a seed fails as it was found.)
        if (recovering != recoveryPending && !node.planted().contains(PlantedBug.RECOVERY_FORGOTTEN_ON_RESTART)) {
            // Before "?heard": a restart from here until the window ran its course is amnesiac again, whatever term and
            // vote the node logs meanwhile (its own candidacy, a vote): the positions it heard die with it.
            out.add(new Effect.Append(new LogRecord.Recovering(!recovering), true));
            recoveryPending = recovering;
        }
        if (Terms.UNKNOWN_VOTE.equals(node.terms().votedFor())) {
            // Durably: a restart from here on is not amnesiac again on this account (see
            // Recovery#holdsOnlyAnAdoptedTerm). Still never granted in this term.
            String ended = LogRecord.TermVote.UNKNOWN_VOTE_AMNESIA_ENDED;
            out.add(new Effect.Append(new LogRecord.TermVote(node.terms().current(), ended), true));
            node.terms().vote(ended);
        }
    }

    /** Once the recovering window ran its course in this incarnation: durably, a restart is no longer amnesiac. */
    private void endRecoveryOnceLapsed(long now, List<Effect> out) {
        if (recoveryPending && !amnesiac && !recovering(now)) {
            out.add(new Effect.Append(new LogRecord.Recovering(true), true));
            recoveryPending = false;
        }
    }

    /** True while a restart would start amnesiac again on account of this node's pending recovery (see the field). */
    boolean recoveryPending() {
        return recoveryPending;
    }

    /**
     * Test-only ({@link PlantedBug#RECOVERY_FORGOTTEN_ON_RESTART}): a restart during the recovery is taken as one
     * that forgot nothing, the rule before seeds 9209848 and 9420412 (the recovering state lived in memory only).
     */
    void forgetRecovery() {
        if (onlyRecoveryPending) {
            amnesiac = false;
            heardEveryMember = true;
        }
        recoveryPending = false;
    }

    /** The rule's reach: {@link #REPORT_WINDOW_ELECTION_TIMEOUTS} election timeouts (7.5 s with the defaults). */
    long reportWindow() {
        return REPORT_WINDOW_ELECTION_TIMEOUTS * node.config().electionTimeout().toMillis();
    }

    /**
     * Test-only ({@link PlantedBug#AMNESIA_FORGOTTEN_ON_RESTART}): a log whose current term was adopted with its
     * vote unknown is taken as one that forgot nothing, the rule before seed 3098018.
     */
    void forget() {
        amnesiac = false;
    }

    /** True until this node, whose log held no term, has learned the current term of every other member. */
    boolean active() {
        return amnesiac;
    }

    /**
     * True once this node can fence a deposed coordinator: its log held a term, or it heard the terms of at least
     * {@code N - majority + 1} other members since it started (every other member of three; three of five). Any term
     * in which a coordinator was elected before this node's data was lost was adopted by a majority, and that many
     * others always include one of them besides this node, so this node's term is at least that term. (Heartbeats fan
     * in beyond three members, so a member may never hear every other; it hears the hubs, three of them.)
     */
    boolean fencesTerms() {
        int members = node.membership().members().size();
        return !amnesiac || heardEveryMember || termKnown.size() >= members - node.membership().majority() + 1;
    }

    /** A heartbeat of {@code from} arrived and its term was adopted if newer: this node knows {@code from}'s term. */
    void learnedTermOf(String from, long now, List<Effect> out) {
        if (heardEveryMember || from.equals(node.selfId())) {
            return;
        }
        termKnown.add(from);
        if (termKnown.size() >= node.membership().members().size() - 1) {
            heardEveryMember = true;
            if (!amnesiac) {
                return; // it votes already (the fan-in rule); from now on it may stand too
            }
            endAmnesia(true, now, out);
            out.add(new Effect.Log(Level.INFO, node.selfId() + " started without any term in its log and has now heard"
                    + " every member: it votes again, in terms after " + node.terms().current()));
        }
    }

    /**
     * True while amnesiac. With more members than {@link Succession#WARM_SUCCESSORS} + 1, heartbeats
     * fan in (a member hears only the coordinator and its warm successors), so "heard every member"
     * may never happen: there the node also leaves amnesia two election timeouts after its start (the
     * earlier rule, a stated residual risk in ARCHITECTURE.md); the three-node reference layout keeps
     * the strict rule: no timer ends amnesia there, only hearing every member (a member lost for good is replaced by
     * the operator: a node started under its name on an empty data dir, see {@link #waitingFor}).
     */
    boolean stillAmnesiac(long now, List<Effect> out) {
        if (!amnesiac) {
            return false;
        }
        long since = now - startedAt;
        long timeout = node.config().electionTimeout().toMillis();
        if (node.membership().members().size() > Succession.WARM_SUCCESSORS + 1 && since >= 2 * timeout) {
            endAmnesia(false, now, out);
            out.add(new Effect.Log(Level.INFO, node.selfId() + " started without any term in its log; with heartbeats"
                    + " fanning in it votes again after two election timeouts, in terms after " + node.terms().current()));
        } else if (node.planted().contains(PlantedBug.AMNESIA_FALLBACK_ON_TIMER) && since >= PLANTED_FALLBACK_ELECTION_TIMEOUTS * timeout
                && termKnown.size() + 1 >= node.membership().majority()) {
            // The rule before session 6 (planted only): taking a member unheard for 5 election timeouts as lost for good.
            endAmnesia(false, now, out);
        }
        return amnesiac;
    }

    /**
     * Every heartbeat tick: ends a recovery whose window ran its course (durably), ends amnesia where a rule allows
     * it, and while it lasts past {@link
     * #ADVICE_AFTER_ELECTION_TIMEOUTS} election timeouts logs a WARNING naming the members it waits for, at most once
     * per {@link #WARNING_EVERY_ELECTION_TIMEOUTS} election timeouts.
     */
    void onTick(long now, List<Effect> out) {
        endRecoveryOnceLapsed(now, out);
        if (!stillAmnesiac(now, out) || !adviceDue(now) || waitingFor().isEmpty()) {
            return;
        }
        long every = WARNING_EVERY_ELECTION_TIMEOUTS * node.config().electionTimeout().toMillis();
        if (warnedAt == Long.MIN_VALUE || now - warnedAt >= every) {
            warnedAt = now;
            out.add(new Effect.Log(Level.WARNING, node.selfId() + ": " + problem(now)));
        }
    }

    private boolean adviceDue(long now) {
        return now - startedAt >= ADVICE_AFTER_ELECTION_TIMEOUTS * node.config().electionTimeout().toMillis();
    }

    /**
     * The members this node waits to hear before it votes, stands or takes part in anything: empty unless amnesiac, and
     * empty beyond three members, where heartbeats fan in and amnesia ends after two election timeouts anyway (listing
     * a thousand members on every event would cost O(N) per event for nothing the operator must do).
     */
    List<String> waitingFor() {
        if (!amnesiac || node.membership().members().size() > Succession.WARM_SUCCESSORS + 1) {
            return List.of();
        }
        List<String> out = new java.util.ArrayList<>();
        for (String m : node.membership().members()) {
            if (!m.equals(node.selfId()) && !termKnown.contains(m)) {
                out.add(m);
            }
        }
        return List.copyOf(out);
    }

    /** Why this node routes fail-safe while amnesiac, with the operator's remedy once it has waited a while; "" if not amnesiac. */
    String problem(long now) {
        List<String> waiting = waitingFor();
        if (waiting.isEmpty()) {
            return "";
        }
        String names = String.join(", ", waiting);
        String text = "amnesiac (empty or restored log): waiting to hear " + names + " before it votes or serves the canary";
        if (!adviceDue(now)) {
            return text;
        }
        return text + (waiting.size() == 1
                ? ": start " + names + ", or replace it by starting a node named " + names + " on an empty data dir"
                : ": start them, or replace each by starting a node under its name on an empty data dir");
    }
}
