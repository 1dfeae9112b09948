package io.canary.rollout;

import io.canary.health.HistogramLayout;
import io.canary.health.HistogramSnapshot;
import io.canary.health.VersionHealth;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

/**
 * A pure, fast stand-in for a rollout step: i.i.d. requests split between baseline and canary,
 * accumulated per second into counts and histogram buckets, judged after every second. For the
 * judge's statistical tests (empirical alpha, power); the cluster-level evaluation is in canary-bench.
 */
final class JudgeSimulation {
    /** How a version behaves: a latency sampler (ms, from a standard normal draw) and an error rate. */
    record Behaviour(double errorRate, DoubleUnaryOperator latencyMs) {
        static Behaviour lognormal(double errorRate, double medianMs, double sigma) {
            return new Behaviour(errorRate, z -> medianMs * Math.exp(sigma * z));
        }
    }

    /** What happened to one simulated step. */
    record Outcome(Verdict.Decision decision, long seconds, long canaryRequests, String reason) {
    }

    private final SplittableRandom random;

    JudgeSimulation(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /**
     * Runs a step at {@code canaryShare} of {@code rps} until the judge says PROMOTE (after
     * {@code minSeconds}) or ROLLBACK, or {@code maxSeconds} pass (HOLD).
     */
    Outcome step(Judge judge, RolloutPlan plan, int stepIndex, double canaryShare, int rps, Behaviour baseline,
                 Behaviour canary, long minSeconds, long maxSeconds) {
        long[] bCounts = new long[HistogramLayout.BUCKET_COUNT];
        long[] cCounts = new long[HistogramLayout.BUCKET_COUNT];
        long bReq = 0, bErr = 0, cReq = 0, cErr = 0;
        for (long s = 1; s <= maxSeconds; s++) {
            for (int i = 0; i < rps; i++) {
                boolean toCanary = random.nextDouble() < canaryShare;
                Behaviour v = toCanary ? canary : baseline;
                long nanos = (long) (v.latencyMs().applyAsDouble(gaussian()) * 1e6);
                boolean error = random.nextDouble() < v.errorRate();
                if (toCanary) {
                    cCounts[HistogramLayout.indexOf(nanos)]++;
                    cReq++;
                    cErr += error ? 1 : 0;
                } else {
                    bCounts[HistogramLayout.indexOf(nanos)]++;
                    bReq++;
                    bErr += error ? 1 : 0;
                }
            }
            StepEvidence e = new StepEvidence(stepIndex, 0, s * 1000,
                    new VersionHealth(plan.baseline(), bReq, bErr, HistogramSnapshot.ofCounts(bCounts)),
                    new VersionHealth(plan.canary(), cReq, cErr, HistogramSnapshot.ofCounts(cCounts)), List.of("n"));
            Verdict v = judge.judge(plan, e);
            if (v.decision() == Verdict.Decision.ROLLBACK || (v.decision() == Verdict.Decision.PROMOTE && s >= minSeconds)) {
                return new Outcome(v.decision(), s, cReq, v.reason());
            }
            if (s == maxSeconds) {
                return new Outcome(Verdict.Decision.HOLD, s, cReq, v.reason());
            }
        }
        throw new IllegalArgumentException("maxSeconds must be >= 1");
    }

    double gaussian() {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
