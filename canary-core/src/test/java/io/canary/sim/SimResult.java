package io.canary.sim;

/**
 * How one run ended.
 *
 * @param violated the invariant that failed, or null if the run passed
 * @param message what exactly failed
 * @param trace the events leading to it (empty on success)
 */
public record SimResult(SimParams params, String faults, SimStats stats, Invariant violated, String message, String trace) {

    public boolean passed() {
        return violated == null;
    }

    /** The failure report: seed, invariant, faults, how to replay, and the trace. */
    public String report() {
        if (passed()) {
            return "seed " + params.seed() + " passed (" + faults + ")" + (trace.isEmpty() ? "" : "\n  trace:\n" + trace);
        }
        return "SIMULATION FAILED: seed " + params.seed() + " (" + params.mode().name().toLowerCase(java.util.Locale.ROOT) + " mode)" + (params.bugs().isEmpty() ? "" : " with planted bugs " + params.bugs())
                + "\n  invariant " + violated + ": " + message
                + "\n  faults: " + faults
                + "\n  replay: mvn -B -o verify -pl canary-core -Dtest=SimulationTest -Dcanary.sim.seed=" + params.seed()
                + (params.bugs().isEmpty() ? "" : " -Dcanary.sim.bugs=" + String.join(",", params.bugs().stream().map(Enum::name).sorted().toList()))
                + (params.checkDurableBeforeVisible() ? "" : " -Dcanary.sim.fsyncCheck=off")
                + (params.mode() == SimParams.Mode.RUNTIME ? " -Dcanary.sim.mode=runtime" : "")
                + (params.checkAtMostOnce() ? "" : " -Dcanary.sim.atMostOnce=off")
                + " [-Dcanary.sim.trace=all]"
                + "\n  trace (virtual time since start):\n" + trace;
    }
}
