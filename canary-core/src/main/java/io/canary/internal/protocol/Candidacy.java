package io.canary.internal.protocol;

import io.canary.model.RoutingState;
import io.canary.transport.Message.PreparedReport;
import io.canary.transport.Message.RequestVoteReply;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
    /**
     * Every other report this candidacy heard: refusals, and the pre-vote's replies carried into the
     * real round. They do not count toward the majority, but each is a true fact about its sender's
     * log, so the recovery round may use them too (see {@link #recover}).
     */
    private final List<RequestVoteReply> heard = new ArrayList<>();

    /** False only for the planted bug {@code RECOVERY_IGNORES_REFUSALS}: refusals are not kept. */
    private final boolean keepHeard;
    /** False only for the planted bug {@code RELAYED_PROMISES_IGNORED}: relayed promises are dropped. */
    private final boolean useRelayed;
    /** The promises relayed to this candidacy (each also in {@link #heard} as a report of its own). */
    private final List<PreparedReport> relayed = new ArrayList<>();

    Candidacy(long term, boolean preVote, long startedAt) {
        this(term, preVote, startedAt, List.of(), List.of(), true, true);
    }

    /**
     * A candidacy that already heard {@code learned} (the replies of the pre-vote before it) and was relayed
     * {@code relayedBefore} (its promises among them).
     */
    Candidacy(long term, boolean preVote, long startedAt, List<RequestVoteReply> learned, List<PreparedReport> relayedBefore,
              boolean keepHeard, boolean useRelayed) {
        this.term = term;
        this.preVote = preVote;
        this.startedAt = startedAt;
        this.keepHeard = keepHeard;
        this.useRelayed = useRelayed;
        this.heard.addAll(learned);
        if (useRelayed) {
            this.relayed.addAll(relayedBefore);
        }
    }

    /** The promises relayed to this candidacy so far. */
    List<PreparedReport> relayed() {
        return List.copyOf(relayed);
    }

    private long askedVersion = Long.MIN_VALUE;
    private long askedTerm = Long.MIN_VALUE;

    /** This candidacy asked for votes with the log position {@code (version, term)}. */
    void asked(long version, long term) {
        askedVersion = version;
        askedTerm = term;
    }

    /** True if {@code (version, term)} is ahead of the position this candidacy last asked with. */
    boolean askedBehind(long version, long term) {
        return version > askedVersion || (version == askedVersion && term > askedTerm);
    }

    /** Every report heard so far, granted or not. */
    List<RequestVoteReply> reports() {
        List<RequestVoteReply> all = new ArrayList<>(granted.values());
        all.addAll(heard);
        return all;
    }

    /**
     * The newest log position (version, then term) among the reports heard, at least {@code (ownVersion,
     * ownTerm)}: what this candidate's recovery round will take into account, so what it asks votes with.
     */
    long[] newestPosition(long ownVersion, long ownTerm) {
        long version = ownVersion;
        long t = ownTerm;
        for (RequestVoteReply r : reports()) {
            long v = r.committed().version();
            long vt = r.committed().txId() >>> 32;
            if (r.prepared().isPresent() && r.prepared().get().proposed().version() > v) {
                v = r.prepared().get().proposed().version();
                vt = r.prepared().get().term();
            }
            if (v > version || (v == version && vt > t)) {
                version = v;
                t = vt;
            }
        }
        return new long[] {version, t};
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

    /**
     * Counts a granted reply of this round (replies of another round or refusals are not counted). The promises the
     * reply relays join {@link #heard} as reports of their own, with the relayer's committed state and no abort (both
     * facts about the relayer's log, which its own report holds anyway): never counted as anyone's vote.
     */
    void onReply(String from, RequestVoteReply reply) {
        if (reply.granted() && reply.preVote() == preVote && reply.term() == term) {
            granted.put(from, reply);
        } else if (keepHeard && heard.size() < MAX_HEARD) {
            heard.add(reply);
        }
        if (!useRelayed) {
            return;
        }
        for (PreparedReport p : reply.relayed()) {
            if (heard.size() < MAX_HEARD) {
                heard.add(new RequestVoteReply(reply.term(), false, reply.preVote(), reply.committed(), Optional.of(p), 0, 0));
                relayed.add(p);
            }
        }
    }

    /**
     * True if a promise relayed to this candidacy is of a version past the highest committed state its recovery round
     * found plus one: the states between are held only by that promise's silent holder, so this candidate could not
     * keep them (see {@code Elections#checkMajority}).
     */
    boolean relayedBeyondReach() {
        if (relayed.isEmpty()) {
            return false;
        }
        long highest = recover().highestCommitted().version();
        for (PreparedReport p : relayed) {
            if (p.proposed().version() > highest + 1) {
                return true;
            }
        }
        return false;
    }

    /** Bounds what a candidacy keeps of refusals (duplicates, many members): a safety margin, not a rule. */
    private static final int MAX_HEARD = 1024;

    /**
     * The recovery round, from the granted votes (a majority, this node's own included) and every other
     * report heard (refusals, the pre-vote's replies: facts about their senders' logs; Paxos lets a
     * proposer take the highest-ballot value among any set of reports that includes a majority's, for
     * every such report of a ballot at or above a chosen value's carries that value): adopt the
     * highest committed state found, and re-drive the newest promise (highest term, then id) of the
     * next version, unless it is a transaction its own coordinator aborted and nobody promised it
     * in a later term. Safety (ARCHITECTURE.md): a state that committed was promised by a majority,
     * which meets this majority, and every later coordinator re-drove it; an abort its caller was
     * told of is logged by a majority, which meets this majority too.
     */
    RecoveryPlan recover() {
        List<RequestVoteReply> reports = reports();
        RoutingState highest = null;
        for (RequestVoteReply r : reports) {
            if (highest == null || r.committed().version() > highest.version()) {
                highest = r.committed();
            }
        }
        PreparedReport best = null;
        for (RequestVoteReply r : reports) {
            Optional<PreparedReport> p = r.prepared();
            if (p.isPresent() && p.get().proposed().version() == highest.version() + 1
                    && (best == null || p.get().term() > best.term()
                        || (p.get().term() == best.term() && p.get().txId() > best.txId()))) {
                best = p.get();
            }
        }
        if (best != null) {
            for (RequestVoteReply r : reports) {
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
            for (RequestVoteReply r : reports) {
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
