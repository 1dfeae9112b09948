package io.canary.internal.protocol;

import io.canary.log.LogRecord;
import io.canary.transport.Message;
import io.canary.transport.Message.RequestVote;
import io.canary.transport.Message.RequestVoteReply;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * Elections, Raft style, for one {@link ProtocolNode}: when to stand, how to vote, when a candidate
 * won. A node stands once it has had no two-way contact with its term's coordinator for the election
 * timeout plus one stagger per rank in the preferred order (so one successor stands first and
 * node-a, rank 0, first of all at a fresh start), with a pre-vote that changes nobody's term. A
 * vote is granted once per term (durably), only to a candidate at least as up to date (its newest
 * version, then that version's term) and not behind a committed version a peer reported to the
 * voter, and never while the voter has a live coordinator, so a node that merely lost its own link
 * does not disrupt the others.
 *
 * <p><b>Who coordinates a fresh cluster.</b> Until this node has seen a coordinator of any term
 * since it started, a candidate defers to a member before it in the preferred order that it heard
 * within the peer timeout and that is at least as up to date (it would win the vote anyway), for at
 * most {@link #DEFERRAL_ELECTION_TIMEOUTS} election timeouts (7.5 s with the defaults: longer than the
 * socket transport's 5 s reconnect backoff cap, which is how long node-a, started last, may wait to
 * hear the others): so node-a coordinates a fresh start of the reference layout however the
 * processes' start-up times fall, and a failover (a coordinator was seen) is never slowed.
 *
 * <p><b>Amnesia.</b> A node whose log holds no term (new, or its data was lost) may have voted in a
 * term it forgot. Until it has heard a heartbeat (which carries the sender's current term) from every
 * other member since it started, it neither votes nor stands, and every term it adopts meanwhile is
 * logged with its vote {@linkplain Terms#UNKNOWN_VOTE unknown}. Once it heard them all, its term is at
 * least the highest term of every member, which is at least any term it can have voted in (a
 * candidate logs its term before it asks for votes); its vote in that term stays unknown, so it votes
 * only in newer terms, which nobody can have asked it before. No timer ends it in a cluster of up to three (session 6):
 * a member lost for good is replaced by the operator (a node started under its name on an empty data dir), and
 * meanwhile the node stays fail-safe and says whom it waits for ({@link #waitingFor}). See ARCHITECTURE.md.
 *
 * <p>Owns the election state of the node (its rank, the candidacy under way, when it may stand
 * next, its amnesia); the term and vote themselves are the node's {@link Terms}.
 * Not thread-safe: driven by the node's protocol thread only.
 */
final class Elections {

    /** How many election timeouts a node defers to a preferred peer at most (see the class comment). */
    static final int DEFERRAL_ELECTION_TIMEOUTS = 5;
    /** See {@link Amnesia#REPORT_WINDOW_ELECTION_TIMEOUTS}. */
    static final int REPORT_WINDOW_ELECTION_TIMEOUTS = Amnesia.REPORT_WINDOW_ELECTION_TIMEOUTS;
    /** See {@link Amnesia#PLANTED_FALLBACK_ELECTION_TIMEOUTS} (the planted bug only). */
    static final int PLANTED_FALLBACK_ELECTION_TIMEOUTS = Amnesia.PLANTED_FALLBACK_ELECTION_TIMEOUTS;

    private final ProtocolNode node;
    private final int rank;
    private final List<String> order;
    private final Amnesia amnesia;
    /** A coordinator of any term was seen since this node started: no more deferring to the preferred order. */
    private boolean coordinatorSeen;
    private long deferringSince = Long.MIN_VALUE;
    private Candidacy candidacy;
    private long nextStandAt;

    Elections(ProtocolNode node, String selfId, List<String> members, String preferredCoordinator, boolean lostLog,
              boolean recoveryPending) {
        this.node = node;
        this.order = electionOrder(members, preferredCoordinator);
        this.rank = Math.max(0, order.indexOf(selfId));
        this.amnesia = new Amnesia(node, lostLog && members.size() > 1, recoveryPending && members.size() > 1);
    }


    /** The preferred coordinator first, then the other members in member order. */
    static List<String> electionOrder(List<String> members, String preferredCoordinator) {
        List<String> order = new ArrayList<>();
        order.add(preferredCoordinator);
        for (String m : members) {
            if (!m.equals(preferredCoordinator)) {
                order.add(m);
            }
        }
        return order;
    }

    int rank() {
        return rank;
    }

    /**
     * <b>Ballot ownership</b> (Paxos's partitioned ballots): term {@code t >= 1} belongs to the member of rank
     * {@code (t - 1) mod N} in the election order, so node-a owns terms 1, N+1, ..., node-b 2, N+2, ... A node
     * stands only in a term it owns, and a voter grants only the owner of the term asked about. Then two
     * different nodes can never both win one term, whatever votes a voter forgot with its disk (simulator seeds
     * 60091, 57187, 1045579: a wiped voter granted a second candidate in the term it had voted in), and
     * {@code term << 32 | seq} transaction ids of different coordinators never collide.
     */
    String ownerOf(long term) {
        return term < 1 ? "" : order.get((int) Math.floorMod(term - 1, (long) order.size()));
    }

    /** The smallest term above {@code above} that this node owns (see {@link #ownerOf}). */
    long nextOwnedTerm(long above) {
        if (node.planted().contains(PlantedBug.ANY_NODE_STANDS_IN_ANY_TERM)) {
            return above + 1;
        }
        return above + 1 + Math.floorMod(rank - above, (long) order.size());
    }

    /** True if {@code from} may stand in {@code term}: it owns it. */
    private boolean owns(String from, long term) {
        return from.equals(ownerOf(term)) || node.planted().contains(PlantedBug.ANY_NODE_STANDS_IN_ANY_TERM);
    }

    /**
     * The node starts at {@code now}. Never coordinating on from a previous life: a restarted
     * coordinator is a member until elected again. A fresh cluster's preferred coordinator stands
     * at once; anyone else, and any node that remembers a term, first waits for a coordinator to
     * show itself.
     */
    void start(long now) {
        amnesia.start(now);
        // At once only in a fresh cluster (no term anywhere): a node-a restarted amnesiac in a later term waits.
        long wait = node.membership().members().size() == 1 || (amnesia.active() && rank == 0 && node.terms().current() == 0) ? 0
                : node.config().electionTimeout().toMillis() + rank * node.config().electionStagger().toMillis();
        nextStandAt = now + wait;
    }




    /** See {@link Amnesia#forget}. */
    void forgetAmnesia() {
        amnesia.forget();
    }

    /** What a checkpoint must keep of the elections' state besides the term and vote: a pending recovery. */
    List<LogRecord> checkpointRecords() {
        return amnesia.recoveryPending() ? List.of(new LogRecord.Recovering(false)) : List.of();
    }

    /** True until this node, whose log held no term, has learned the current term of every other member. */
    boolean amnesiac() {
        return amnesia.active();
    }

    /** See {@link Amnesia#waitingFor}. */
    List<String> waitingFor() {
        return amnesia.waitingFor();
    }

    /** See {@link Amnesia#problem}. */
    String amnesiaProblem(long now) {
        return amnesia.problem(now);
    }

    /** See {@link Amnesia#fencesTerms}. */
    boolean fencesTerms() {
        return amnesia.fencesTerms();
    }

    /** A heartbeat of {@code from} arrived and its term was adopted if newer: this node knows {@code from}'s term. */
    void learnedTermOf(String from, long now, List<Effect> out) {
        amnesia.learnedTermOf(from, now, out);
    }

    /**
     * Every heartbeat tick: lets the fan-in rule end amnesia even while a live coordinator keeps this node from
     * standing (a node that does not stand never reached the check otherwise, and while amnesiac it takes part in no
     * transaction and takes no lease: see {@code ProtocolNode#fenceless}), and tells the operator whom it waits for.
     */
    void onTick(long now, List<Effect> out) {
        amnesia.onTick(now, out);
    }

    /** A coordinator (of any term) showed itself, or this node became one. */
    void coordinatorSeen() {
        coordinatorSeen = true;
    }

    /** Drops the candidacy under way (a newer term, a coordinator of this term showed itself, or it won). */
    void cancel() {
        candidacy = null;
    }

    void maybeStand(long now, List<Effect> out) {
        Terms terms = node.terms();
        long window = node.config().electionTimeout().toMillis() + rank * node.config().electionStagger().toMillis();
        String coordinator = terms.coordinator();
        if (!coordinator.isEmpty() && terms.lastContactWithCoordinator() != Long.MIN_VALUE
                && now - terms.lastContactWithCoordinator() <= window) {
            return;
        }
        if (!coordinator.isEmpty() && terms.lastHeardCoordinator() != Long.MIN_VALUE
                && now - terms.lastHeardCoordinator() < window && node.membership().inContactCount(now, window) <= 1
                && node.membership().members().size() > 1) {
            // Hearing the coordinator but proving nothing two-way with anyone: our sends are lost; standing would only add noise.
            return;
        }
        if (now < nextStandAt || amnesia.stillAmnesiac(now, out)
                || (rank != 0 && node.planted().contains(PlantedBug.ONLY_PREFERRED_STANDS))) {
            return;
        }
        if (!amnesia.heardEveryMember() && terms.current() > 0 && node.membership().members().size() <= Succession.WARM_SUCCESSORS + 1
                && !node.planted().contains(PlantedBug.AMNESIAC_STANDS_ON_FALLBACK)) {
            // Voting without having heard every member (since session 6 only under a planted bug: the timer fallback or
            // a forgotten amnesia), but not standing: see heardEveryMember. Only where everyone heartbeats everyone:
            // beyond three members a member may never hear every other (fan-in, known limit (c)), and holding every
            // amnesiac node back from standing there stopped elections (simulator seed 4073573, five members, one lost).
            return;
        }
        if (deferToPreferred(now)) {
            return;
        }
        nextStandAt = now + (rank + 1) * node.config().electionStagger().toMillis();
        boolean relays = !node.planted().contains(PlantedBug.RELAYED_PROMISES_IGNORED);
        Candidacy pre = new Candidacy(nextOwnedTerm(terms.current()), true, now, List.of(), List.of(), true, relays);
        candidacy = pre;
        pre.onReply(node.selfId(), ownReply(pre.term(), true, now));
        pre.asked(node.participant().lastVersion(), node.participant().lastTerm());
        RequestVote ask = new RequestVote(pre.term(), node.participant().lastVersion(), node.participant().lastTerm(), true);
        sendToOthers(ask, out);
        checkMajority(now, out);
    }

    void onRequestVote(String from, RequestVote rv, long now, List<Effect> out) {
        Terms terms = node.terms();
        Participant p = node.participant();
        boolean upToDate = rv.lastVersion() > p.lastVersion()
                || (rv.lastVersion() == p.lastVersion() && rv.lastTerm() >= p.lastTerm());
        // Nor for a candidate behind a version a peer reported committed: its recovery round could not hold the
        // cluster's newest state (simulator, disk loss: a wiped node's vote elected an older coordinator).
        boolean amnesiaBars = amnesia.stillAmnesiac(now, out) && !node.planted().contains(PlantedBug.AMNESIAC_VOTES_AT_ONCE);
        boolean behindReported = rv.lastVersion() < node.membership().highestReportedVersion()
                && !node.planted().contains(PlantedBug.VOTE_FOR_CANDIDATE_BEHIND_REPORTED_COMMIT);
        // Nor for a candidate behind the log position (newest promise, else commit) a peer reported: that peer may
        // hold a promise a commit was decided on, with this node's copy lost with its disk (simulator seeds 334040,
        // 375153: a wiped voter elected a candidate without it, whose recovery round chose another state).
        boolean behindLog = behindReportedLog(rv, now) && !node.planted().contains(PlantedBug.VOTE_FOR_CANDIDATE_BEHIND_REPORTED_LOG);
        // And only for the owner of the term it asks (ballot ownership, see ownerOf): a wiped voter that forgot its
        // vote in a term can then give the same term to nobody else.
        boolean mayVote = !amnesiaBars && !behindReported && !behindLog && owns(from, rv.term());
        boolean live = node.hasLiveCoordinator(now) && !from.equals(terms.coordinator());
        if (rv.preVote()) {
            boolean grant = rv.term() > terms.current() && !live && upToDate && mayVote;
            // Granted or not, the reply carries this node's recovery report: a candidate whose pre-vote meets a promise
            // it lacks takes it into its recovery round, and asks its votes with that position (see checkMajority).
            out.add(new Effect.Send(from, new RequestVoteReply(grant ? rv.term() : terms.current(), grant, true,
                    p.committed(), p.preparedReport(), p.abortedTxId(), p.abortedVersion(), amnesia.relayedFor(from, now))));
            return;
        }
        if (rv.term() < terms.current()) {
            out.add(new Effect.Send(from, reply(terms.current(), false, false, from, now)));
            return;
        }
        if (live) {
            return; // a live coordinator: not even the term changes (no disruption)
        }
        boolean free = rv.term() > terms.current() || terms.votedFor().isEmpty() || terms.votedFor().equals(from)
                || node.planted().contains(PlantedBug.FORGET_VOTE_ON_RESTART);
        boolean grant = free && upToDate && mayVote;
        if (rv.term() > terms.current()) {
            node.adoptTerm(rv.term(), grant ? from : "", out);
        } else if (grant && !terms.votedFor().equals(from)) {
            out.add(new Effect.Append(new LogRecord.TermVote(rv.term(), from), true));
        }
        if (grant) {
            terms.vote(from);
            // Durable before this reply (the append above runs first): a restarted node never votes twice.
            out.add(new Effect.Send(from, reply(rv.term(), true, false, from, now)));
        } else {
            out.add(new Effect.Send(from, reply(terms.current(), false, false, from, now)));
        }
    }

    /** See {@link Amnesia#behindReported}: safety (4b) for a candidate's log position. */
    private boolean behindReportedLog(RequestVote rv, long now) {
        return amnesia.behindReported(rv.lastVersion(), rv.lastTerm(), now);
    }

    void onReply(String from, RequestVoteReply reply, long now, List<Effect> out) {
        if (candidacy == null) {
            return;
        }
        Candidacy c = candidacy;
        c.onReply(from, reply);
        if (c.isPreVote() && !node.planted().contains(PlantedBug.RECOVERY_IGNORES_REFUSALS)) {
            long[] newest = c.newestPosition(node.participant().lastVersion(), node.participant().lastTerm());
            if (c.askedBehind(newest[0], newest[1])) {
                // A reply showed a newer promise than this node holds (the peer that holds it may be unable to win:
                // its disk fails): the pre-vote asks again with it, for this candidate's recovery round now has it.
                c.asked(newest[0], newest[1]);
                sendToOthers(new RequestVote(c.term(), newest[0], newest[1], true), out);
            }
        }
        checkMajority(now, out);
    }

    private void checkMajority(long now, List<Effect> out) {
        Candidacy c = candidacy;
        if (c == null || c.grantedCount() < node.membership().majority()) {
            return;
        }
        long[] newest = c.newestPosition(node.participant().lastVersion(), node.participant().lastTerm());
        if (amnesia.behindReported(newest[0], newest[1], now) && !node.planted().contains(PlantedBug.VOTE_FOR_CANDIDATE_BEHIND_REPORTED_LOG)) {
            // The same rule for this node's own vote: a recovering node is one vote of its majority, and its
            // candidacy lacks a promise a peer reported (simulator seed 552414: wiped node-a stood, won with node-b
            // and proposed another version 3 while node-c, cut off, held the promise version 3 was decided on).
            candidacy = null;
            return;
        }
        if (newest[0] < node.membership().highestReportedVersion()
                && !node.planted().contains(PlantedBug.CANDIDATE_IGNORES_REPORTED_COMMIT)) {
            // Safety (4a) for this node's own vote too, without (4b)'s lapse: it refuses any other candidate behind a
            // committed version a peer reported, so it must not elect itself behind one (simulator seed 9437954: wiped
            // node-a heard node-c's committed abort, v4, then node-c paused past (4b)'s window, and node-a won with
            // node-b at v3, serving 25% again). Without disk loss this never fires: a majority meets the commit's.
            candidacy = null;
            return;
        }
        if (c.relayedBeyondReach() && !node.planted().contains(PlantedBug.RELAYED_PROMISE_GAP_IGNORED)) {
            // A relayed promise of a version past the highest committed state this round found plus one: the states
            // between are held only by its silent holder (and a lost copy), so this candidate could neither re-drive it
            // nor keep its version's commit (simulator seed 12000001). It waits (pre-vote: no term is spent on it).
            candidacy = null;
            return;
        }
        if (c.isPreVote()) {
            long term = nextOwnedTerm(node.terms().current());
            node.adoptTerm(term, node.selfId(), out);
            out.add(new Effect.Log(Level.INFO, node.selfId() + " stands for election in term " + term));
            // The real round keeps what the pre-vote heard: a promise a peer reported (granted or not, say from a peer
            // whose disk fails, which can never win itself) is in this candidate's recovery round, so it asks with
            // that position, and a recovering voter holding its vote back for that promise grants it.
            boolean heardToo = !node.planted().contains(PlantedBug.RECOVERY_IGNORES_REFUSALS);
            Candidacy real = new Candidacy(term, false, now, heardToo ? c.reports() : List.of(),
                    heardToo ? c.relayed() : List.of(), heardToo, !node.planted().contains(PlantedBug.RELAYED_PROMISES_IGNORED));
            candidacy = real;
            real.onReply(node.selfId(), ownReply(term, false, now));
            long[] position = real.newestPosition(node.participant().lastVersion(), node.participant().lastTerm());
            sendToOthers(new RequestVote(term, position[0], position[1], false), out);
            checkMajority(now, out);
        } else {
            candidacy = null;
            node.becomeCoordinator(c, now, out);
        }
    }

    /**
     * True while this node should leave the election to a member before it in the preferred order:
     * no coordinator seen since the start, that member heard within the peer timeout and at least as
     * up to date as this node, for at most {@link #DEFERRAL_ELECTION_TIMEOUTS} election timeouts (the
     * bound keeps elections live whatever that member does).
     */
    private boolean deferToPreferred(long now) {
        if (coordinatorSeen) {
            return false;
        }
        Membership membership = node.membership();
        long window = node.config().peerTimeout().toMillis();
        for (String peer : order.subList(0, rank)) {
            if (membership.heardWithin(peer, now, window)
                    && membership.reportedVersion(peer) >= node.participant().lastVersion()) {
                if (deferringSince == Long.MIN_VALUE) {
                    deferringSince = now;
                }
                return now - deferringSince < DEFERRAL_ELECTION_TIMEOUTS * node.config().electionTimeout().toMillis()
                        || node.planted().contains(PlantedBug.DEFERENCE_UNCAPPED);
            }
        }
        return false;
    }

    private RequestVoteReply ownReply(long term, boolean preVote, long now) {
        return reply(term, true, preVote, node.selfId(), now);
    }

    /**
     * This node's vote reply: granted or not, it carries the voter's report, a fact about its log that the candidate's
     * recovery may use, and while the voter recovers the promises it relays ({@link Amnesia#relayedFor}).
     */
    private RequestVoteReply reply(long term, boolean granted, boolean preVote, String candidate, long now) {
        Participant p = node.participant();
        return new RequestVoteReply(term, granted, preVote, p.committed(), p.preparedReport(), p.abortedTxId(),
                p.abortedVersion(), amnesia.relayedFor(candidate, now));
    }

    private void sendToOthers(Message message, List<Effect> out) {
        for (String member : node.membership().members()) {
            if (!member.equals(node.selfId())) {
                out.add(new Effect.Send(member, message));
            }
        }
    }
}
