package io.canary.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * Runs many seeds, on as many threads as the machine has cores (each run is single-threaded and
 * shares nothing), and keeps the failure with the lowest seed so that a report is reproducible.
 */
final class SimRunner {

    /** What a batch of runs did. */
    record Batch(SimStats stats, List<SimResult> failures, long wallMillis, long cpuMillis) {
        SimResult firstFailure() {
            return failures.isEmpty() ? null : failures.get(0);
        }
    }

    private SimRunner() {
    }

    /**
     * Runs seeds {@code first .. first + count - 1}.
     *
     * @param stopAtFirst stop handing out seeds once a run failed (the lowest failing seed seen is kept)
     */
    static Batch run(long first, long count, LongFunction<SimParams> params, boolean stopAtFirst) {
        int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), 4));
        AtomicLong next = new AtomicLong(first);
        long end = first + count;
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "simulation");
            t.setDaemon(true);
            return t;
        });
        List<Future<Partial>> futures = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            futures.add(pool.submit(() -> {
                Partial partial = new Partial();
                long cpuAtStart = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                for (long seed = next.getAndIncrement(); seed < end; seed = next.getAndIncrement()) {
                    SimResult result = new Simulation(params.apply(seed)).run();
                    partial.stats.add(result.stats());
                    if (!result.passed()) {
                        partial.failures.add(result);
                        if (stopAtFirst) {
                            next.set(end);
                        }
                    }
                }
                partial.cpuNanos = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuAtStart;
                return partial;
            }));
        }
        SimStats total = new SimStats();
        List<SimResult> failures = new ArrayList<>();
        long cpu = 0;
        try {
            for (Future<Partial> f : futures) {
                Partial p = f.get();
                total.add(p.stats);
                cpu += p.cpuNanos;
                failures.addAll(p.failures);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a simulation run threw: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        failures.sort(java.util.Comparator.comparingLong(r -> r.params().seed()));
        return new Batch(total, failures, (System.nanoTime() - started) / 1_000_000, cpu / 1_000_000);
    }

    private static final class Partial {
        final SimStats stats = new SimStats();
        final List<SimResult> failures = new ArrayList<>();
        long cpuNanos;
    }
}
