package io.canary.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Deterministic simulation of the whole cluster under faults (see {@link Simulation}).
 *
 * <p>By default it runs {@value #CI_SEEDS} seeds. {@code -Dcanary.sim.seeds=N} runs N seeds
 * (from {@code -Dcanary.sim.first}, default 1), {@code -Dcanary.sim.seed=S} replays seed S alone and
 * prints its report; add {@code -Dcanary.sim.trace=all} for every event of the run and
 * {@code -Dcanary.sim.bugs=NAME,...} to replay a run with planted bugs (see {@link Bug}). The
 * module's pom passes these properties to the test JVM.
 */
class SimulationTest {
    static final int CI_SEEDS = 10_000;
    static final int RUNTIME_SEEDS = 1_000;

    @Test
    void everyInvariantHoldsOnEverySeedUnderNetworkDiskCrashAndClockFaults() {
        String one = property("canary.sim.seed");
        if (one != null) {
            SimParams params = SimParams.of(Long.parseLong(one)).withFullTrace("all".equals(property("canary.sim.trace")))
                    .withBugs(bugs(property("canary.sim.bugs")))
                    .withDurableBeforeVisibleCheck(!"off".equals(property("canary.sim.fsyncCheck")))
                    .withMode("runtime".equals(property("canary.sim.mode")) ? SimParams.Mode.RUNTIME : SimParams.Mode.PROTOCOL)
                    .withAtMostOnceCheck(!"off".equals(property("canary.sim.atMostOnce")));
            SimResult result = new Simulation(params).run();
            System.out.println(result.report());
            System.out.println("  did: " + result.stats());
            assertThat(result.passed()).as(result.report()).isTrue();
            return;
        }
        String n = property("canary.sim.seeds");
        String first = property("canary.sim.first");
        long seeds = n == null ? CI_SEEDS : Long.parseLong(n);
        long from = first == null ? 1 : Long.parseLong(first);
        SimRunner.Batch batch = SimRunner.run(from, seeds, SimParams::of, false);
        System.out.println("simulation: seeds " + from + ".." + (from + seeds - 1) + " in " + batch.wallMillis() + " ms (" + batch.cpuMillis() + " ms CPU): "
                + batch.stats());
        SimResult failure = batch.firstFailure();
        if (failure != null) {
            printFailures(batch);
        }
        assertThat(batch.failures()).as(failure == null ? "" : failure.report()).isEmpty();
    }

    /**
     * The same, with every node running the real node runtime (NodeRuntime's effect executor, the
     * health exchange, the rollout extension) instead of the simulator's own executor. Fewer seeds:
     * a run costs more. {@code -Dcanary.sim.runtimeSeeds=N} runs more.
     */
    @Test
    void everyInvariantHoldsWithTheRealNodeRuntimeUnderTheSameFaults() {
        if (property("canary.sim.seed") != null) {
            return;
        }
        String n = property("canary.sim.runtimeSeeds");
        long seeds = n == null ? RUNTIME_SEEDS : Long.parseLong(n);
        SimRunner.Batch batch = SimRunner.run(1, seeds, seed -> SimParams.of(seed).withMode(SimParams.Mode.RUNTIME), false);
        System.out.println("simulation (node runtime): seeds 1.." + seeds + " in " + batch.wallMillis() + " ms ("
                + batch.cpuMillis() + " ms CPU): " + batch.stats());
        SimResult failure = batch.firstFailure();
        if (failure != null) {
            printFailures(batch);
        }
        assertThat(batch.failures()).as(failure == null ? "" : failure.report()).isEmpty();
    }

    private static void printFailures(SimRunner.Batch batch) {
        System.out.println(batch.failures().size() + " seed(s) failed:");
        for (SimResult r : batch.failures().subList(0, Math.min(50, batch.failures().size()))) {
            System.out.println("  seed " + r.params().seed() + ": " + r.violated() + ": " + r.message());
        }
        System.out.println("the lowest:\n" + batch.firstFailure().report());
    }

    /** {@code -Dcanary.sim.bugs=A,B} replays a seed with planted bugs (names of {@link Bug}). */
    private static java.util.Set<Bug> bugs(String names) {
        java.util.Set<Bug> bugs = java.util.EnumSet.noneOf(Bug.class);
        if (names != null) {
            for (String name : names.split(",")) {
                bugs.add(Bug.valueOf(name.trim()));
            }
        }
        return bugs;
    }

    /** A -D property, or null when unset or left empty by the build. */
    static String property(String name) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? null : v.trim();
    }
}
