package io.canary.internal.protocol;

import io.canary.model.RoutingState;
import io.canary.transport.Message.PreparedReport;
import io.canary.transport.Message.RequestVoteReply;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One attempt of this node to become coordinator: first a pre-vote (would a majority vote for me in
 * the next term? nobody changes term), then the vote itself in the new term. The granted votes of
 * the real round carry each voter's recovery report, so the winner knows what a majority holds
 * before it proposes anything: see {@link #recover}.
 */
final class Candidacy {

    /** What the winner must do before it proposes anything. */
    record RecoveryPlan(RoutingState highestCommitted, Optional<PreparedReport> redrive) {
    }

    private final long term;
    private final boolean preVote;
    private final long startedAt;
    private final Map<String, RequestVoteReply> granted = new LinkedHashMap<>();

    Candidacy(long term, boolean preVote, long startedAt) {
        this.term = term;
        this.preVote = preVote;
        this.startedAt = startedAt;
    }

    long term() {
        return term;
    }

    boolean isPreVote() {
        return preVote;
    }

    long startedAt() {
        return startedAt;
    }

    int grantedCount() {
        return granted.size();
    }

    /** Counts a granted reply of this round (replies of another round or refusals are not counted). */
    void onReply(String from, RequestVoteReply reply) {
        if (reply.granted() && reply.preVote() == preVote && reply.term() == term) {
            granted.put(from, reply);
        }
    }

    /**
     * The recovery round, from the granted votes (a majority, this node's own included): adopt the
     * highest committed state found, and re-drive the newest promise (highest term, then id) of the
     * next version, unless it is a transaction its own coordinator aborted and nobody promised it
     * in a later term. Safety (ARCHITECTURE.md): a state that committed was promised by a majority,
     * which meets this majority, and every later coordinator re-drove it; an abort its caller was
     * told of is logged by a majority, which meets this majority too.
     */
    RecoveryPlan recover() {
        RoutingState highest = null;
        for (RequestVoteReply r : granted.values()) {
            if (highest == null || r.committed().version() > highest.version()) {
                highest = r.committed();
            }
        }
        PreparedReport best = null;
        for (RequestVoteReply r : granted.values()) {
            Optional<PreparedReport> p = r.prepared();
            if (p.isPresent() && p.get().proposed().version() == highest.version() + 1
                    && (best == null || p.get().term() > best.term()
                        || (p.get().term() == best.term() && p.get().txId() > best.txId()))) {
                best = p.get();
            }
        }
        if (best != null) {
            for (RequestVoteReply r : granted.values()) {
                // A coordinator of a later term proposed a fresh transaction for this version (someone logged
                // its abort): its own recovery round found no live promise, so nothing of an earlier term was
                // chosen for the version and never will be. A participant keeps only its newest abort, so this
                // later abort may be all that is left of the original coordinator's abort of this promise.
                if (r.abortedVersion() == best.proposed().version() && r.abortedTxId() >>> 32 > best.term()) {
                    best = null;
                    break;
                }
            }
        }
        if (best != null && best.term() == best.txId() >>> 32) {
            for (RequestVoteReply r : granted.values()) {
                boolean sameTerm = r.abortedTxId() >>> 32 == best.txId() >>> 32;
                if (sameTerm && r.abortedTxId() >= best.txId() && r.abortedVersion() == best.proposed().version()) {
                    best = null; // aborted by its own coordinator, never promised in a later term
                    break;
                }
            }
        }
        return new RecoveryPlan(highest, Optional.ofNullable(best));
    }

    /** The voters, in the order their votes came. */
    java.util.Set<String> voters() {
        return granted.keySet();
    }
}
