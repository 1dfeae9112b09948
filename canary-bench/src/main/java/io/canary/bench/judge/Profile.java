package io.canary.bench.judge;

import java.util.List;

/**
 * One kind of rollout the harness runs many times.
 *
 * @param name short name for the tables
 * @param bad whether the canary is worse than the baseline beyond the default margins (it must be rolled back)
 * @param baseline how the baseline answers
 * @param healthyCanary how the canary answers before the onset
 * @param badCanary how the canary answers from the onset on (same as healthy for a good canary)
 * @param onsetStep the step index at which the canary turns bad (0: from the start)
 * @param rpsPerNode requests per second each node serves
 */
record Profile(String name, boolean bad, Behaviour baseline, Behaviour healthyCanary, Behaviour badCanary, int onsetStep,
               int rpsPerNode) {

    static final Behaviour BASE = Behaviour.of(0.01, 100, 0.5);

    static List<Profile> all(int rps) {
        Behaviour heavy = Behaviour.of(0.01, 100, 1.0).withTail(0.005, 8);
        return List.of(
                good("healthy", BASE, BASE, rps),
                good("noisy-heavy-tail", heavy, heavy, rps),
                good("near-equal", BASE, BASE.withErrors(0.011).slower(1.03), rps),
                good("canary-better", BASE, BASE.withErrors(0.005).slower(0.8), rps),
                good("baseline-worse", BASE.withErrors(0.02).slower(1.3), BASE, rps),
                bad("errors+2pt", BASE.withErrors(0.03), 0, rps),
                bad("errors+5pt", BASE.withErrors(0.06), 0, rps),
                bad("p95x1.5", BASE.slower(1.5), 0, rps),
                bad("tail-3%x10", BASE.withTail(0.03, 10), 0, rps),
                bad("variance-x2", BASE.twiceTheSpread(), 0, rps),
                bad("fails-after-promotion", BASE.withErrors(0.06), 1, rps),
                good("low-traffic", BASE, BASE, 5));
    }

    private static Profile good(String name, Behaviour baseline, Behaviour canary, int rps) {
        return new Profile(name, false, baseline, canary, canary, 0, rps);
    }

    private static Profile bad(String name, Behaviour canary, int onsetStep, int rps) {
        return new Profile(name, true, BASE, BASE, canary, onsetStep, rps);
    }
}
