package io.canary.rollout;

import java.util.List;

/**
 * The rules a plan's step list obeys, in one place for {@link RolloutPlan}'s constructor and its
 * builder, so both refuse the same lists with the same words.
 */
final class PlanSteps {
    private PlanSteps() {
    }

    /**
     * Checks a whole step list: a 0% first step exactly when the plan mirrors a share (the shadow
     * step), then user steps strictly increasing in (0,100] and ending at 100.
     */
    static void check(List<Integer> steps, int shadowMirrorPercent) {
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("steps must not be empty");
        }
        if (shadowMirrorPercent < 0 || shadowMirrorPercent > 100) {
            throw new IllegalArgumentException("shadowMirrorPercent must be in [0,100], got " + shadowMirrorPercent);
        }
        boolean shadow = shadowMirrorPercent > 0;
        if (shadow != (steps.get(0) == 0)) {
            throw new IllegalArgumentException(shadow
                    ? "a plan with a shadow step (mirroring " + shadowMirrorPercent + "%) must begin with a 0% step, got " + steps
                    : "a 0% step is a shadow step: it needs a mirrored share (shadowMirrorPercent), got steps " + steps);
        }
        checkUserSteps(steps, shadow ? 1 : 0, steps);
    }

    /**
     * Checks {@code steps} from index {@code from} on: strictly increasing percentages in (0,100],
     * ending at 100; {@code shown} is what the message quotes (the caller's own list).
     */
    static void checkUserSteps(List<Integer> steps, int from, Object shown) {
        int previous = 0;
        for (int i = from; i < steps.size(); i++) {
            int s = steps.get(i);
            if (s <= previous || s > 100) {
                throw new IllegalArgumentException("steps must be strictly increasing percentages in (0,100], got " + shown);
            }
            previous = s;
        }
        if (previous != 100) {
            throw new IllegalArgumentException("steps must end at 100, got " + shown);
        }
    }
}
