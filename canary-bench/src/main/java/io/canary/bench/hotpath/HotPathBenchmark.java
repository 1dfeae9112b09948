package io.canary.bench.hotpath;

import io.canary.health.HealthRecorder;
import io.canary.model.Weights;
import io.canary.routing.KeyHash;
import io.canary.routing.Router;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-request cost of routing and recording, next to floors measured in the same run.
 *
 * <p>Floors: {@link #floorEmpty} (JMH's own call overhead), {@link #floorVolatileRandom} (one volatile
 * read plus {@code ThreadLocalRandom.nextInt}: the least any random weighted pick can do),
 * {@link #floorKeyHash} (a volatile read plus the murmur3 of the key: the least a sticky pick can do)
 * and {@link #floorAtomicIncrement} (one atomic increment in a shared array: the least a lock-free
 * histogram record can do). Keys and latencies come from per-thread arrays through the same
 * {@link Cursor} in every method that uses them, so its cost is on both sides of a ratio.
 *
 * <p>Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is the bytes allocated per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class HotPathBenchmark {
    private Router router;
    /** As a node's router is while it holds a lease: a deadline set, so every route reads the monotonic clock once. */
    private Router routerUnderLease;
    private HealthRecorder recorder;
    private volatile int[] floorTable;
    private final AtomicLongArray floorCounts = new AtomicLongArray(HotPathFixtures.HISTOGRAM_SLOTS);

    @Setup
    public void setUp() {
        router = new Router(HotPathFixtures.NINETY_TEN);
        routerUnderLease = new Router(HotPathFixtures.NINETY_TEN);
        routerUnderLease.leaseUntil(Long.MAX_VALUE - 1); // far ahead: never fail-safe, but checked on every route
        recorder = new HealthRecorder("bench", Duration.ofSeconds(30), 6, System::currentTimeMillis);
        recorder.trackVersions(List.of("v1", "v2"));
        floorTable = new int[] {9_000, Weights.TOTAL_BASIS_POINTS};
    }

    @Benchmark
    public void floorEmpty() {
        // JMH's call overhead, nothing else.
    }

    @Benchmark
    public int floorVolatileRandom() {
        int[] t = floorTable;
        return t.length + ThreadLocalRandom.current().nextInt(Weights.TOTAL_BASIS_POINTS);
    }

    @Benchmark
    public int floorKeyHash(Cursor cursor) {
        int[] t = floorTable;
        return t.length + KeyHash.bucket(cursor.nextKey(), 0);
    }

    @Benchmark
    public long floorAtomicIncrement(Cursor cursor) {
        return floorCounts.incrementAndGet(cursor.nextSlot());
    }

    @Benchmark
    public String routeKey(Cursor cursor) {
        return router.route(cursor.nextKey());
    }

    @Benchmark
    public String routeNoKey() {
        return router.route(null);
    }

    /** {@link #routeNoKey} as production runs it: under a lease deadline (one {@code System.nanoTime} per route). */
    @Benchmark
    public String routeNoKeyUnderLease() {
        return routerUnderLease.route(null);
    }

    @Benchmark
    public void record(Cursor cursor) {
        int i = cursor.next();
        recorder.record(cursor.versions[i], cursor.latencies[i], cursor.oks[i]);
    }

    /** Per-thread request data, cycled: 1,024 user keys, versions at 90/10, latencies 0.2..50 ms, 1% errors. */
    @State(Scope.Thread)
    public static class Cursor {
        final String[] keys = new String[HotPathFixtures.CURSOR_SIZE];
        final String[] versions = new String[HotPathFixtures.CURSOR_SIZE];
        final long[] latencies = new long[HotPathFixtures.CURSOR_SIZE];
        final boolean[] oks = new boolean[HotPathFixtures.CURSOR_SIZE];
        final int[] slots = new int[HotPathFixtures.CURSOR_SIZE];
        private int index;

        @Setup
        public void setUp() {
            HotPathFixtures.fill(keys, versions, latencies, oks, slots);
        }

        int next() {
            index = (index + 1) & (HotPathFixtures.CURSOR_SIZE - 1);
            return index;
        }

        String nextKey() {
            return keys[next()];
        }

        int nextSlot() {
            return slots[next()];
        }
    }
}
