package io.canary.bench.scale;

import io.canary.NodeConfig;
import io.canary.launcher.Durations;
import java.util.List;

/** Node timings from {@code name=duration} overrides of the defaults (the same in every JVM of a run). */
final class Timings {
    private Timings() {
    }

    static NodeConfig config(List<String> overrides) {
        NodeConfig.Builder b = NodeConfig.custom();
        for (String o : overrides) {
            String[] kv = o.split("=", 2);
            var d = Durations.parse(kv[1]);
            switch (kv[0]) {
                // A caller's request must outlive the prepare round it waits for.
                case "prepareTimeout" -> b.prepareTimeout(d).requestTimeout(d.plusSeconds(10));
                case "heartbeatInterval" -> b.heartbeatInterval(d);
                case "peerTimeout" -> b.peerTimeout(d);
                case "healthInterval" -> b.healthInterval(d);
                default -> throw new IllegalArgumentException("unknown timing " + kv[0]);
            }
        }
        return b.build();
    }
}
