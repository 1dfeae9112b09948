package io.canary.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
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
        // The first seed on which the planted bug is caught (the workload's draws decide which).
        long seed = 1;
        while (new Simulation(SimParams.of(seed).withBugs(Set.of(Bug.PROMOTION_WAITS_ONLY_FOR_REACHABLE))).run().passed()) {
            seed++;
            assertThat(seed).as("a seed that catches the planted bug").isLessThan(200);
        }
        SimParams params = SimParams.of(seed).withBugs(Set.of(Bug.PROMOTION_WAITS_ONLY_FOR_REACHABLE)).withFullTrace(true);
        SimResult first = new Simulation(params).run();
        SimResult again = new Simulation(params).run();
        assertThat(first.passed()).isFalse();
        assertThat(again.report()).isEqualTo(first.report());
        assertThat(first.report()).contains("seed " + seed, "invariant " + first.violated(), "-Dcanary.sim.seed=" + seed, "#0 ");
    }

    /**
     * A seed CI printed must replay on a developer's machine: another JVM (other hash seeds, other
     * iteration order of Set.of and Map.of) runs the same events. It caught the coordinator sending
     * Abort messages in an order that changed from one JVM to the next.
     */
    @Test
    void aSeedReplaysEventForEventInAnotherJvm() throws Exception {
        for (SimParams.Mode mode : SimParams.Mode.values()) {
            String here = SimDigest.of(1, 12, mode);
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                    "-Dcanary.sim.diskLoss=" + (Simulation.DISK_LOSS ? "on" : "off"), SimDigest.class.getName(),
                    "1", "12", mode.name().toLowerCase(Locale.ROOT)).redirectErrorStream(true).start();
            String there = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertThat(child.waitFor()).as(there).isZero();
            assertThat(there).as(mode + " runs of seeds 1..12 in another JVM").isEqualTo(here);
        }
    }
}
