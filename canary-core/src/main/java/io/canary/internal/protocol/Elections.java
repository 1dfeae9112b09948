package io.canary.internal.protocol;

import io.canary.log.LogRecord;
import io.canary.transport.Message;
import io.canary.transport.Message.RequestVote;
import io.canary.transport.Message.RequestVoteReply;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Elections, Raft style, for one {@link ProtocolNode}: when to stand, how to vote, when a candidate
 * won. A node stands once it has had no two-way contact with its term's coordinator for the election
 * timeout plus one stagger per rank in the preferred order (so one successor stands first and
 * node-a, rank 0, first of all at a fresh start), with a pre-vote that changes nobody's term. A
 * vote is granted once per term (durably), only to a candidate at least as up to date (its newest
 * version, then that version's term), and never while the voter has a live coordinator, so a node
 * that merely lost its own link does not disrupt the others.
 *
 * <p>Owns the election state of the node (its rank, the candidacy under way, when it may stand
 * next, whom it heard since it started); the term and vote themselves are the node's {@link Terms}.
 * Not thread-safe: driven by the node's protocol thread only.
 */
final class Elections {

    private final ProtocolNode node;
    private final int rank;
    /** A log without any term: a fresh node, or one whose data was lost (it may have voted before). */
    private final boolean amnesiac;
    private final Set<String> heardFrom = new HashSet<>();
    private Candidacy candidacy;
    private long nextStandAt;
    private long startedAt;

    Elections(ProtocolNode node, String selfId, List<String> members, String preferredCoordinator, boolean amnesiac) {
        this.node = node;
        this.rank = Math.max(0, electionOrder(members, preferredCoordinator).indexOf(selfId));
        this.amnesiac = amnesiac;
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
     * The node starts at {@code now}. Never coordinating on from a previous life: a restarted
     * coordinator is a member until elected again. A fresh cluster's preferred coordinator stands
     * at once; anyone else, and any node that remembers a term, first waits for a coordinator to
     * show itself.
     */
    void start(long now) {
        startedAt = now;
        long wait = node.membership().members().size() == 1 || (amnesiac && rank == 0) ? 0
                : node.config().electionTimeout().toMillis() + rank * node.config().electionStagger().toMillis();
        nextStandAt = now + wait;
    }

    /** {@code from} sent a protocol message (one that carries a term). */
    void heard(String from) {
        heardFrom.add(from);
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
        if (now < nextStandAt) {
            return;
        }
        nextStandAt = now + (rank + 1) * node.config().electionStagger().toMillis();
        Candidacy pre = new Candidacy(terms.current() + 1, true, now);
        candidacy = pre;
        pre.onReply(node.selfId(), ownReply(pre.term(), true));
        RequestVote ask = new RequestVote(pre.term(), node.participant().lastVersion(), node.participant().lastTerm(), true);
        sendToOthers(ask, out);
        checkMajority(now, out);
    }

    void onRequestVote(String from, RequestVote rv, long now, List<Effect> out) {
        Terms terms = node.terms();
        Participant p = node.participant();
        boolean upToDate = rv.lastVersion() > p.lastVersion()
                || (rv.lastVersion() == p.lastVersion() && rv.lastTerm() >= p.lastTerm());
        boolean mayVote = !amnesiac || heardFrom.size() >= node.membership().members().size() - 1
                || now - startedAt >= 2 * node.config().electionTimeout().toMillis();
        boolean live = node.hasLiveCoordinator(now) && !from.equals(terms.coordinator());
        if (rv.preVote()) {
            boolean grant = rv.term() > terms.current() && !live && upToDate && mayVote;
            out.add(new Effect.Send(from, new RequestVoteReply(grant ? rv.term() : terms.current(), grant, true,
                    p.committed(), Optional.empty(), 0, 0)));
            return;
        }
        if (rv.term() < terms.current()) {
            out.add(new Effect.Send(from, refusal(terms.current())));
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
            out.add(new Effect.Send(from, ownReply(rv.term(), false)));
        } else {
            out.add(new Effect.Send(from, refusal(terms.current())));
        }
    }

    void onReply(String from, RequestVoteReply reply, long now, List<Effect> out) {
        if (candidacy == null) {
            return;
        }
        candidacy.onReply(from, reply);
        checkMajority(now, out);
    }

    private void checkMajority(long now, List<Effect> out) {
        Candidacy c = candidacy;
        if (c == null || c.grantedCount() < node.membership().majority()) {
            return;
        }
        if (c.isPreVote()) {
            long term = node.terms().current() + 1;
            node.adoptTerm(term, node.selfId(), out);
            out.add(new Effect.Log(Level.INFO, node.selfId() + " stands for election in term " + term));
            Candidacy real = new Candidacy(term, false, now);
            candidacy = real;
            real.onReply(node.selfId(), ownReply(term, false));
            sendToOthers(new RequestVote(term, node.participant().lastVersion(), node.participant().lastTerm(), false), out);
            checkMajority(now, out);
        } else {
            candidacy = null;
            node.becomeCoordinator(c, now, out);
        }
    }

    private RequestVoteReply ownReply(long term, boolean preVote) {
        Participant p = node.participant();
        return new RequestVoteReply(term, true, preVote, p.committed(), preVote ? Optional.empty()
                : p.preparedReport(), p.abortedTxId(), p.abortedVersion());
    }

    private RequestVoteReply refusal(long term) {
        return new RequestVoteReply(term, false, false, node.participant().committed(), Optional.empty(), 0, 0);
    }

    private void sendToOthers(Message message, List<Effect> out) {
        for (String member : node.membership().members()) {
            if (!member.equals(node.selfId())) {
                out.add(new Effect.Send(member, message));
            }
        }
    }
}
