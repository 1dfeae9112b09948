package io.canary.internal.rollout;

import io.canary.internal.rollout.RolloutState.Step;

/**
 * How long the engine waits before it proposes a step's promotion again after one did not commit.
 *
 * <p>A promotion needs a YES from every configured member, so with a member lost, cut off or failing, every
 * promotion aborts, most at the prepare timeout. Proposed again at every analysis (once a second or so), such
 * promotions kept the coordinator's proposal queue busy almost all the time (simulator seed 4085414: node-a lost
 * for good, one doomed promotion prepared after another for as long as the run lasted). So after the {@code n}-th
 * failed promotion of a step in a row the next automatic one waits {@code stepInterval × 2^(n-1)}, at most
 * {@link #MAX_DOUBLINGS} doublings ({@code 8 × stepInterval}); it goes at once if every member has become
 * reachable (two-way) again since a failure that happened while one was not, and the count starts over with the
 * next step, the next rollout, a promotion that commits, or a new coordinator. An operator's promote is never
 * held back (a person asked for it), but its failure counts too.
 *
 * <p>A rollback or an abort never waits for this: it is proposed at once, and a promotion that is preparing yields
 * to it in the proposal queue (aborted at once, see {@code ProposalQueue}), so it waits for no promotion at all.
 *
 * <p>Threading: the coordinator's protocol thread only (as the engine).
 */
final class PromotionBackoff {
    /** The longest wait is {@code 2^MAX_DOUBLINGS} step intervals. */
    static final int MAX_DOUBLINGS = 3;

    private String rolloutId = "";
    private int stepIndex = -1;
    private int failures;
    private long notBefore;
    private boolean reachableAtFailure = true;

    /** A promotion of {@code step} did not commit at {@code now}; {@code everyReachable}: as the engine last knew. */
    void failed(Step step, long now, boolean everyReachable) {
        follow(step);
        failures++;
        notBefore = now + delayMillis(step);
        reachableAtFailure = everyReachable;
    }

    /** A promotion committed, or the step, rollout or coordinator changed: nothing holds the next promotion back. */
    void reset() {
        failures = 0;
        notBefore = 0;
        reachableAtFailure = true;
    }

    /** True if an automatic promotion of {@code step} may be proposed at {@code now}. */
    boolean allows(Step step, long now, boolean everyReachable) {
        follow(step);
        return failures == 0 || now >= notBefore || (everyReachable && !reachableAtFailure);
    }

    /** Failed promotions of the current step in a row. */
    int failures() {
        return failures;
    }

    /** When the next automatic promotion may go, if nothing becomes reachable meanwhile. */
    long notBefore() {
        return notBefore;
    }

    private long delayMillis(Step step) {
        return step.plan().stepInterval().toMillis() << Math.min(failures - 1, MAX_DOUBLINGS);
    }

    private void follow(Step step) {
        if (!step.rolloutId().equals(rolloutId) || step.index() != stepIndex) {
            rolloutId = step.rolloutId();
            stepIndex = step.index();
            reset();
        }
    }
}
