package io.canary.internal.protocol;

import io.canary.model.RoutingState;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * Merges queued changes into one transaction, and keeps rollbacks from waiting behind promotions.
 *
 * <p><b>Coalescing.</b> When the coordinator takes the next proposal and it is a {@link WeightSet},
 * every weight set queued right behind it (consecutive, in queue order, up to {@link #MAX_BATCH})
 * joins it: the transaction proposes the <em>last</em> one's weights, since a later absolute weight
 * set supersedes an earlier one. The result is exactly the state the queue would reach running them
 * one by one, in one prepare round instead of many. The last one <em>carries</em> the batch; the
 * others ride with it. Each rider is answered when the carrier is: with the committed state and the
 * carrier that superseded it ({@link Outcome.Success#supersededBy()}), or with the carrier's failure
 * if the batch aborted (every caller in a batch learns its failure). Anything that is not a weight
 * set (a rollout step, a rollback, an abort) ends a batch: order across kinds is kept.
 *
 * <p><b>Rollbacks first.</b> A change that does not raise a canary's share (a rollback, an abort, a
 * lowering) never waits for a promotion: queued promotions ahead of it are superseded by it (their
 * callers are told so: the later change ran instead), and a promotion already preparing yields (the
 * coordinator aborts it, see {@link #yieldsTo}). Promotions need every member's vote and may wait the
 * whole prepare timeout for a slow one; a rollback needs only a majority.
 *
 * <p>Pure functions over the coordinator's queue; not thread-safe (the protocol thread only).
 */
final class Coalescing {

    /** At most this many proposals share one transaction (bounds one reply burst). */
    static final int MAX_BATCH = 256;

    private Coalescing() {
    }

    /**
     * Takes the weight sets queued right behind {@code head} (which was just taken and applies to
     * {@code current} as {@code headTarget}) into its batch.
     *
     * @return the batch: its carrier (the last weight set that applied), the target state, and the
     *     riders in queue order; proposals behind the head that cannot apply are failed into {@code failed}
     */
    static Batch extend(Proposal head, RoutingState headTarget, Deque<Proposal> queue, RoutingState current, long now,
                        List<Rejected> failed) {
        if (!(head.change() instanceof WeightSet)) {
            return new Batch(head, headTarget, List.of());
        }
        List<Proposal> taken = new ArrayList<>();
        taken.add(head);
        RoutingState target = headTarget;
        while (!queue.isEmpty() && taken.size() < MAX_BATCH && queue.peekFirst().change() instanceof WeightSet) {
            Proposal next = queue.pollFirst();
            if (now > next.deadline()) {
                failed.add(new Rejected(next, next.description() + " waited too long to start"));
                continue;
            }
            try {
                // Applied to the committed state, as if each ran alone: a weight set is absolute.
                target = Objects.requireNonNull(next.change().apply(current), "proposed state");
                taken.add(next);
            } catch (RuntimeException e) {
                failed.add(new Rejected(next, e.getMessage() != null ? e.getMessage()
                        : next.description() + " could not be computed: " + e));
            }
        }
        Proposal carrier = taken.get(taken.size() - 1);
        return new Batch(carrier, target, List.copyOf(taken.subList(0, taken.size() - 1)));
    }

    /**
     * True if {@code candidate}, applied to {@code current}, changes the state without raising a
     * canary share: a rollback, an abort or a lowering, which must not wait for a promotion.
     */
    static boolean isUrgent(Proposal candidate, RoutingState current) {
        try {
            RoutingState target = candidate.change().apply(current);
            return target != null && !target.isPromotionFrom(current) && !sameRouting(target, current);
        } catch (RuntimeException e) {
            return false; // it will fail when taken; nothing to hurry
        }
    }

    /** True if {@code queued} raises a canary share from {@code current}. */
    static boolean isPromotion(Proposal queued, RoutingState current) {
        try {
            RoutingState target = queued.change().apply(current);
            return target != null && target.isPromotionFrom(current);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * The proposals an urgent one supersedes when it is queued: every queued promotion ahead of it.
     * They are removed from {@code queue}; the urgent proposal is already at its tail.
     */
    static List<Proposal> supersededBy(Proposal urgent, Deque<Proposal> queue, RoutingState current) {
        List<Proposal> out = new ArrayList<>();
        for (Proposal p : List.copyOf(queue)) {
            if (p == urgent) {
                break;
            }
            boolean bothWeightSets = p.change() instanceof WeightSet && urgent.change() instanceof WeightSet;
            if (!bothWeightSets && isPromotion(p, current)) { // weight sets supersede each other by coalescing
                queue.remove(p);
                out.add(p);
            }
        }
        return out;
    }

    /**
     * True if a promotion now preparing must yield to {@code urgent} (queued behind it): abort the
     * promotion at once rather than let the rollback wait up to the prepare timeout.
     */
    static boolean yieldsTo(boolean preparingPromotion, boolean redrive, Proposal urgent, RoutingState current) {
        return preparingPromotion && !redrive && isUrgent(urgent, current);
    }

    static boolean sameRouting(RoutingState a, RoutingState b) {
        return a.weights().equals(b.weights()) && a.baseline().equals(b.baseline()) && a.rollout().equals(b.rollout());
    }

    /**
     * The outcome told to a rider of a batch whose carrier ended with {@code carrierOutcome}: the
     * same committed state, marked superseded by the carrier; or the carrier's failure.
     */
    static Outcome riderOutcome(Outcome carrierOutcome, String carrier) {
        if (carrierOutcome instanceof Outcome.Success s) {
            return Outcome.superseded(s.state(), carrier);
        }
        Outcome.Failure f = (Outcome.Failure) carrierOutcome;
        return new Outcome.Failure(f.reason() + " (merged into one transaction with the later " + carrier + ")",
                f.outcomeUnknown());
    }

    /** The proposal a batch runs as: the carrier's change, answering every caller of the batch. */
    static Proposal asProposal(Batch batch) {
        Proposal c = batch.carrier();
        if (batch.riders().isEmpty()) {
            return c;
        }
        List<Caller> riders = new ArrayList<>(batch.riders().size());
        for (Proposal r : batch.riders()) {
            riders.add(r.caller());
        }
        return new Proposal(c.id(), c.change(), c.requester(), new Caller.Batch(c.caller(), riders, c.description()),
                c.description() + " (superseding " + batch.riders().size() + " earlier weight set"
                        + (batch.riders().size() == 1 ? "" : "s") + " queued before it)", c.deadline());
    }

    /** One transaction's proposals: the carrier (whose change is proposed) and the riders it supersedes. */
    record Batch(Proposal carrier, RoutingState target, List<Proposal> riders) {
        Batch {
            Objects.requireNonNull(carrier, "carrier");
            riders = List.copyOf(riders);
        }

        int size() {
            return riders.size() + 1;
        }
    }

    /** A proposal that could not join a batch, and why. */
    record Rejected(Proposal proposal, String reason) {
    }
}
