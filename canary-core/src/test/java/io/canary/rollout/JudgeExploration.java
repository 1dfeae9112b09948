package io.canary.rollout;

import io.canary.rollout.JudgeSimulation.Behaviour;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Not a check: prints how fast the judge decides per profile (run by hand with -Dtest=JudgeExploration). */
@Tag("exploration")
class JudgeExploration {
    @Test
    void explore() {
        RolloutPlan plan = RolloutPlan.builder("v1", "v2").build();
        Behaviour base = Behaviour.lognormal(0.01, 100, 0.5);
        Object[][] profiles = {
            {"healthy", base},
            {"heavy", Behaviour.lognormal(0.01, 100, 1.0)},
            {"near", Behaviour.lognormal(0.011, 105, 0.5)},
            {"err+2", Behaviour.lognormal(0.03, 100, 0.5)},
            {"err+5", Behaviour.lognormal(0.06, 100, 0.5)},
            {"p95x1.5", Behaviour.lognormal(0.01, 150, 0.5)},
            {"tail", new Behaviour(0.01, z -> 100 * Math.exp(0.5 * z) * (Math.abs(z * 7919) % 1 < 0.03 ? 10 : 1))},
            {"spread", Behaviour.lognormal(0.01, 100 * Math.exp(0.125 - 0.5), 1.0)},
        };
        for (Object[] p : profiles) {
            Behaviour canary = (Behaviour) p[1];
            Behaviour baseline = p[0].equals("heavy") ? Behaviour.lognormal(0.01, 100, 1.0) : base;
            List<Long> times = new ArrayList<>();
            int rb = 0, pr = 0, hold = 0;
            for (int seed = 0; seed < 20; seed++) {
                JudgeSimulation.Outcome o = new JudgeSimulation(seed).step(new SequentialJudge(), plan, 0, 0.05, 600,
                        baseline, canary, 30, 900);
                times.add(o.seconds());
                switch (o.decision()) {
                    case ROLLBACK -> rb++;
                    case PROMOTE -> pr++;
                    default -> hold++;
                }
                if (seed == 0) {
                    System.out.println(p[0] + ": " + o.reason());
                    System.out.println("  at 120 s: " + new JudgeSimulation(seed).step(new SequentialJudge(), plan, 0, 0.05, 600,
                            baseline, canary, 100_000, 120).reason());
                }
            }
            Collections.sort(times);
            System.out.printf("%-8s rollback %d promote %d hold %d median %ds p90 %ds%n", p[0], rb, pr, hold,
                    times.get(times.size() / 2), times.get((int) (times.size() * 0.9)));
        }
    }
}
