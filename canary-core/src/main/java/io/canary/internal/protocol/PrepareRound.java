package io.canary.internal.protocol;

import io.canary.model.RoutingState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The prepare phase of one transaction on the coordinator: which members must vote YES, and the
 * votes so far. Decides nothing by itself; the {@link Coordinator} asks it.
 */
final class PrepareRound {

    /** Where the vote count stands. */
    enum Status { WAITING, ALL_YES, REFUSED }

    private final long txId;
    private final RoutingState previous;
    private final RoutingState proposed;
    private final Set<String> required;
    private final Set<String> unreachableAtStart;
    private final boolean promotion;
    private final Proposal proposal;
    private final Set<String> yes = new LinkedHashSet<>();
    private String refusedBy;
    private String refusal;

    PrepareRound(long txId, RoutingState previous, RoutingState proposed, Set<String> required,
                 Set<String> unreachableAtStart, boolean promotion, Proposal proposal) {
        this.txId = txId;
        this.previous = previous;
        this.proposed = proposed;
        // Member order, not Set.copyOf: its iteration order changes from one JVM to the next, and so
        // would the order of the Abort messages (the simulator's seeds must replay on any JVM).
        this.required = Collections.unmodifiableSet(new LinkedHashSet<>(required));
        this.unreachableAtStart = Collections.unmodifiableSet(new LinkedHashSet<>(unreachableAtStart));
        this.promotion = promotion;
        this.proposal = Objects.requireNonNull(proposal, "proposal");
    }

    long txId() {
        return txId;
    }

    RoutingState previous() {
        return previous;
    }

    RoutingState proposed() {
        return proposed;
    }

    Set<String> required() {
        return required;
    }

    Proposal proposal() {
        return proposal;
    }

    /** Counts a vote; votes of members that were not asked are ignored. */
    Status onVote(String from, boolean isYes, String reason) {
        if (required.contains(from) && refusedBy == null) {
            if (isYes) {
                yes.add(from);
            } else {
                refusedBy = from;
                refusal = reason;
            }
        }
        return status();
    }

    Status status() {
        if (refusedBy != null) {
            return Status.REFUSED;
        }
        return yes.containsAll(required) ? Status.ALL_YES : Status.WAITING;
    }

    /** Members asked that have not voted, in member order. */
    List<String> missing() {
        List<String> missing = new ArrayList<>();
        for (String member : required) {
            if (!yes.contains(member)) {
                missing.add(member);
            }
        }
        missing.sort(null);
        return missing;
    }

    String describe() {
        return "transaction " + txId + " (version " + proposed.version() + ", " + proposal.description() + ")";
    }

    String refusalReason() {
        return describe() + " aborted: " + refusedBy + " voted NO: " + refusal;
    }

    String timeoutReason(Duration prepareTimeout) {
        List<String> missing = missing();
        StringBuilder why = new StringBuilder(describe()).append(" aborted: no vote from ")
                .append(String.join(", ", missing)).append(" within ").append(Durations.human(prepareTimeout))
                .append(" (prepare timeout)");
        if (promotion && missing.stream().anyMatch(unreachableAtStart::contains)) {
            why.append("; raising a canary's share needs a YES from every configured node, and ")
                    .append(String.join(", ", missing.stream().filter(unreachableAtStart::contains).toList()))
                    .append(missing.size() == 1 ? " is" : " are").append(" unreachable");
        }
        return why.toString();
    }
}
