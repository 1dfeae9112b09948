package io.canary.bench.judge;

import io.canary.CanaryNode;
import io.canary.model.RolloutInfo;
import io.canary.model.RolloutInfo.Phase;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Verdict;
import io.canary.testing.LocalCluster;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * One rollout of a {@link Profile} on a 3-node {@link LocalCluster} in virtual time: each node serves
 * {@code rpsPerNode} requests a second through {@code route}/{@code record} (ticks of 100 ms), the
 * version it routes to answers as the profile says. Runs until the rollout ends or the time budget
 * is spent. Single-threaded; one instance per run.
 */
final class RolloutRun {
    private static final Duration TICK = Duration.ofMillis(100);

    private final Profile profile;
    private final RolloutPlan plan;
    private final long seed;
    private final Duration budget;
    private final SplittableRandom random;
    private LocalCluster cluster;
    private boolean bad;
    private long onsetAt = -1;
    private long exposure;

    RolloutRun(Profile profile, RolloutPlan plan, long seed, Duration budget) {
        this.profile = profile;
        this.plan = plan;
        this.seed = seed;
        this.budget = budget;
        this.random = new SplittableRandom(seed * 7919 + profile.name().hashCode());
    }

    RunResult run() {
        try (LocalCluster c = LocalCluster.builder().nodes(3).seed(seed).build()) {
            cluster = c;
            c.advanceUntil(c::allReady, Duration.ofSeconds(30));
            c.scheduler().schedule(TICK, this::tick);
            CanaryNode a = c.node(c.ids().get(0));
            var started = a.startRollout(plan);
            c.advanceUntil(started::isDone, Duration.ofSeconds(30));
            long start = c.scheduler().nowMillis();
            long zeroAt = -1;
            long end = start + budget.toMillis();
            while (c.scheduler().nowMillis() < end) {
                c.advance(TICK);
                RolloutInfo info = a.state().rollout();
                if (!bad && profile.bad() && info.phase().isActive() && info.stepIndex() >= profile.onsetStep()) {
                    bad = true;
                    onsetAt = c.scheduler().nowMillis();
                }
                if (onsetAt >= 0 && zeroAt < 0 && everyNodeAtZero()) {
                    zeroAt = c.scheduler().nowMillis();
                }
                // Done once it ended; a bad canary that completed stays at 100% for good (its exposure
                // is counted up to the completion: a lower bound).
                if (!info.phase().isActive() && (onsetAt < 0 || zeroAt >= 0 || info.phase() == Phase.COMPLETED)) {
                    break;
                }
            }
            RolloutInfo info = a.state().rollout();
            int sparse = 0;
            String last = "";
            for (Verdict v : a.rolloutStatus().verdicts()) {
                last = v.reason();
                if (v.decision() == Verdict.Decision.PROMOTE && !v.reason().startsWith("promoted by operator")
                        && (v.canary().requests() < plan.minRequests() || v.baseline().requests() < plan.minRequests())) {
                    sparse++;
                }
            }
            RunResult.Outcome outcome = switch (info.phase()) {
                case COMPLETED -> RunResult.Outcome.COMPLETED;
                case ROLLED_BACK -> info.reason().contains("undecided after") ? RunResult.Outcome.TIMED_OUT
                        : RunResult.Outcome.ROLLED_BACK;
                default -> RunResult.Outcome.UNFINISHED;
            };
            return new RunResult(outcome, zeroAt >= 0 ? zeroAt - onsetAt : -1, exposure, sparse,
                    c.scheduler().nowMillis() - start, info.phase() + " at step " + info.stepIndex() + ": " + info.reason() + " | last verdict: " + last);
        }
    }

    private boolean everyNodeAtZero() {
        for (CanaryNode n : cluster.nodes()) {
            if (n.state().weights().share(plan.canary()) > 0) {
                return false;
            }
        }
        return true;
    }

    private void tick() {
        int perTick = Math.max(1, (int) Math.round(profile.rpsPerNode() * TICK.toMillis() / 1000.0));
        for (CanaryNode n : cluster.nodes()) {
            if (!n.isReady()) {
                continue;
            }
            for (int i = 0; i < perTick; i++) {
                String version = n.route();
                Behaviour b;
                if (version.equals(plan.canary())) {
                    b = bad ? profile.badCanary() : profile.healthyCanary();
                    if (bad) {
                        exposure++;
                    }
                } else {
                    b = profile.baseline();
                }
                n.record(version, b.latencyNanos(random), b.ok(random));
            }
        }
        cluster.scheduler().schedule(TICK, this::tick);
    }
}
