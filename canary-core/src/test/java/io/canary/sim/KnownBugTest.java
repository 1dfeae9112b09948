package io.canary.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Open bugs the simulator found and that are not fixed yet, each pinned to a seed that shows it.
 * When one is fixed, its test here fails: turn its check on by default and move the seed to
 * {@link RegressionSeedsTest}.
 */
class KnownBugTest {

    /**
     * A participant forwards an operator's PROMOTE; the coordinator commits it (5% to 25%) and is
     * killed before its answer arrives; the participant resends the same request, the restarted
     * coordinator (whose memory of answered requests died with it) runs it again: 25% to 50%. The
     * operator asked for one step and got two. The same holds for every forwarded command (a
     * resent "weights X" can undo a later change). Off in CI until fixed (AT_MOST_ONCE check).
     */
    @Test
    void aPromoteForwardedBeforeTheCoordinatorRestartedIsAppliedTwice() {
        SimResult result = new Simulation(SimParams.of(6645).withAtMostOnceCheck(true)).run();
        assertThat(result.violated()).as(result.report()).isEqualTo(Invariant.AT_MOST_ONCE);
        assertThat(result.message()).contains("promoted by an operator, who asked for 1 promotion(s)");
    }
}
