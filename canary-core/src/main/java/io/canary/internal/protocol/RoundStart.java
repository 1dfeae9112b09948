package io.canary.internal.protocol;

import io.canary.NodeConfig;
import io.canary.model.RoutingState;
import io.canary.transport.Message.Prepare;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Opens the prepare round of a fresh transaction on the {@link Coordinator}: which commit rule
 * applies (a promotion needs every member, anything else a majority), who is unreachable at the
 * start (a change that is not a promotion goes on without them), and the Prepare sent to every
 * member, the coordinator itself included (its own vote is a durable PREPARED like anyone's).
 * Stateless; the protocol thread only.
 */
final class RoundStart {

    private RoundStart() {
    }

    /** The round of {@code proposed} (id {@code proposed.txId()}), with its Prepares and prepare timeout added to {@code out}. */
    static PrepareRound open(String selfId, long term, Proposal proposal, RoutingState current, RoutingState proposed,
                             Membership membership, NodeConfig config, Replies replies, Set<PlantedBug> planted, long now,
                             List<Effect> out) {
        long txId = proposed.txId();
        boolean promotion = proposed.isPromotionFrom(current) || planted.contains(PlantedBug.ROLLBACK_NEEDS_EVERY_VOTE);
        Set<String> unreachable = new LinkedHashSet<>();
        for (String member : membership.members()) {
            if (!membership.isReachable(member, now)) {
                unreachable.add(member);
            }
        }
        boolean askAll = !promotion || !planted.contains(PlantedBug.PROMOTION_WAITS_ONLY_FOR_REACHABLE);
        List<String> asked = new ArrayList<>();
        for (String member : membership.members()) {
            if (askAll || !unreachable.contains(member)) {
                asked.add(member);
            }
        }
        int majority = planted.contains(PlantedBug.COMMIT_WITHOUT_MAJORITY) ? 1 : membership.majority();
        PrepareRound round = new PrepareRound(txId, current, proposed, asked, majority, unreachable, promotion, false, proposal);
        if (planted.contains(PlantedBug.OWN_VOTE_BEFORE_DURABLE)) {
            // The planted bug: "the coordinator decides anyway, why promise to itself?" Its YES counts at
            // once, with no durable PREPARED behind it (no Prepare to itself, below).
            round.onVote(selfId, true, io.canary.transport.Message.Refusal.NONE, "", now);
        }
        if (planted.contains(PlantedBug.SUPERSEDED_BEFORE_COMMIT) && proposal.caller() instanceof Caller.Batch b) {
            for (Caller rider : b.riders()) { // the planted bug: told before the batch is decided
                out.addAll(replies.reply(rider, Outcome.superseded(proposed, b.carrierDescription()), current));
            }
        }
        if (!promotion && !unreachable.isEmpty()) {
            out.add(new Effect.Log(Level.INFO, round.describe() + " goes on without unreachable "
                    + String.join(", ", unreachable) + " if a majority votes YES (not a promotion); they catch up later"));
        }
        Prepare prepare = new Prepare(term, txId, proposed); // one immutable message for all: the transport encodes it once
        for (String member : asked) {
            if (!(member.equals(selfId) && planted.contains(PlantedBug.OWN_VOTE_BEFORE_DURABLE))) {
                out.add(new Effect.Send(member, prepare));
            }
        }
        out.add(new Effect.Schedule(config.prepareTimeout(), new Timer.PrepareTimeout(txId)));
        return round;
    }
}
