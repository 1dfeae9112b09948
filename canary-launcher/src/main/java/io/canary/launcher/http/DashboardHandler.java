package io.canary.launcher.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The operator's dashboard at {@code GET /}: plain HTML, CSS and JS shipped in the jar (no CDN, no
 * build step), read once at start. The page polls this node's own JSON API; it needs nothing else.
 */
final class DashboardHandler {
    private static final String ROOT = "/io/canary/launcher/dashboard/";
    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "dashboard.js", "text/javascript; charset=utf-8",
            "dashboard.css", "text/css; charset=utf-8");

    private final Map<String, byte[]> files = new LinkedHashMap<>();

    DashboardHandler() {
        for (String name : TYPES.keySet()) {
            try (InputStream in = DashboardHandler.class.getResourceAsStream(ROOT + name)) {
                if (in == null) {
                    throw new IllegalStateException("dashboard asset " + ROOT + name + " is missing from the jar");
                }
                files.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    void index(Context ctx) {
        send(ctx, "index.html");
    }

    void asset(Context ctx) {
        String name = ctx.pathParam("file");
        if (name.equals("index.html") || !files.containsKey(name)) {
            throw new ApiException(404, "no such dashboard file: " + name);
        }
        send(ctx, name);
    }

    private void send(Context ctx, String name) {
        ctx.header("Cache-Control", "no-cache");
        ctx.contentType(TYPES.get(name)).result(files.get(name));
    }
}
