package io.canary.internal.protocol;

import io.canary.NodeConfig;
import io.canary.model.RoutingState;
import io.canary.transport.Message.Abort;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The abort of one transaction on the coordinator: Abort is resent until a majority of the members
 * logged it durably. Only then is the caller told the change failed: any later coordinator's
 * election hears from a majority, so it meets at least one of those ABORTED records and never
 * re-drives the transaction. Without a majority by {@code answerBy} the caller is told the outcome
 * is unknown, and the abort goes on.
 */
final class AbortRound {

    private final Abort message;
    private final List<String> members;
    private final int majority;
    private final Proposal proposal;
    private final long answerBy;
    private final Set<String> acked = new LinkedHashSet<>();
    private boolean answered;

    AbortRound(Abort message, List<String> members, int majority, Proposal proposal, long answerBy) {
        this.message = message;
        this.members = List.copyOf(members);
        this.majority = majority;
        this.proposal = proposal;
        this.answerBy = answerBy;
    }

    long txId() {
        return message.txId();
    }

    Abort message() {
        return message;
    }

    String reason() {
        return message.reason();
    }

    Proposal proposal() {
        return proposal;
    }

    long answerBy() {
        return answerBy;
    }

    boolean answered() {
        return answered;
    }

    void markAnswered() {
        answered = true;
    }

    void onAck(String from) {
        if (members.contains(from)) {
            acked.add(from);
        }
    }

    boolean isDurableOnMajority() {
        return acked.size() >= majority;
    }

    /** Abort to every member that has not logged it yet, and the next resend. */
    List<Effect> send(NodeConfig config) {
        List<Effect> out = new ArrayList<>();
        for (String member : missing()) {
            out.add(new Effect.Send(member, message));
        }
        out.add(new Effect.Schedule(config.retryInterval(), new Timer.AbortResend(txId())));
        return out;
    }

    /**
     * The resend timer fired: past {@code answerBy} without a majority, the caller is told the outcome
     * is unknown (a successor could still find the promise and finish it, so not "failed"); the abort goes on.
     */
    List<Effect> onResend(Replies replies, RoutingState committed, NodeConfig config, long now) {
        List<Effect> out = new ArrayList<>();
        if (!answered && now >= answerBy) {
            out.addAll(replies.reply(proposal.caller(), Outcome.unknown(reason()
                    + "; the abort is not yet logged by a majority, so it may still commit: check the routing state"),
                    committed));
            answered = true;
        }
        out.addAll(send(config));
        return out;
    }

    List<String> missing() {
        List<String> missing = new ArrayList<>();
        for (String member : members) {
            if (!acked.contains(member)) {
                missing.add(member);
            }
        }
        return missing;
    }
}
