package io.canary.bench.judge;

import io.canary.rollout.JudgeKind;
import io.canary.rollout.RolloutPlan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The evaluation harness of the rollout judges: every {@link Profile} run many times on a 3-node
 * {@code LocalCluster} in virtual time (200 req/s per node), with the default sequential judge and
 * with the old threshold judge (its former defaults: 30 s steps, errors +5 points, p95 x1.5, two
 * failed analyses) on the same seeds. Prints one table row per judge and profile.
 */
@Command(name = "judge-evaluation", mixinStandardHelpOptions = true,
        description = "Rollout outcomes, time from onset to 0% and exposure per profile, sequential vs threshold judge.")
public final class JudgeEvaluation implements Callable<Integer> {
    @Option(names = "--healthy-runs", defaultValue = "1000", description = "rollouts of the healthy profile (false-rollback rate)")
    int healthyRuns;
    @Option(names = "--runs", defaultValue = "100", description = "rollouts of every other profile")
    int runs;
    @Option(names = "--rps-per-node", defaultValue = "200") int rps;
    @Option(names = "--threads", defaultValue = "2") int threads;
    @Option(names = "--judges", defaultValue = "SEQUENTIAL,THRESHOLD", split = ",") List<JudgeKind> judges;
    @Option(names = "--profiles", split = ",", description = "only these profiles (default: all)") List<String> only;
    @Option(names = "--first-seed", defaultValue = "1", description = "seeds first-seed .. first-seed+runs-1 (fresh seeds: any other start)")
    long firstSeed;
    @Option(names = "--budget", defaultValue = "PT50M", description = "virtual time a rollout may take at most")
    Duration budget;
    @Option(names = "--verbose", description = "print every run that went wrong (a good canary not completed, a bad one not rolled back) to stderr")
    boolean verbose;

    public static void main(String[] args) {
        // Thousands of rollouts log tens of lines each: keep stderr for the harness's own lines.
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(java.util.logging.Level.SEVERE);
        for (java.util.logging.Handler h : root.getHandlers()) {
            h.setLevel(java.util.logging.Level.SEVERE);
        }
        System.exit(new CommandLine(new JudgeEvaluation()).execute(args));
    }

    static RolloutPlan plan(JudgeKind judge) {
        return RolloutPlan.builder("v1", "v2").judge(judge).build();
    }

    @Override
    public Integer call() throws Exception {
        System.out.println("| judge | profile | runs | completed | rolled back | timed out | unfinished | onset->0% median s | p90 s | exposure mean | sparse promotions | completion median s |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (JudgeKind judge : judges) {
                for (Profile p : Profile.all(rps)) {
                    if (only != null && !only.contains(p.name())) {
                        continue;
                    }
                    int n = p.name().equals("healthy") ? healthyRuns : runs;
                    long t0 = System.nanoTime();
                    List<Future<RunResult>> futures = new ArrayList<>();
                    for (long seed = firstSeed; seed < firstSeed + n; seed++) {
                        long s = seed;
                        futures.add(pool.submit(() -> new RolloutRun(p, plan(judge), s, budget).run()));
                    }
                    List<RunResult> results = new ArrayList<>();
                    for (int i = 0; i < futures.size(); i++) {
                        RunResult r = futures.get(i).get();
                        results.add(r);
                        boolean wrong = p.bad() ? r.outcome() != RunResult.Outcome.ROLLED_BACK : r.outcome() != RunResult.Outcome.COMPLETED;
                        if (verbose && wrong) {
                            System.err.printf(Locale.ROOT, "%s %s seed %d: %s%n", judge, p.name(), firstSeed + i, r.ending());
                        }
                    }
                    System.out.println(row(judge, p, results));
                    System.err.printf(Locale.ROOT, "%s %s: %d runs in %.1f s%n", judge, p.name(), n,
                            (System.nanoTime() - t0) / 1e9);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return 0;
    }

    private static String row(JudgeKind judge, Profile p, List<RunResult> results) {
        int completed = 0, rolledBack = 0, timedOut = 0, unfinished = 0, sparse = 0;
        long exposure = 0;
        List<Long> times = new ArrayList<>();
        List<Long> completions = new ArrayList<>();
        for (RunResult r : results) {
            if (r.outcome() == RunResult.Outcome.COMPLETED) {
                completions.add(r.virtualMillis());
            }
            switch (r.outcome()) {
                case COMPLETED -> completed++;
                case ROLLED_BACK -> rolledBack++;
                case TIMED_OUT -> timedOut++;
                default -> unfinished++;
            }
            sparse += r.sparsePromotions();
            exposure += r.exposure();
            if (r.onsetToZeroMillis() >= 0) {
                times.add(r.onsetToZeroMillis());
            }
        }
        times.sort(null);
        String median = times.isEmpty() ? "-" : String.format(Locale.ROOT, "%.1f", times.get(times.size() / 2) / 1000.0);
        String p90 = times.isEmpty() ? "-" : String.format(Locale.ROOT, "%.1f",
                times.get(Math.min(times.size() - 1, (int) Math.ceil(times.size() * 0.9) - 1)) / 1000.0);
        completions.sort(null);
        String completion = completions.isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f",
                completions.get(completions.size() / 2) / 1000.0);
        String exp = p.bad() ? String.format(Locale.ROOT, "%,d", exposure / Math.max(1, results.size())) : "-";
        return String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %d | %d | %s | %s | %s | %d | %s |",
                judge.name().toLowerCase(Locale.ROOT), p.name(), results.size(), completed, rolledBack, timedOut, unfinished,
                median, p90, exp, sparse, completion);
    }
}
