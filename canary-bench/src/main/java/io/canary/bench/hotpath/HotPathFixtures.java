package io.canary.bench.hotpath;

import io.canary.health.HistogramLayout;
import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import java.util.List;
import java.util.SplittableRandom;

/** Shared, deterministic inputs of the hot-path benchmarks. */
final class HotPathFixtures {
    static final int CURSOR_SIZE = 1024;
    static final int HISTOGRAM_SLOTS = HistogramLayout.BUCKET_COUNT;

    private static final RolloutInfo ROLLOUT =
            new RolloutInfo("bench-rollout", "v2", List.of(5, 25, 50, 100), 1, RolloutInfo.Phase.PROGRESSING, "");

    /** v1 90%, v2 10%, inside a rollout (so keys hash with a non-zero seed, as in production). */
    static final RoutingState NINETY_TEN = new RoutingState(2, RoutingState.Status.COMMITTED,
            Weights.split("v1", "v2", 10), "v1", 1, 1L, ROLLOUT);

    /** v1 75%, v2 25%: the other state a swapper alternates with. */
    static final RoutingState SEVENTY_FIVE_TWENTY_FIVE = new RoutingState(3, RoutingState.Status.COMMITTED,
            Weights.split("v1", "v2", 25), "v1", 2, 2L, ROLLOUT);

    private HotPathFixtures() {
    }

    static void fill(String[] keys, String[] versions, long[] latencies, boolean[] oks, int[] slots) {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < keys.length; i++) {
            keys[i] = "user-" + (100_000 + random.nextInt(900_000));
            versions[i] = random.nextInt(100) < 90 ? "v1" : "v2";
            latencies[i] = 200_000L + random.nextLong(50_000_000L);
            oks[i] = random.nextInt(100) != 0;
            slots[i] = HistogramLayout.indexOf(latencies[i]);
        }
    }
}
