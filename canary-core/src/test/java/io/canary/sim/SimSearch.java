package io.canary.sim;

/**
 * Runs a long search from the command line, outside Maven (e.g. overnight):
 * {@code java -cp canary-core/target/classes:canary-core/target/test-classes io.canary.sim.SimSearch FIRST COUNT [protocol|runtime]}
 * ({@code -Dcanary.sim.bugs=NAME,...} plants bugs and stops at the first failure, {@code -Dcanary.sim.trace=all} keeps every event).
 * Prints every failing seed and the report of the lowest; exits 1 if any failed.
 */
public final class SimSearch {
    private SimSearch() {
    }

    public static void main(String[] args) {
        long first = Long.parseLong(args[0]);
        long count = Long.parseLong(args[1]);
        SimParams.Mode mode = args.length > 2 && args[2].equals("runtime") ? SimParams.Mode.RUNTIME : SimParams.Mode.PROTOCOL;
        java.util.Set<Bug> bugs = java.util.EnumSet.noneOf(Bug.class);
        String names = System.getProperty("canary.sim.bugs", "");
        for (String name : names.split(",")) {
            if (!name.isBlank()) {
                bugs.add(Bug.valueOf(name.trim()));
            }
        }
        SimRunner.Batch batch = SimRunner.run(first, count, seed -> SimParams.of(seed).withMode(mode).withBugs(bugs)
                .withFullTrace("all".equals(System.getProperty("canary.sim.trace"))), !bugs.isEmpty());
        System.out.println(mode + " seeds " + first + ".." + (first + count - 1) + " in " + batch.wallMillis() + " ms ("
                + batch.cpuMillis() + " ms CPU): " + batch.stats());
        for (SimResult r : batch.failures()) {
            System.out.println("  seed " + r.params().seed() + ": " + r.violated() + ": " + r.message());
        }
        if (count == 1 && batch.failures().isEmpty() && "all".equals(System.getProperty("canary.sim.trace"))) {
            System.out.println(new Simulation(SimParams.of(first).withMode(mode).withBugs(bugs).withFullTrace(true)).run().report());
        }
        if (batch.firstFailure() != null) {
            System.out.println(batch.firstFailure().report());
            System.exit(1);
        }
    }
}
