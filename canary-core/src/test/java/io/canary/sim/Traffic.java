package io.canary.sim;

import io.canary.health.HealthRecorder;
import io.canary.routing.Router;
import java.util.SplittableRandom;

/**
 * Simulated user traffic: each tick a node routes a few keyed requests through its real
 * {@link Router} and records their latency and outcome in its real {@link HealthRecorder}. A
 * degraded version answers slowly and fails often, which is what the rollout's judge must see.
 */
final class Traffic {
    static final int REQUESTS_PER_TICK = 6;
    // Enough users that a 5% step gets about 5% of them (sticky routing hashes each user to one bucket).
    private static final String[] KEYS = new String[4096];

    static {
        for (int i = 0; i < KEYS.length; i++) {
            KEYS[i] = "user-" + i;
        }
    }

    private final SplittableRandom random;
    // At most a handful of versions: a scan beats hashing on every request.
    private String[] degraded = new String[0];
    private long requests;

    Traffic(SplittableRandom random) {
        this.random = random;
    }

    /** From now on {@code version} is degraded (slow, failing) or healthy. */
    void setDegraded(String version, boolean bad) {
        java.util.List<String> now = new java.util.ArrayList<>(java.util.List.of(degraded));
        now.remove(version);
        if (bad) {
            now.add(version);
        }
        degraded = now.toArray(new String[0]);
    }

    long requests() {
        return requests;
    }

    void serve(Router router, HealthRecorder health) {
        for (int i = 0; i < REQUESTS_PER_TICK; i++) {
            String version = router.route(KEYS[random.nextInt(KEYS.length)]);
            boolean bad = false;
            for (String d : degraded) {
                bad |= d.equals(version);
            }
            long latencyMillis = bad ? 40 + random.nextInt(80) : 10 + random.nextInt(15);
            boolean ok = bad ? random.nextInt(100) >= 20 : random.nextInt(1000) >= 2;
            health.record(version, latencyMillis * 1_000_000L, ok);
            requests++;
        }
    }
}
