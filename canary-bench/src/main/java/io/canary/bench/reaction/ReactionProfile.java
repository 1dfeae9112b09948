package io.canary.bench.reaction;

import io.canary.NodeConfig;
import io.canary.rollout.RolloutPlan;
import java.time.Duration;
import java.util.List;

/** A named combination of node timings and rollout plan whose reaction time is measured. */
record ReactionProfile(String name, String origin, NodeConfig config, RolloutPlan plan) {

    static List<ReactionProfile> all() {
        return List.of(
                new ReactionProfile("defaults",
                        "NodeConfig.ofDefaults() and RolloutPlan defaults: 30s steps, failureLimit 2, health every 1s",
                        NodeConfig.ofDefaults(), RolloutPlan.builder("v1", "v2").build()),
                new ReactionProfile("demo-fast",
                        "the documented fast profile (`canary demo --fast`): 2s steps, everything else default",
                        NodeConfig.ofDefaults(), RolloutPlan.builder("v1", "v2").stepInterval(Duration.ofSeconds(2)).build()),
                new ReactionProfile("aggressive",
                        "not a documented recommendation, what the knobs allow: 1s steps, failureLimit 1, health every 250ms",
                        NodeConfig.custom().healthInterval(Duration.ofMillis(250)).build(),
                        RolloutPlan.builder("v1", "v2").stepInterval(Duration.ofSeconds(1)).failureLimit(1).build()));
    }
}
