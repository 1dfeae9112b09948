package io.canary.launcher.demo;

import io.canary.NodeConfig;
import io.canary.launcher.Durations;
import io.canary.launcher.http.api.RolloutRequest;
import io.canary.launcher.model.ModelSpec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code canary demo} runs: the models, the traffic, the node timings and the rollout plan,
 * and the outcome it expects. Immutable.
 *
 * @param badCanary v2 fails 30% of its requests and is three times slower
 * @param stepInterval how long each rollout step is analysed
 * @param rps traffic sent over the three nodes
 * @param minRequests requests each version needs in an analysis
 */
public record DemoScenario(boolean badCanary, Duration stepInterval, int rps, long minRequests) {
    /** Healthy median latency of the simulated models. */
    public static final Duration LATENCY = Duration.ofMillis(20);
    /** Error rate of a healthy simulated model. */
    public static final double ERRORS = 0.005;
    /** Error rate of the bad canary. */
    public static final double BAD_ERRORS = 0.3;
    /** How much slower the bad canary is. */
    public static final int BAD_SLOWDOWN = 3;
    /**
     * Steps of the demo: a first step of 20% (not 5%) so the canary gets enough of the demo's few
     * requests a second for the sequential judge to show it healthy within seconds.
     */
    public static final List<Integer> STEPS = List.of(20, 50, 100);
    /**
     * The demo's sequential judge: an error margin of 5 points and a latency ratio of 2 on the median
     * and p90 (a p99 needs thousands of requests to bound), as tolerant as the demo's thresholds were
     * of a busy machine's noise (its latencies drift with the load), while the bad canary is 3x
     * slower and fails 30%, far outside.
     */
    public static final double ERROR_MARGIN = 0.05;
    public static final double LATENCY_RATIO = 2.0;
    public static final List<Double> QUANTILES = List.of(0.5, 0.9);
    /** Distinct sticky user keys in the traffic. */
    public static final int KEYS = 1000;

    /** Traffic before the rollout starts, so the JVM is warm and the first step is judged on steady latency. */
    public static final Duration WARM_UP = Duration.ofSeconds(2);

    /** The default demo (about a minute), or a faster one (about 15 seconds). */
    public static DemoScenario of(boolean badCanary, boolean fast) {
        return fast ? new DemoScenario(badCanary, Duration.ofSeconds(2), 200, 15)
                    : new DemoScenario(badCanary, Duration.ofSeconds(8), 150, 40);
    }

    public DemoScenario withStepInterval(Duration interval) {
        return new DemoScenario(badCanary, interval, rps, minRequests);
    }

    public DemoScenario withRps(int newRps) {
        return new DemoScenario(badCanary, stepInterval, newRps, minRequests);
    }

    /** The phase the rollout should end in. */
    public String expectedPhase() {
        return badCanary ? "ROLLED_BACK" : "COMPLETED";
    }

    /** v1 healthy; v2 healthy or bad. */
    public Map<String, ModelSpec> models() {
        Map<String, ModelSpec> m = new LinkedHashMap<>();
        m.put("v1", new ModelSpec.Demo(LATENCY, ERRORS));
        m.put("v2", badCanary ? new ModelSpec.Demo(LATENCY.multipliedBy(BAD_SLOWDOWN), BAD_ERRORS) : new ModelSpec.Demo(LATENCY, ERRORS));
        return m;
    }

    /** Quick timings so the demo reacts in seconds; the health window spans a few steps. */
    public NodeConfig nodeConfig() {
        Duration window = stepInterval.multipliedBy(2).compareTo(Duration.ofSeconds(4)) < 0
                ? Duration.ofSeconds(4) : stepInterval.multipliedBy(2);
        return NodeConfig.custom()
                .heartbeatInterval(Duration.ofMillis(200))
                .peerTimeout(Duration.ofSeconds(1))
                .healthInterval(Duration.ofMillis(250))
                .healthWindow(window)
                .prepareTimeout(Duration.ofSeconds(1))
                .retryInterval(Duration.ofMillis(100))
                .syncTimeout(Duration.ofSeconds(2))
                .requestTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** The body of {@code POST /rollout}. */
    public RolloutRequest rolloutRequest() {
        return new RolloutRequest("v2", null, STEPS, Durations.format(stepInterval), minRequests, null, null, null, null,
                null, "sequential", Durations.format(maxStep()), null, null, ERROR_MARGIN, null, LATENCY_RATIO, QUANTILES, null, null,
                null, null);
    }

    /** The same request as a command line, for the user to reuse (the quantiles are the HTTP API's). */
    public String rolloutCommandLine() {
        return "canary rollout start --canary v2 --steps 20,50,100 --interval " + Durations.format(stepInterval)
                + " --min-requests " + minRequests + " --max-step " + Durations.format(maxStep())
                + " --error-margin 5% --latency-ratio " + LATENCY_RATIO;
    }

    /** The longest a demo step may hold: a few intervals, so a demo never waits long for an undecided step. */
    public Duration maxStep() {
        return stepInterval.multipliedBy(10).plusSeconds(30);
    }

    /** An upper bound on how long the rollout can take: every step holding to its maximum, plus slack. */
    public Duration deadline() {
        return maxStep().multipliedBy(STEPS.size()).plusSeconds(30);
    }
}
