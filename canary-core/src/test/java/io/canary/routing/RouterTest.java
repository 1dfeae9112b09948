package io.canary.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RouterTest {
    private static final int KEYS = 100_000;
    private static final String[] RANDOM_KEYS = randomKeys(KEYS, 2024);

    private static String[] randomKeys(int n, long seed) {
        Random random = new Random(seed);
        String[] keys = new String[n];
        for (int i = 0; i < n; i++) {
            keys[i] = "user-" + Long.toHexString(random.nextLong());
        }
        return keys;
    }

    private static RoutingState state(Map<String, Integer> basisPoints, String baseline, RolloutInfo rollout) {
        return new RoutingState(2, RoutingState.Status.COMMITTED, Weights.ofBasisPoints(basisPoints), baseline, 7, 0, rollout);
    }

    private static RolloutInfo rollout(String id, String canary, int stepIndex) {
        return new RolloutInfo(id, canary, List.of(5, 25, 50, 100), stepIndex, RolloutInfo.Phase.PROGRESSING, "");
    }

    private static RoutingState canaryAt(int percent) {
        int step = List.of(5, 25, 50, 100).indexOf(percent);
        return state(Map.of("v1", 10_000 - percent * 100, "v2", percent * 100), "v1", rollout("r-1", "v2", step));
    }

    private static final List<Map<String, Integer>> WEIGHT_SETS = List.of(
            Map.of("v1", 9_500, "v2", 500),
            Map.of("v1", 7_500, "v2", 2_500),
            Map.of("v1", 5_000, "v2", 5_000),
            Map.of("v1", 1, "v2", 9_999),
            Map.of("v1", 6_000, "v2", 3_000, "v3", 1_000));

    @Test
    void keyedSplitMatchesEveryWeightSetWithinFourSigma() {
        for (Map<String, Integer> weights : WEIGHT_SETS) {
            for (RolloutInfo rollout : List.of(RolloutInfo.NONE, rollout("r-42", "v2", 0))) {
                Router router = new Router(state(weights, "v1", rollout));
                Map<String, Integer> counts = new HashMap<>();
                for (String key : RANDOM_KEYS) {
                    counts.merge(router.route(key), 1, Integer::sum);
                }
                assertWithinSigmas(counts, weights, 4, weights + " " + rollout.id());
            }
        }
    }

    // Unkeyed routing draws from ThreadLocalRandom, so this test is not deterministic: at 4 sigma over
    // ~12 checks it would fail about once in 1,600 runs. 5.5 sigma keeps the false-failure rate near
    // one in 20 million while a wrong split (even 1 point off) is still far outside it.
    @Test
    void unkeyedSplitMatchesEveryWeightSetWithinFiveAndAHalfSigma() {
        for (Map<String, Integer> weights : WEIGHT_SETS) {
            Router router = new Router(state(weights, "v1", RolloutInfo.NONE));
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i < KEYS; i++) {
                counts.merge(router.route(null), 1, Integer::sum);
            }
            assertWithinSigmas(counts, weights, 5.5, "no key, " + weights);
        }
    }

    private static void assertWithinSigmas(Map<String, Integer> counts, Map<String, Integer> weights, double sigmas, String what) {
        assertThat(counts.keySet()).as(what).isSubsetOf(weights.keySet());
        for (Map.Entry<String, Integer> w : weights.entrySet()) {
            double p = w.getValue() / 10_000.0;
            double expected = KEYS * p;
            double sigma = Math.sqrt(KEYS * p * (1 - p));
            int observed = counts.getOrDefault(w.getKey(), 0);
            assertThat(Math.abs(observed - expected))
                    .as("%s: %s got %d of %d, expected %.0f +- %.1f sigma (%.1f)", what, w.getKey(), observed, KEYS, expected, sigmas, sigmas * sigma)
                    .isLessThanOrEqualTo(sigmas * sigma);
        }
    }

    @Test
    void versionWithZeroShareGetsNoTraffic() {
        Router router = new Router(RoutingState.initial("v1", "v2"));
        for (int i = 0; i < 10_000; i++) {
            assertThat(router.route(RANDOM_KEYS[i])).isEqualTo("v1");
            assertThat(router.route(null)).isEqualTo("v1");
        }
    }

    @Test
    void keysOnTheCanaryStayOnItAsTheRolloutRaisesItsShare() {
        Router router = new Router(canaryAt(5));
        boolean[] atFive = new boolean[KEYS];
        boolean[] atTwentyFive = new boolean[KEYS];
        int canaryAtFive = 0;
        for (int i = 0; i < KEYS; i++) {
            atFive[i] = router.route(RANDOM_KEYS[i]).equals("v2");
            canaryAtFive += atFive[i] ? 1 : 0;
        }
        router.update(canaryAt(25));
        for (int i = 0; i < KEYS; i++) {
            atTwentyFive[i] = router.route(RANDOM_KEYS[i]).equals("v2");
            if (atFive[i]) {
                assertThat(atTwentyFive[i]).as("key %s on the canary at 5%% but not at 25%%", RANDOM_KEYS[i]).isTrue();
            }
        }
        router.update(canaryAt(50));
        for (int i = 0; i < KEYS; i++) {
            if (atTwentyFive[i]) {
                assertThat(router.route(RANDOM_KEYS[i])).as("key %s at 50%%", RANDOM_KEYS[i]).isEqualTo("v2");
            }
        }
        assertThat(canaryAtFive).isPositive();
    }

    @Test
    void twoNodesWithTheSameStateRouteEveryKeyTheSameWay() {
        RoutingState state = canaryAt(25);
        Router nodeA = new Router(state);
        Router nodeB = new Router(RoutingState.initial("v1", "v2"));
        nodeB.update(state);
        for (String key : RANDOM_KEYS) {
            assertThat(nodeB.route(key)).isEqualTo(nodeA.route(key));
        }
        assertThat(nodeB.state()).isEqualTo(state);
    }

    @Test
    void bucketOrderPutsTheBaselineFirstAndTheCanaryLastWhateverTheirNames() {
        RoutingTable t = RoutingTable.of(state(Map.of("a", 5_000, "b", 2_000, "z", 3_000), "z", rollout("r", "a", 0)));
        assertThat(t.versionOrder()).containsExactly("z", "b", "a");
        assertThat(t.versionForBucket(0)).isEqualTo("z");
        assertThat(t.versionForBucket(2_999)).isEqualTo("z");
        assertThat(t.versionForBucket(3_000)).isEqualTo("b");
        assertThat(t.versionForBucket(5_000)).isEqualTo("a");
        assertThat(t.versionForBucket(9_999)).isEqualTo("a");
        assertThat(RoutingTable.of(state(Map.of("v1", 5_000, "v2", 5_000), "v1", RolloutInfo.NONE)).seed()).isZero();
        assertThat(t.seed()).isNotZero();
    }

    /**
     * The router enforces the lease deadline itself: past it, every request goes to the baseline
     * although nobody told the router anything (the protocol thread of a paused process has not run
     * yet); a later deadline from the protocol restores the committed weights.
     */
    @Test
    void pastItsLeaseDeadlineTheRouterRoutesEveryRequestToTheBaselineWithoutBeingTold() {
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(1_000);
        Router router = new Router(canaryAt(25), clock::get);
        router.leaseUntil(2_000);
        clock.set(2_000);
        assertThat(canaryShare(router)).as("at the deadline").isBetween(0.23, 0.27);
        assertThat(router.table().isFailSafe()).isFalse();

        clock.set(2_001);
        assertThat(canaryShare(router)).as("past the deadline").isZero();
        for (int i = 0; i < 1_000; i++) {
            assertThat(router.route(null)).isEqualTo("v1");
        }
        assertThat(router.table().isFailSafe()).isTrue();
        assertThat(router.state()).as("the committed state is unchanged").isEqualTo(canaryAt(25));

        router.leaseUntil(5_000);
        assertThat(canaryShare(router)).as("lease renewed").isBetween(0.23, 0.27);
        router.update(canaryAt(50));
        clock.set(5_001);
        assertThat(canaryShare(router)).as("a state committed meanwhile, past the new deadline").isZero();
        router.leaseUntil(Router.NO_DEADLINE);
        assertThat(canaryShare(router)).as("no deadline").isBetween(0.48, 0.52);
    }

    @Test
    void failSafeSetByTheProtocolWinsOverAValidDeadline() {
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(1_000);
        Router router = new Router(canaryAt(25), clock::get);
        router.leaseUntil(9_000);
        router.failSafe(true);
        assertThat(canaryShare(router)).isZero();
        router.update(canaryAt(50));
        assertThat(canaryShare(router)).as("fail-safe survives an update").isZero();
        router.failSafe(false);
        assertThat(canaryShare(router)).isBetween(0.48, 0.52);
    }

    private static double canaryShare(Router router) {
        int canary = 0;
        for (int i = 0; i < 20_000; i++) {
            canary += router.route(RANDOM_KEYS[i]).equals("v2") ? 1 : 0;
        }
        return canary / 20_000.0;
    }

    @Test
    void routingUnderALeaseDeadlineAllocatesNothingEitherSideOfIt() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] clock = {1_000};
        Router router = new Router(canaryAt(25), () -> clock[0]);
        router.leaseUntil(1_500);
        long tid = Thread.currentThread().getId();
        int canary = 0;
        for (int i = 0; i < 20_000; i++) {
            canary += router.route(RANDOM_KEYS[i]).length() + router.route(null).length();
        }
        long before = threads.getThreadAllocatedBytes(tid);
        for (int i = 0; i < KEYS; i++) {
            clock[0] = i % 2 == 0 ? 1_000 : 2_000; // valid, then past the deadline
            canary += router.route(RANDOM_KEYS[i]).length() + router.route(null).length();
        }
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertThat(canary).isPositive();
        assertThat(allocated).as("bytes allocated by 200,000 routes under a deadline").isLessThan(10_000);
    }

    @Test
    void routingAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Router router = new Router(canaryAt(25));
        long tid = Thread.currentThread().getId();
        int canary = 0;
        for (int i = 0; i < 20_000; i++) { // warm up and let allocation accounting settle
            canary += router.route(RANDOM_KEYS[i]).length() + router.route(null).length();
        }
        long before = threads.getThreadAllocatedBytes(tid);
        for (int i = 0; i < KEYS; i++) {
            canary += router.route(RANDOM_KEYS[i]).length() + router.route(null).length();
        }
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertThat(canary).isPositive();
        // 200,000 routes: even one small object per route would be megabytes
        assertThat(allocated).as("bytes allocated by 200,000 routes").isLessThan(10_000);
    }
}
