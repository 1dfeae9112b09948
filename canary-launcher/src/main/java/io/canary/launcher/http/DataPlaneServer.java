package io.canary.launcher.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.canary.launcher.LauncherException;
import io.canary.launcher.http.api.ErrorView;
import io.canary.launcher.model.ModelBackend;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import io.javalin.util.JavalinBindException;
import java.util.Map;
import java.util.Objects;

/**
 * A node's HTTP data plane (Javalin): routing state, health, predictions, weight changes, rollout
 * control, cluster view, readiness and metrics. Every error is {@code {"error":"..."}}; no response
 * ever carries a stack trace.
 *
 * <p>Threading: handlers run on Jetty threads; they read the node's lock-free state and hand
 * mutations to the node as futures, so no Jetty thread waits on the protocol thread.
 */
public final class DataPlaneServer implements AutoCloseable {
    private final Javalin app;
    /** The Netty front on the data port (null with {@code -Dcanary.predict.engine=javalin}: Javalin listens there). */
    private final DataPortFront front;

    private DataPlaneServer(Javalin app, DataPortFront front) {
        this.app = app;
        this.front = front;
    }

    /** Whether the data port is the Netty front ({@link DataPortFront}, the default) rather than Javalin itself. */
    static boolean frontEnabled() {
        return !"javalin".equalsIgnoreCase(System.getProperty("canary.predict.engine", "netty"));
    }

    /**
     * Starts serving {@code node} on {@code options.host():options.port()}.
     *
     * @throws LauncherException (environment) if the port is in use or the address cannot be bound
     */
    public static DataPlaneServer start(DataPlaneOptions options, NodeApi node, Map<String, ModelBackend> models) {
        return start(options, node, models, new NodeCounters());
    }

    /**
     * Starts serving {@code node}, reporting {@code counters} (which the caller may also feed with
     * commits and aborts) in {@code /metrics}.
     *
     * @throws LauncherException (environment) if the port is in use or the address cannot be bound
     */
    public static DataPlaneServer start(DataPlaneOptions options, NodeApi node, Map<String, ModelBackend> models,
                                        NodeCounters counters) {
        return start(options, node, models, counters, frontEnabled());
    }

    /** Like {@link #start(DataPlaneOptions, NodeApi, Map, NodeCounters)}, with the Netty front or without (tests run both). */
    static DataPlaneServer start(DataPlaneOptions options, NodeApi node, Map<String, ModelBackend> models,
                                 NodeCounters counters, boolean withFront) {
        Objects.requireNonNull(counters, "counters");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(models, "models");
        ObjectMapper mapper = Json.mapper();
        DataPlaneRoutes routes = new DataPlaneRoutes(node, models, mapper, options, counters, withFront);
        Javalin app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            // Behind the front, the API listens on loopback only: the front is its one caller from outside.
            cfg.jetty.host = withFront ? "127.0.0.1" : options.host();
            cfg.jetty.port = withFront ? 0 : options.port();
            cfg.http.maxRequestSize = options.maxBodyBytes();
            cfg.jsonMapper(new JavalinJackson(mapper, false));
            routes.register(cfg.routes);
        });
        try {
            app.start();
        } catch (JavalinBindException e) {
            stopQuietly(app);
            throw LauncherException.environment(inUse(options), e);
        } catch (RuntimeException e) {
            stopQuietly(app);
            throw LauncherException.environment("cannot start the data plane on " + options.host() + ":"
                    + options.port() + ": " + rootMessage(e), e);
        }
        if (!withFront) {
            return new DataPlaneServer(app, null);
        }
        RequestBodies bodies = new RequestBodies(mapper, options.maxBodyBytes());
        try {
            DataPortFront front = DataPortFront.start(options.host(), options.port(), app.port(),
                    options.answerDeadline().toMillis() + 5_000, options.maxBodyBytes(),
                    client -> new NettyPredict(node, models, bodies, counters, mapper, client), routes.weightsOnLoops());
            return new DataPlaneServer(app, front);
        } catch (Exception e) {
            stopQuietly(app);
            if (isBindFailure(e)) {
                throw LauncherException.environment(inUse(options), e);
            }
            throw LauncherException.environment("cannot start the data plane on " + options.host() + ":"
                    + options.port() + ": " + rootMessage(e), e);
        }
    }

    private static String inUse(DataPlaneOptions options) {
        return "data port " + options.port() + " on " + options.host()
                + " is already in use by another process or a lingering connection (ss -tanp | grep :"
                + options.port() + " shows which; choose another with --data-port)";
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.BindException || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
                return true;
            }
        }
        return false;
    }

    /** The bound port (the chosen one when started on port 0). */
    public int port() {
        return front != null ? front.port() : app.port();
    }

    /** Stops accepting requests and closes connections. Idempotent; never throws. */
    @Override
    public void close() {
        if (front != null) {
            try {
                front.close();
            } catch (RuntimeException ignored) {
                // Best effort, as for Javalin below.
            }
        }
        stopQuietly(app);
    }

    static ErrorView error(String message) {
        return new ErrorView(message);
    }

    private static void stopQuietly(Javalin app) {
        try {
            app.stop();
        } catch (RuntimeException ignored) {
            // Stopping is best effort: the process is going away or the start already failed.
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
