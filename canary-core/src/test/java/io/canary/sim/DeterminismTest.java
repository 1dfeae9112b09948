package io.canary.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** A seed is a complete description of a run: replaying it gives the same run, event for event. */
class DeterminismTest {

    @Test
    void replayingASeedRepeatsTheRunEventForEvent() {
        for (long seed = 1; seed <= 20; seed++) {
            SimResult first = new Simulation(SimParams.of(seed)).run();
            SimResult again = new Simulation(SimParams.of(seed)).run();
            assertThat(again.stats().toString()).as("seed " + seed).isEqualTo(first.stats().toString());
            assertThat(again.faults()).isEqualTo(first.faults());
        }
    }

    @Test
    void replayingAFailingSeedRepeatsTheSameViolationAndTrace() {
        SimParams params = SimParams.of(3).withBugs(Set.of(Bug.COMMIT_UNKNOWN_TRANSACTION)).withFullTrace(true);
        SimResult first = new Simulation(params).run();
        SimResult again = new Simulation(params).run();
        assertThat(first.passed()).isFalse();
        assertThat(again.report()).isEqualTo(first.report());
        assertThat(first.report()).contains("seed 3", "invariant " + first.violated(), "-Dcanary.sim.seed=3", "#0 ");
    }
}
