package io.canary.launcher.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.canary.CoordinationStatus;
import io.canary.PeerStatus;
import io.canary.launcher.http.api.ClusterView;
import io.canary.launcher.http.api.ErrorView;
import io.canary.launcher.http.api.MemberView;
import io.canary.launcher.http.api.RolloutStatusView;
import io.canary.launcher.http.api.StateView;
import io.canary.launcher.model.ModelBackend;
import io.canary.model.RoutingState;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The data plane's endpoints and its error rendering. Reads are answered from the node's
 * lock-free state; writes go through {@link AdminGuard} and {@link ProposalHandlers}.
 */
final class DataPlaneRoutes {
    private static final System.Logger LOG = System.getLogger(DataPlaneRoutes.class.getName());

    private final NodeApi node;
    private final AdminGuard guard;
    private final ProposalHandlers proposals;
    private final PredictHandler predict;
    private final HealthHandlers health;
    private final DashboardHandler dashboard = new DashboardHandler();
    /** Whether callers reach this API through the node's own {@link DataPortFront} (then it names the caller). */
    private final boolean behindFront;
    /** {@code POST /routing/weights} as the front serves it: the same guard and validation as the route below. */
    private final NettyWeights weightsOnLoops;

    DataPlaneRoutes(NodeApi node, Map<String, ModelBackend> models, ObjectMapper mapper, DataPlaneOptions options,
                    NodeCounters counters, boolean behindFront) {
        this.node = node;
        this.behindFront = behindFront;
        this.guard = new AdminGuard(options.adminToken(), options.isLoopback());
        RequestBodies bodies = new RequestBodies(mapper, options.maxBodyBytes());
        WeightsInput weights = new WeightsInput(bodies, models.keySet());
        this.proposals = new ProposalHandlers(node, weights, bodies, options.answerDeadline());
        this.weightsOnLoops = new NettyWeights(node, guard, weights, mapper, options.answerDeadline());
        this.predict = new PredictHandler(node, models, bodies, counters);
        this.health = new HealthHandlers(node, counters);
    }

    /** The weights route for the data port's Netty front (same guard, validation and answers as Javalin's). */
    NettyWeights weightsOnLoops() {
        return weightsOnLoops;
    }

    void register(RoutesConfig routes) {
        routes.get("/", dashboard::index);
        routes.get("/dashboard/{file}", dashboard::asset);
        routes.get("/live", ctx -> ctx.json(Map.of("live", true, "node", node.id())));
        routes.get("/ready", this::ready);
        routes.get("/routing/state", ctx -> ctx.json(StateView.of(node.state(), node.coordination())));
        routes.get("/health", health::node);
        routes.get("/health/cluster", health::cluster);
        routes.get("/cluster", this::cluster);
        routes.get("/rollout", ctx -> ctx.json(RolloutStatusView.of(node.rolloutStatus())));
        routes.get("/metrics", health::metrics);
        routes.post("/predict", predict::handle);
        routes.post("/routing/weights", admin(proposals::weights));
        routes.post("/rollout", admin(proposals::startRollout));
        routes.post("/rollout/{action}", admin(proposals::controlRollout));

        routes.exception(ApiException.class, (e, ctx) -> ctx.status(e.status()).json(new ErrorView(e.getMessage())));
        routes.exception(HttpResponseException.class, (e, ctx) -> ctx.status(e.getStatus()).json(new ErrorView(e.getMessage())));
        routes.exception(Exception.class, (e, ctx) -> {
            LOG.log(System.Logger.Level.WARNING, "request " + ctx.method() + " " + ctx.path() + " failed", e);
            ctx.status(500).json(new ErrorView("internal error: " + e.getClass().getSimpleName()
                    + (e.getMessage() != null ? ": " + e.getMessage() : "")));
        });
        routes.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                ctx.json(new ErrorView("no such endpoint: " + ctx.method() + " " + ctx.path()));
            }
        });
        routes.error(405, ctx -> ctx.json(new ErrorView("method " + ctx.method() + " is not allowed on " + ctx.path())));
    }

    private Handler admin(Handler handler) {
        return ctx -> {
            guard.check(caller(ctx), ctx.header("Authorization"));
            handler.handle(ctx);
        };
    }

    /**
     * The caller's address: the socket's, or behind the front the address the front saw (it always
     * sets {@link FrontConnection#PEER_HEADER}, replacing a client's own). Only a loopback socket is
     * believed: a process on this host could also claim another address, but it is local anyway.
     */
    private String caller(Context ctx) {
        String socket = ctx.req().getRemoteAddr();
        if (behindFront) {
            String peer = ctx.header(FrontConnection.PEER_HEADER);
            if (peer != null && !peer.isEmpty() && AdminGuard.isLoopbackAddress(socket)) {
                return peer;
            }
        }
        return socket;
    }

    private void ready(Context ctx) {
        RoutingState s = node.state();
        Map<String, Object> body = new LinkedHashMap<>();
        boolean ready = node.isReady();
        if (!ready) {
            body.put("error", node.id() + " is not ready: it is replaying its log or syncing with the coordinator");
        }
        body.put("ready", ready);
        body.put("node", node.id());
        body.put("version", s.version());
        ctx.status(ready ? 200 : 503).json(body);
    }

    private void cluster(Context ctx) {
        List<PeerStatus> peers = node.cluster();
        CoordinationStatus c = node.coordination();
        String coordinator = c.coordinator().orElse(""); // empty while an election runs
        ctx.json(new ClusterView(node.id(), coordinator, peers.stream().map(MemberView::of).toList(), c.term(),
                c.failSafe(), c.failSafeReason(), c.waitingFor()));
    }
}
