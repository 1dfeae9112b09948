package io.canary.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Seeds on which the simulator once found a bug, replayed for good (each line says what it was). */
class RegressionSeedsTest {

    @ParameterizedTest(name = "{0} seed {1}: {2}")
    @CsvSource(delimiter = '|', value = {
        // RolloutExtension scheduled WakeAt in elapsed time; the coordinator's clock was set back
        // 1.2 s meanwhile, the tick came early and was ignored, and the rollout stayed at 5% forever.
        "RUNTIME | 135 | rollout wake-up lost when the coordinator's clock is set back",
        // The same in the simulator's own rollout glue (fixed there first).
        "PROTOCOL | 165 | rollout wake-up lost when the coordinator's clock is set back",
    })
    void seedThatOnceFoundABugNowKeepsEveryInvariant(SimParams.Mode mode, long seed, String bug) {
        SimResult result = new Simulation(SimParams.of(seed).withMode(mode)).run();
        assertThat(result.passed()).as(result.report()).isTrue();
    }
}
