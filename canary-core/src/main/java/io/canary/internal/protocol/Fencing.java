package io.canary.internal.protocol;

import io.canary.transport.Message;
import io.canary.transport.Message.Refusal;
import java.util.List;

/** Fencing by term, for one {@link ProtocolNode}: what a protocol message's term does before the message itself is handled. */
final class Fencing {

    private Fencing() {
    }

    /**
     * A newer term is adopted (durably) before anything else; a message of an older term
     * changes nothing (a Prepare of one is answered NO {@code STALE_TERM}, which tells its sender the
     * newer term). Returns true if the message is to be handled in the current term.
     */
    static boolean admit(ProtocolNode node, String from, Message message, long term, long now, List<Effect> out) {
        if (term > node.terms().current() && node.holdsReign() && message instanceof Message.Heartbeat
                && node.planted().contains(PlantedBug.ACCEPT_OLDER_TERM)) {
            return false; // the planted bug: a deposed coordinator does not hear of the newer term
        } else if (term > node.terms().current()) {
            node.adoptTerm(term, "", out);
        } else if (term < node.terms().current() && node.planted().contains(PlantedBug.ACCEPT_OLDER_TERM)
                && (message instanceof Message.Prepare || message instanceof Message.Commit)) {
            // The planted bug: the stale coordinator's word is taken, and answered in its own term.
            if (message instanceof Message.Prepare p) {
                out.addAll(node.participant().onPrepare(from, term, p, now));
            } else {
                out.addAll(node.participant().onCommit(from, term, (Message.Commit) message, now));
            }
            return false;
        } else if (term < node.terms().current()) {
            if (message instanceof Message.Prepare p) {
                out.add(new Effect.Send(from, Message.Vote.no(node.terms().current(), p.txId(), Refusal.STALE_TERM,
                        node.selfId() + " is in term " + node.terms().current() + ", not " + term)));
            }
            return false; // fenced: a message of an older term changes nothing (our heartbeats tell its sender)
        }
        return true;
    }
}
