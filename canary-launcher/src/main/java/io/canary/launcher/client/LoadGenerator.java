package io.canary.launcher.client;

import io.canary.launcher.Durations;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Open-loop traffic against {@code POST /predict}: requests leave on a fixed schedule ({@code rps}
 * per second, round-robin over the nodes) whether or not earlier ones have answered, so a slow
 * version cannot slow the offered load down and hide its own latency. In-flight requests are
 * bounded; a request due while the bound is reached is skipped and counted, never queued.
 * Bounded in count ({@code rps x duration}) and in time (duration plus one request timeout).
 */
public final class LoadGenerator {

    /**
     * @param rps requests per second, &gt; 0
     * @param duration how long to send
     * @param keys number of distinct sticky keys ({@code user-0..}); 0 sends no key (random routing)
     * @param concurrency most requests in flight at once
     */
    public record Plan(double rps, Duration duration, int keys, int concurrency) {
        /** Highest accepted rate: beyond it one client thread cannot pace accurately. */
        public static final double MAX_RPS = 20_000;

        public Plan {
            if (!(rps > 0 && rps <= MAX_RPS)) {
                throw new IllegalArgumentException("--rps must be in (0, " + (int) MAX_RPS + "], got " + rps);
            }
            if (duration.isZero() || duration.isNegative() || duration.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("--duration must be positive and at most 24h, got " + Durations.format(duration));
            }
            if (keys < 0) {
                throw new IllegalArgumentException("--keys must be >= 0, got " + keys);
            }
            if (concurrency < 1) {
                throw new IllegalArgumentException("--concurrency must be >= 1, got " + concurrency);
            }
        }

        /** Requests the plan sends at most. */
        public long totalRequests() {
            return (long) Math.ceil(rps * duration.toNanos() / 1e9);
        }
    }

    /** One progress report, about once a second. */
    public record Progress(Duration elapsed, Duration planned, LoadStats stats, int inFlight) {
    }

    private final DataPlaneClient client;
    private final List<NodeAddress> nodes;
    private final Plan plan;
    private final Duration requestTimeout;
    private final LoadStats stats = new LoadStats();
    private final Semaphore slots;

    public LoadGenerator(DataPlaneClient client, List<NodeAddress> nodes, Plan plan, Duration requestTimeout) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("no node to send load to");
        }
        this.client = client;
        this.nodes = List.copyOf(nodes);
        this.plan = plan;
        this.requestTimeout = requestTimeout;
        this.slots = new Semaphore(plan.concurrency());
    }

    public LoadStats stats() {
        return stats;
    }

    /**
     * Sends the plan's requests, calling {@code progress} about once a second on this thread, and
     * returns once every request answered or timed out. {@code stop} ends sending early (checked
     * before each request).
     */
    public LoadStats run(Consumer<Progress> progress, BooleanSupplier stop) throws InterruptedException {
        long total = plan.totalRequests();
        double intervalNanos = 1e9 / plan.rps();
        long start = System.nanoTime();
        long nextReport = start + 1_000_000_000L;
        for (long i = 0; i < total && !stop.getAsBoolean(); i++) {
            long due = start + (long) (i * intervalNanos);
            for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
                if (now >= nextReport) {
                    nextReport = report(progress, start, nextReport);
                }
                LockSupport.parkNanos(Math.min(due, nextReport) - now);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            if (System.nanoTime() >= nextReport) {
                nextReport = report(progress, start, nextReport);
            }
            send(nodes.get((int) (i % nodes.size())));
        }
        // Wait for the stragglers, but never longer than one request may take.
        long deadline = System.nanoTime() + requestTimeout.toNanos() + 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (slots.tryAcquire(plan.concurrency(), Math.min(1_000_000_000L, Math.max(1, nextReport - System.nanoTime())), TimeUnit.NANOSECONDS)) {
                slots.release(plan.concurrency());
                break;
            }
            if (System.nanoTime() >= nextReport) {
                nextReport = report(progress, start, nextReport);
            }
        }
        return stats;
    }

    private long report(Consumer<Progress> progress, long start, long scheduled) {
        progress.accept(new Progress(Duration.ofNanos(System.nanoTime() - start), plan.duration(), stats,
                plan.concurrency() - slots.availablePermits()));
        long next = scheduled + 1_000_000_000L;
        long now = System.nanoTime();
        return next > now ? next : now + 1_000_000_000L;
    }

    private void send(NodeAddress node) {
        if (!slots.tryAcquire()) {
            stats.skipped();
            return;
        }
        stats.sent();
        String key = plan.keys() > 0 ? "user-" + ThreadLocalRandom.current().nextInt(plan.keys()) : null;
        long sentAt = System.nanoTime();
        try {
            client.predictAsync(node, key).whenComplete((response, failure) -> {
                try {
                    record(node, response, failure, System.nanoTime() - sentAt);
                } finally {
                    slots.release();
                }
            });
        } catch (RuntimeException e) {
            slots.release();
            stats.unreachable(node.nodeId(), DataPlaneClient.describe(e));
        }
    }

    private void record(NodeAddress node, HttpResponse<Void> response, Throwable failure, long latencyNanos) {
        if (failure != null) {
            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
            stats.unreachable(node.nodeId(), DataPlaneClient.describe(cause));
            return;
        }
        String version = response.headers().firstValue(DataPlaneClient.VERSION_HEADER).orElse("unknown");
        int status = response.statusCode();
        stats.answered(version, latencyNanos, status >= 200 && status < 300);
    }

    /** {@code [  5s/60s] sent 1000  answered 990  errors 10  ...} */
    public static String progressLine(Progress p) {
        LoadStats s = p.stats();
        long secs = p.elapsed().toSeconds();
        double rate = p.elapsed().toNanos() > 0 ? s.sentCount() / (p.elapsed().toNanos() / 1e9) : 0;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(java.util.Locale.ROOT, "[%3ds/%ds] sent %d  answered %d  errors %d  unreachable %d  in-flight %d  %.1f req/s",
                secs, p.planned().toSeconds(), s.sentCount(), s.answeredCount(), s.errorCount(), s.unreachableCount(), p.inFlight(), rate));
        String split = s.split();
        if (!split.isEmpty()) {
            sb.append("  ").append(split);
        }
        return sb.toString();
    }
}
