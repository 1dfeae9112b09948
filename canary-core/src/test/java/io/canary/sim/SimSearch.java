package io.canary.sim;

/**
 * Runs a long search from the command line, outside Maven (e.g. overnight):
 * {@code java -cp canary-core/target/classes:canary-core/target/test-classes io.canary.sim.SimSearch FIRST COUNT [protocol|runtime]}.
 * Prints every failing seed and the report of the lowest; exits 1 if any failed.
 */
public final class SimSearch {
    private SimSearch() {
    }

    public static void main(String[] args) {
        long first = Long.parseLong(args[0]);
        long count = Long.parseLong(args[1]);
        SimParams.Mode mode = args.length > 2 && args[2].equals("runtime") ? SimParams.Mode.RUNTIME : SimParams.Mode.PROTOCOL;
        SimRunner.Batch batch = SimRunner.run(first, count, seed -> SimParams.of(seed).withMode(mode), false);
        System.out.println(mode + " seeds " + first + ".." + (first + count - 1) + " in " + batch.wallMillis() + " ms ("
                + batch.cpuMillis() + " ms CPU): " + batch.stats());
        for (SimResult r : batch.failures()) {
            System.out.println("  seed " + r.params().seed() + ": " + r.violated() + ": " + r.message());
        }
        if (batch.firstFailure() != null) {
            System.out.println(batch.firstFailure().report());
            System.exit(1);
        }
    }
}
