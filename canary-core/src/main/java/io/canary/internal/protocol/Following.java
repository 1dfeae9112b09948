package io.canary.internal.protocol;

import io.canary.transport.Message;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * A node's side of its term's coordinator: what the coordinator's heartbeats prove (two-way contact from the
 * echoed send time, the lease), that it stopped coordinating, and learning who it is from what only a
 * coordinator sends. Split out of {@link ProtocolNode}, whose state it reads and updates (its {@link Terms},
 * {@link Lease} and {@link Elections}). Not thread-safe: driven by the node's protocol thread only.
 */
final class Following {
    private final ProtocolNode node;

    Following(ProtocolNode node) {
        this.node = node;
    }

    /** A heartbeat of {@code from} arrived in a term this node admitted; {@code startedAt} is this node's start. */
    void onHeartbeat(String from, Message.Heartbeat hb, long startedAt, long now, List<Effect> out) {
        Terms terms = node.terms();
        if (hb.coordinator() && hb.term() == terms.current()) {
            learnCoordinator(from, now, out);
            if (hb.echo() >= startedAt && hb.echo() <= now) {
                terms.contact(hb.echo());
            }
            // From our own send time it echoes, not this arrival: a heartbeat that queued (a pause) proves no more.
            if (hb.leaseHolder() && hb.echo() >= startedAt && hb.echo() <= now && !node.fenceless()) {
                node.lease().granted(hb.echo(), hb.committedVersion());
            }
        } else if (!hb.coordinator() && from.equals(terms.coordinator())) {
            // Our coordinator came back without its role (a restart never resumes a reign).
            terms.coordinatorGone();
            node.lease().revoke();
            out.add(new Effect.Log(Level.INFO, from + " no longer coordinates term " + terms.current()));
        }
        if (node.holdsReign()) {
            CatchUp.onHeartbeat(from, hb.committedVersion(), node.membership(), terms.current(), node.participant().committed(), out);
        }
    }

    /** {@code from} sent what only its term's coordinator sends: it coordinates our term. */
    void learnCoordinator(String from, long now, List<Effect> out) {
        String selfId = node.selfId();
        Terms terms = node.terms();
        if (from.equals(selfId)) {
            return;
        }
        if (!from.equals(terms.coordinator())) {
            out.add(new Effect.Log(Level.INFO, selfId + " follows the coordinator " + from + " of term " + terms.current()));
        }
        terms.coordinatorIs(from, now);
        node.elections().cancel();
        node.elections().coordinatorSeen();
    }
}
