package io.canary.bench.reaction;

import io.canary.CanaryNode;
import io.canary.model.RoutingState;
import io.canary.testing.LocalCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Reaction time in virtual time: a 3-node {@link LocalCluster} (in-memory network, manual clock)
 * serves traffic through {@code route}/{@code record}; a rollout of v2 reaches 25%; then, at an
 * offset into that step, the canary starts failing 30% of its requests (the baseline fails 1%).
 * Measured: virtual time from the first failing request until every node routes 0% to v2, and the
 * highest share v2 reached meanwhile. Offsets are 0, 1/4, 1/2 and 3/4 of the step interval, since
 * a failure that starts late in a step is diluted by the step's healthy traffic.
 */
@Command(name = "reaction-time", mixinStandardHelpOptions = true,
        description = "Time until a failing 25% canary is routed 0% on every node (virtual time).")
public final class ReactionTime implements Callable<Integer> {
    private static final Duration TICK = Duration.ofMillis(50);

    @Option(names = "--rps-per-node", defaultValue = "200", description = "requests per second each node serves")
    int rpsPerNode;
    @Option(names = "--nodes", defaultValue = "3") int nodes;
    @Option(names = "--error-rate", defaultValue = "0.30", description = "the failing canary's error rate") double failingErrorRate;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ReactionTime()).execute(args));
    }

    @Override
    public Integer call() {
        for (ReactionProfile profile : ReactionProfile.all()) {
            System.out.println("# profile " + profile.name() + ": " + profile.origin());
            for (int quarter = 0; quarter < 4; quarter++) {
                run(profile, quarter);
            }
        }
        return 0;
    }

    private void run(ReactionProfile profile, int quarter) {
        Traffic traffic = new Traffic(rpsPerNode, TICK);
        try (LocalCluster cluster = LocalCluster.builder().nodes(nodes).config(profile.config()).seed(7 + quarter).build()) {
            cluster.advanceUntil(cluster::allReady, Duration.ofSeconds(30));
            traffic.start(cluster);
            CompletableFuture<RoutingState> started = cluster.node(cluster.ids().get(0)).startRollout(profile.plan());
            cluster.advanceUntil(started::isDone, Duration.ofSeconds(30));
            boolean at25 = cluster.advanceUntil(() -> everyNodeAt(cluster, 0.25), Duration.ofMinutes(10));
            if (!at25) {
                System.out.println("RESULT reaction profile=" + profile.name() + " error=never-reached-25%");
                return;
            }
            long offsetMillis = profile.plan().stepInterval().toMillis() * quarter / 4;
            cluster.advance(Duration.ofMillis(offsetMillis));
            double[] peak = {0.25};
            for (CanaryNode n : cluster.nodes()) {
                n.addListener(s -> peak[0] = Math.max(peak[0], s.weights().share("v2")));
            }
            long failingFrom = cluster.scheduler().nowMillis();
            traffic.canaryErrorRate(failingErrorRate);
            boolean zero = cluster.advanceUntil(() -> everyNodeAt(cluster, 0.0), Duration.ofMinutes(15));
            double seconds = (cluster.scheduler().nowMillis() - failingFrom) / 1000.0;
            List<String> verdicts = new ArrayList<>();
            cluster.node(cluster.ids().get(0)).rolloutStatus().verdicts()
                    .forEach(v -> verdicts.add(v.decision().name()));
            System.out.println(String.format(Locale.ROOT,
                    "RESULT reaction profile=%s failure_starts=%d/4_into_step reached_zero=%s seconds=%.2f "
                            + "peak_canary_share=%.2f verdicts=%s rps_per_node=%d",
                    profile.name(), quarter, zero, seconds, peak[0], String.join(",", verdicts), rpsPerNode));
        }
    }

    private static boolean everyNodeAt(LocalCluster cluster, double share) {
        return cluster.nodes().stream().allMatch(n -> n.state().weights().share("v2") == share);
    }

    /** Per tick, each node routes its share of requests by key and records how the version did. */
    private static final class Traffic {
        private final int perTick;
        private final Duration tick;
        private final SplittableRandom random = new SplittableRandom(42);
        private double canaryErrorRate = 0.01;

        Traffic(int rpsPerNode, Duration tick) {
            this.perTick = Math.max(1, (int) (rpsPerNode * tick.toMillis() / 1000));
            this.tick = tick;
        }

        void canaryErrorRate(double rate) {
            this.canaryErrorRate = rate;
        }

        void start(LocalCluster cluster) {
            cluster.scheduler().schedule(tick, () -> serve(cluster));
        }

        private void serve(LocalCluster cluster) {
            for (CanaryNode node : cluster.nodes()) {
                for (int i = 0; i < perTick; i++) {
                    String version = node.route("user-" + random.nextInt(100_000));
                    double errors = version.equals("v2") ? canaryErrorRate : 0.01;
                    long latencyNanos = (long) (40_000_000 * Math.exp(0.2 * random.nextGaussian()));
                    node.record(version, latencyNanos, random.nextDouble() >= errors);
                }
            }
            cluster.scheduler().schedule(tick, () -> serve(cluster));
        }
    }
}
