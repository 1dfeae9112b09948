package io.canary.internal.protocol;

import io.canary.log.LogRecord;
import io.canary.transport.Message;
import io.canary.transport.Message.RequestVote;
import io.canary.transport.Message.RequestVoteReply;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * Elections, Raft style, on a {@link ProtocolNode}: when to stand, how to vote, when a candidate
 * won. A node stands once it has had no two-way contact with its term's coordinator for the election
 * timeout plus one stagger per rank in the preferred order (so one successor stands first and
 * node-a, rank 0, first of all at a fresh start), with a pre-vote that changes nobody's term. A
 * vote is granted once per term (durably), only to a candidate at least as up to date (its newest
 * version, then that version's term), and never while the voter has a live coordinator, so a node
 * that merely lost its own link does not disrupt the others.
 */
final class Elections {

    private Elections() {
    }

    static void maybeStand(ProtocolNode node, long now, List<Effect> out) {
        Terms terms = node.terms();
        long window = node.config().electionTimeout().toMillis() + node.rank() * node.config().electionStagger().toMillis();
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
        if (now < node.nextStandAt()) {
            return;
        }
        node.scheduleNextStand(now + (node.rank() + 1) * node.config().electionStagger().toMillis());
        Candidacy pre = new Candidacy(terms.current() + 1, true, now);
        node.candidacy(pre);
        pre.onReply(node.selfId(), ownReply(node, pre.term(), true));
        RequestVote ask = new RequestVote(pre.term(), node.participant().lastVersion(), node.participant().lastTerm(), true);
        sendToOthers(node, ask, out);
        checkMajority(node, now, out);
    }

    static void onRequestVote(ProtocolNode node, String from, RequestVote rv, long now, List<Effect> out) {
        Terms terms = node.terms();
        Participant p = node.participant();
        boolean upToDate = rv.lastVersion() > p.lastVersion()
                || (rv.lastVersion() == p.lastVersion() && rv.lastTerm() >= p.lastTerm());
        boolean mayVote = !node.amnesiac() || node.heardFrom().size() >= node.membership().members().size() - 1
                || now - node.startedAt() >= 2 * node.config().electionTimeout().toMillis();
        boolean live = node.hasLiveCoordinator(now) && !from.equals(terms.coordinator());
        if (rv.preVote()) {
            boolean grant = rv.term() > terms.current() && !live && upToDate && mayVote;
            out.add(new Effect.Send(from, new RequestVoteReply(grant ? rv.term() : terms.current(), grant, true,
                    p.committed(), java.util.Optional.empty(), 0, 0)));
            return;
        }
        if (rv.term() < terms.current()) {
            out.add(new Effect.Send(from, refusal(node, terms.current())));
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
            out.add(new Effect.Send(from, ownReply(node, rv.term(), false)));
        } else {
            out.add(new Effect.Send(from, refusal(node, terms.current())));
        }
    }

    static void onReply(ProtocolNode node, String from, RequestVoteReply reply, long now, List<Effect> out) {
        Candidacy c = node.candidacy();
        if (c == null) {
            return;
        }
        c.onReply(from, reply);
        checkMajority(node, now, out);
    }

    private static void checkMajority(ProtocolNode node, long now, List<Effect> out) {
        Candidacy c = node.candidacy();
        if (c == null || c.grantedCount() < node.membership().majority()) {
            return;
        }
        if (c.isPreVote()) {
            long term = node.terms().current() + 1;
            node.adoptTerm(term, node.selfId(), out);
            out.add(new Effect.Log(Level.INFO, node.selfId() + " stands for election in term " + term));
            Candidacy real = new Candidacy(term, false, now);
            node.candidacy(real);
            real.onReply(node.selfId(), ownReply(node, term, false));
            sendToOthers(node, new RequestVote(term, node.participant().lastVersion(), node.participant().lastTerm(), false), out);
            checkMajority(node, now, out);
        } else {
            node.becomeCoordinator(c, now, out);
        }
    }

    private static RequestVoteReply ownReply(ProtocolNode node, long term, boolean preVote) {
        Participant p = node.participant();
        return new RequestVoteReply(term, true, preVote, p.committed(), preVote ? java.util.Optional.empty()
                : p.preparedReport(), p.abortedTxId(), p.abortedVersion());
    }

    private static RequestVoteReply refusal(ProtocolNode node, long term) {
        return new RequestVoteReply(term, false, false, node.participant().committed(), java.util.Optional.empty(), 0, 0);
    }

    private static void sendToOthers(ProtocolNode node, Message message, List<Effect> out) {
        for (String member : node.membership().members()) {
            if (!member.equals(node.selfId())) {
                out.add(new Effect.Send(member, message));
            }
        }
    }
}
