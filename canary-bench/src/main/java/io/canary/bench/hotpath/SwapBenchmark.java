package io.canary.bench.hotpath;

import io.canary.model.RoutingState;
import io.canary.routing.Router;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Routing while another thread swaps the weights as fast as it can: one routing thread and one
 * thread calling {@link Router#update} in a loop, alternating 90/10 and 75/25. This is far beyond
 * any real commit rate (a commit is milliseconds of 2PC and fsync); it shows what a swap costs the
 * routing threads (a cache miss on the new table) and that routing never blocks on it.
 *
 * <p>JMH reports each method of a group separately for time; its {@code -prof gc} allocation figure
 * is for the whole group and is the swapper's (a new routing table per update), not routing's.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class SwapBenchmark {
    private Router router;
    private boolean flip;

    @Setup
    public void setUp() {
        router = new Router(HotPathFixtures.NINETY_TEN);
    }

    @Benchmark
    @Group("swapNoKey")
    @GroupThreads(1)
    public String routeNoKey() {
        return router.route(null);
    }

    @Benchmark
    @Group("swapNoKey")
    @GroupThreads(1)
    public void updateForNoKey() {
        swap();
    }

    @Benchmark
    @Group("swapKey")
    @GroupThreads(1)
    public String routeKey(HotPathBenchmark.Cursor cursor) {
        return router.route(cursor.nextKey());
    }

    @Benchmark
    @Group("swapKey")
    @GroupThreads(1)
    public void updateForKey() {
        swap();
    }

    private void swap() {
        // Only the swapper thread touches flip.
        flip = !flip;
        RoutingState next = flip ? HotPathFixtures.SEVENTY_FIVE_TWENTY_FIVE : HotPathFixtures.NINETY_TEN;
        router.update(next);
    }
}
