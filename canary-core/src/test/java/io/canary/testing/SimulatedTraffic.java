package io.canary.testing;

import io.canary.CanaryNode;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests against every ready node of a {@link LocalCluster}, in virtual time: each tick, each
 * node routes a batch of requests ({@code route}) and records what the version it picked did
 * ({@code record}), by a per-version model of latency and errors that a test can change mid-run.
 * Like the proxy, it mirrors the share of the baseline's requests that a rollout's shadow step asks
 * for ({@code RolloutInfo.shadowMirrorBasisPoints}) to the canary ({@code recordMirror}), unless the
 * node is in fail-safe.
 */
final class SimulatedTraffic {
    /** A version's behaviour: log-normal latency around {@code medianMs}, and an error rate. */
    record Model(double medianMs, double errorRate) {
    }

    private final LocalCluster cluster;
    private final Duration tick;
    private final SplittableRandom random;
    private final Map<String, Model> models = new ConcurrentHashMap<>();
    private volatile int perNodePerTick;
    private volatile boolean running;
    private final Map<String, Long> routed = new ConcurrentHashMap<>();
    private final Map<String, Long> mirrored = new ConcurrentHashMap<>();

    SimulatedTraffic(LocalCluster cluster, int perNodePerTick, Duration tick, long seed) {
        this.cluster = cluster;
        this.perNodePerTick = perNodePerTick;
        this.tick = tick;
        this.random = new SplittableRandom(seed);
    }

    /** How {@code version} behaves from now on. */
    SimulatedTraffic model(String version, double medianMs, double errorRate) {
        models.put(version, new Model(medianMs, errorRate));
        return this;
    }

    /** Requests per node per tick from now on. */
    void rate(int perNodePerTick) {
        this.perNodePerTick = perNodePerTick;
    }

    SimulatedTraffic start() {
        running = true;
        cluster.scheduler().schedule(tick, this::tick);
        return this;
    }

    void stop() {
        running = false;
    }

    /** User requests routed to {@code version} so far, every node. */
    long routedTo(String version) {
        return routed.getOrDefault(version, 0L);
    }

    /** Mirrored copies sent to {@code version} so far, every node. */
    long mirroredTo(String version) {
        return mirrored.getOrDefault(version, 0L);
    }

    private void tick() {
        if (!running) {
            return;
        }
        for (CanaryNode node : cluster.nodes()) {
            if (!node.isReady()) {
                continue; // a load balancer sends nothing to a node that is down or not ready
            }
            for (int i = 0; i < perNodePerTick; i++) {
                String version = node.route();
                routed.merge(version, 1L, Long::sum);
                Model m = models.getOrDefault(version, new Model(100, 0));
                long latencyNanos = (long) (m.medianMs() * 1e6 * Math.exp(0.2 * gaussian()));
                node.record(version, latencyNanos, random.nextDouble() >= m.errorRate());
                var state = node.state();
                int mirrorBp = state.rollout().shadowMirrorBasisPoints();
                if (mirrorBp > 0 && version.equals(state.baseline()) && !node.coordination().failSafe()
                        && random.nextInt(10_000) < mirrorBp) {
                    String target = state.rollout().canary();
                    Model t = models.getOrDefault(target, new Model(100, 0));
                    mirrored.merge(target, 1L, Long::sum);
                    node.recordMirror(target, (long) (t.medianMs() * 1e6 * Math.exp(0.2 * gaussian())),
                            random.nextDouble() >= t.errorRate());
                }
            }
        }
        cluster.scheduler().schedule(tick, this::tick);
    }

    private double gaussian() {
        // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
