package io.canary.internal.protocol;

import io.canary.model.RoutingState;
import io.canary.transport.Message.Refusal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The prepare phase of one transaction on the coordinator: who was asked, the votes so far, and
 * what they allow. Decides nothing by itself; the {@link Coordinator} asks it.
 *
 * <p>The rules (see ARCHITECTURE.md, "Commit rules"): every commit needs a durable YES from a
 * majority of the configured members. A <em>promotion</em> needs a YES from every member, and any NO
 * or missing vote aborts it. Any other change commits once a majority said YES and every other
 * member either voted NO for a reason about itself, or is unreachable (no two-way contact), or did
 * not vote within the {@linkplain #lowerGrace grace} after the majority's YES (or by the prepare
 * timeout); a NO about the proposal itself that arrives first vetoes it. A <em>re-driven</em>
 * transaction (a successor finishing a predecessor's, which may already have committed) is never
 * aborted: it commits with a majority, however long that takes.
 */
final class PrepareRound {

    /** Where the vote count stands. */
    enum Status { WAITING, COMMIT, REFUSED }

    private final long txId;
    private final RoutingState previous;
    private final RoutingState proposed;
    private final Set<String> members;
    private final int majority;
    private final Set<String> unreachableAtStart;
    private final boolean promotion;
    private final boolean redrive;
    private final Proposal proposal;
    private final Set<String> yes = new LinkedHashSet<>();
    private final Map<String, String> abstained = new LinkedHashMap<>();
    /** When the majority-th YES arrived (monotonic ms), or -1. */
    private long majorityAt = -1;
    private String refusedBy;
    private Refusal refusal;
    private String refusalText;

    PrepareRound(long txId, RoutingState previous, RoutingState proposed, List<String> members, int majority,
                 Set<String> unreachableAtStart, boolean promotion, boolean redrive, Proposal proposal) {
        this.txId = txId;
        this.previous = previous;
        this.proposed = proposed;
        // Member order, not Set.copyOf: its iteration order changes from one JVM to the next, and so
        // would the order of the messages (the simulator's seeds must replay on any JVM).
        this.members = Collections.unmodifiableSet(new LinkedHashSet<>(members));
        this.majority = majority;
        this.unreachableAtStart = Collections.unmodifiableSet(new LinkedHashSet<>(unreachableAtStart));
        this.promotion = promotion;
        this.redrive = redrive;
        this.proposal = proposal;
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

    Set<String> members() {
        return members;
    }

    Set<String> yes() {
        return Collections.unmodifiableSet(yes);
    }

    boolean isPromotion() {
        return promotion;
    }

    boolean isRedrive() {
        return redrive;
    }

    /** The caller's proposal; null for a re-driven transaction. */
    Proposal proposal() {
        return proposal;
    }

    Refusal refusal() {
        return refusal;
    }

    /**
     * How long a change that is not a promotion waits, once a majority said YES, for the other members'
     * votes: a small fraction of the prepare timeout (5 ms with the defaults), at least 1 ms. A lowering
     * is safe on a majority alone (every later election meets one of its promises); waiting a little
     * spares the slower members a stale mark and a sync, waiting for all of them would make a rollback
     * as slow as the slowest disk of the cluster (the 100th fsync of 100 nodes sharing one).
     */
    static long lowerGrace(io.canary.NodeConfig config) {
        return Math.max(1, config.prepareTimeout().toMillis() / 400);
    }

    /** Counts a vote received at {@code now}; votes of non-members and second votes are ignored. */
    void onVote(String from, boolean isYes, Refusal why, String reason, long now) {
        if (!members.contains(from) || refusedBy != null) {
            return;
        }
        if (isYes) {
            yes.add(from);
            abstained.remove(from);
            if (majorityAt < 0 && yes.size() >= majority) {
                majorityAt = now;
            }
        } else if (yes.contains(from)) {
            return; // a late NO after a YES (e.g. a duplicate Prepare after the node closed): the YES stands
        } else if (redrive || (!promotion && why.aboutVoter())) {
            abstained.put(from, reason);
        } else {
            refusedBy = from;
            refusal = why;
            refusalText = reason;
        }
    }

    /** When the majority-th YES arrived (monotonic ms), or -1 if it has not. */
    long majorityAt() {
        return majorityAt;
    }

    /**
     * Where the round stands {@code now}; {@code reachable} says which members have two-way contact,
     * {@code timedOut} whether the prepare timeout passed, and {@code grace} how long a change that is
     * not a promotion waits for the other members once a majority said YES (a negative grace: forever).
     */
    Status status(java.util.function.Predicate<String> reachable, boolean timedOut, long now, long grace) {
        if (refusedBy != null) {
            return Status.REFUSED;
        }
        if (promotion && !redrive) {
            if (yes.containsAll(members)) {
                return Status.COMMIT;
            }
            return timedOut ? Status.REFUSED : Status.WAITING;
        }
        if (yes.size() < majority) {
            return timedOut && !redrive ? Status.REFUSED : Status.WAITING;
        }
        if (timedOut || (!redrive && grace >= 0 && majorityAt >= 0 && now - majorityAt >= grace)) {
            return Status.COMMIT;
        }
        for (String member : members) {
            if (!yes.contains(member) && !abstained.containsKey(member) && reachable.test(member)) {
                return Status.WAITING;
            }
        }
        return Status.COMMIT;
    }

    /** Members asked that have not voted YES, in member order. */
    List<String> missing() {
        List<String> missing = new ArrayList<>();
        for (String member : members) {
            if (!yes.contains(member)) {
                missing.add(member);
            }
        }
        return missing;
    }

    /** Members that neither voted YES nor NO. */
    List<String> silent() {
        List<String> silent = new ArrayList<>();
        for (String member : members) {
            if (!yes.contains(member) && !abstained.containsKey(member)) {
                silent.add(member);
            }
        }
        return silent;
    }

    Map<String, String> abstained() {
        return Collections.unmodifiableMap(abstained);
    }

    String describe() {
        return "transaction " + txId + " (version " + proposed.version() + ", "
                + (proposal != null ? proposal.description() : "re-driven after a change of coordinator") + ")";
    }

    String refusalReason() {
        return describe() + " aborted: " + refusedBy + " voted NO: " + refusalText;
    }

    String timeoutReason(Duration prepareTimeout) {
        StringBuilder why = new StringBuilder(describe()).append(" aborted: ");
        List<String> silent = silent();
        if (!promotion && yes.size() < majority) {
            why.append("only ").append(yes.size()).append(" of ").append(members.size())
                    .append(" members voted YES, a majority (").append(majority).append(") is needed");
            if (!silent.isEmpty()) {
                why.append("; no vote from ").append(String.join(", ", silent)).append(" within ")
                        .append(Durations.human(prepareTimeout));
            }
            abstained.forEach((m, r) -> why.append("; ").append(m).append(" voted NO: ").append(r));
            return why.toString();
        }
        why.append("no vote from ").append(String.join(", ", silent)).append(" within ")
                .append(Durations.human(prepareTimeout)).append(" (prepare timeout)");
        List<String> unreachable = silent.stream().filter(unreachableAtStart::contains).toList();
        if (promotion && !unreachable.isEmpty()) {
            why.append("; raising a canary's share needs a YES from every configured node, and ")
                    .append(String.join(", ", unreachable))
                    .append(unreachable.size() == 1 ? " is" : " are").append(" unreachable");
        }
        return why.toString();
    }
}
