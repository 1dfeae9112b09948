package io.canary.internal.protocol;

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
