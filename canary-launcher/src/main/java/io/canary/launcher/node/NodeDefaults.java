package io.canary.launcher.node;

import io.canary.launcher.model.ModelSpec;
import io.canary.launcher.proxy.ProxySettings;
import io.canary.model.Weights;
import io.canary.net.HostPort;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** The defaults {@link NodeSettings.Builder#build()} fills in for what was not set: ports, models, weights, baseline. */
final class NodeDefaults {

    private NodeDefaults() {
    }

    /** Data port 50051 for the first member, 50052 for the second, and so on. */
    static int dataPort(Map<String, HostPort> members, String nodeId) {
        int index = 0;
        for (String id : members.keySet()) {
            if (id.equals(nodeId)) {
                break;
            }
            index++;
        }
        return ReferenceLayout.FIRST_DATA_PORT + index;
    }

    /** With a proxy and no --model, {@code /predict} posts to each version's first upstream endpoint. */
    static Map<String, ModelSpec> upstreamModels(ProxySettings proxy) {
        Map<String, ModelSpec> m = new LinkedHashMap<>();
        proxy.upstreams().forEach((v, u) -> m.put(v, new ModelSpec.Http(u.endpoints().get(0), ModelSpec.DEFAULT_HTTP_TIMEOUT)));
        return m;
    }

    /** Without --model: v1 and v2, both simulated demo models. */
    static Map<String, ModelSpec> models() {
        Map<String, ModelSpec> m = new LinkedHashMap<>();
        m.put("v1", new ModelSpec.Demo(ModelSpec.DEFAULT_DEMO_LATENCY, ModelSpec.DEFAULT_DEMO_ERRORS));
        m.put("v2", new ModelSpec.Demo(ModelSpec.DEFAULT_DEMO_LATENCY, ModelSpec.DEFAULT_DEMO_ERRORS));
        return m;
    }

    /** Without --initial-weights: everything on the first model. */
    static Weights weights(Map<String, ModelSpec> models) {
        Map<String, Integer> bp = new TreeMap<>();
        boolean first = true;
        for (String v : models.keySet()) {
            bp.put(v, first ? Weights.TOTAL_BASIS_POINTS : 0);
            first = false;
        }
        return Weights.ofBasisPoints(bp);
    }

    /** Without --baseline: the version with the largest share (the first of equals). */
    static String largestShare(Weights weights) {
        String best = null;
        int bestBp = -1;
        for (String v : weights.versions()) {
            if (weights.basisPoints(v) > bestBp) {
                best = v;
                bestBp = weights.basisPoints(v);
            }
        }
        return best;
    }
}
