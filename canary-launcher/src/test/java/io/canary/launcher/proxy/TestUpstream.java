package io.canary.launcher.proxy;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real upstream on 127.0.0.1 for the proxy's tests (JDK HttpServer, a thread per exchange so a
 * hanging path does not hold the others). Every answer carries {@code X-Upstream: <name>}. Paths:
 * <ul>
 *   <li>{@code /echo...}: 200, the request body streamed back (chunked), and headers describing
 *       the request: {@code X-Echo-Method}, {@code X-Echo-Uri} (path and raw query), {@code X-Echo-Length},
 *       {@code X-Echo-Sha256};</li>
 *   <li>{@code /stream?bytes=N}: 200, N bytes of a known pattern, chunked, in 8 KiB writes;</li>
 *   <li>{@code /status/NNN}: status NNN with a body {@code status NNN} (none for 204/304);</li>
 *   <li>{@code /slow?ms=N}: 200 after N ms;</li>
 *   <li>{@code /hang}: never answers (until {@link #close});</li>
 *   <li>{@code /reset}: announces 1,000,000 bytes, sends 1,000 and closes the connection;</li>
 *   <li>anything else: 200 {@code ok <name>}.</li>
 * </ul>
 * Each request is remembered ({@link #requests()}).
 */
final class TestUpstream implements AutoCloseable {

    /** One request as the upstream saw it. Header names lower-cased. */
    record Seen(String method, String uri, Map<String, List<String>> headers, long bodyBytes) {
        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(java.util.Locale.ROOT));
            return v == null ? null : String.join(", ", v);
        }
    }

    private final String name;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-upstream");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentLinkedQueue<Seen> requests = new ConcurrentLinkedQueue<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    final AtomicInteger inFlight = new AtomicInteger();
    /** Every answer waits this long first (a slow version). */
    volatile long delayMs;

    private TestUpstream(String name) throws IOException {
        this.name = name;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    static TestUpstream start(String name) {
        try {
            return new TestUpstream(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    List<Seen> requests() {
        return List.copyOf(requests);
    }

    /** The pattern byte at offset i of a {@code /stream} body. */
    static byte pattern(long i) {
        return (byte) ('a' + (i * 7 + i / 8191) % 26);
    }

    private void handle(HttpExchange ex) throws IOException {
        inFlight.incrementAndGet();
        try {
            serve(ex);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void serve(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        String query = ex.getRequestURI().getRawQuery();
        Map<String, List<String>> headers = new TreeMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), List.copyOf(v)));
        Headers out = ex.getResponseHeaders();
        out.add("X-Upstream", name);
        if (delayMs > 0) {
            sleep(delayMs);
        }
        if (path.startsWith("/echo")) {
            MessageDigest sha = sha256();
            long n = 0;
            // Read it all first, then stream it back: the JDK server cannot interleave both directions.
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            try (InputStream in = ex.getRequestBody()) {
                byte[] buf = new byte[16_384];
                for (int r; (r = in.read(buf)) > 0; ) {
                    sha.update(buf, 0, r);
                    all.write(buf, 0, r);
                    n += r;
                }
            }
            requests.add(new Seen(ex.getRequestMethod(), path + (query == null ? "" : "?" + query), headers, n));
            out.add("X-Echo-Method", ex.getRequestMethod());
            out.add("X-Echo-Uri", path + (query == null ? "" : "?" + query));
            out.add("X-Echo-Length", Long.toString(n));
            out.add("X-Echo-Sha256", HexFormat.of().formatHex(sha.digest()));
            out.add("Content-Type", "application/octet-stream");
            boolean head = ex.getRequestMethod().equals("HEAD");
            ex.sendResponseHeaders(200, head ? -1 : 0);
            if (!head) {
                try (OutputStream o = ex.getResponseBody()) {
                    byte[] b = all.toByteArray();
                    for (int off = 0; off < b.length; off += 8192) {
                        o.write(b, off, Math.min(8192, b.length - off));
                    }
                }
            }
            ex.close();
            return;
        }
        long body = drain(ex);
        requests.add(new Seen(ex.getRequestMethod(), path + (query == null ? "" : "?" + query), headers, body));
        if (path.equals("/stream")) {
            long bytes = Long.parseLong(query.substring(query.indexOf('=') + 1));
            ex.sendResponseHeaders(200, 0);
            try (OutputStream o = ex.getResponseBody()) {
                byte[] buf = new byte[8192];
                for (long off = 0; off < bytes; ) {
                    int len = (int) Math.min(buf.length, bytes - off);
                    for (int i = 0; i < len; i++) {
                        buf[i] = pattern(off + i);
                    }
                    o.write(buf, 0, len);
                    off += len;
                }
            }
        } else if (path.startsWith("/status/")) {
            int status = Integer.parseInt(path.substring("/status/".length()));
            out.add("X-Custom", "one");
            out.add("X-Custom", "two");
            if (status == 204 || status == 304) {
                ex.sendResponseHeaders(status, -1);
            } else {
                byte[] b = ("status " + status).getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(status, b.length);
                ex.getResponseBody().write(b);
            }
        } else if (path.equals("/slow")) {
            sleep(Long.parseLong(query.substring(query.indexOf('=') + 1)));
            reply(ex, 200, "slow " + name);
        } else if (path.equals("/hang")) {
            try {
                closing.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else if (path.equals("/reset")) {
            ex.sendResponseHeaders(200, 1_000_000);
            OutputStream o = ex.getResponseBody();
            o.write(new byte[1000]);
            o.flush();
            // Fewer bytes than announced: the JDK server closes the connection.
        } else {
            reply(ex, 200, "ok " + name);
        }
        ex.close();
    }

    private static long drain(HttpExchange ex) throws IOException {
        long n = 0;
        try (InputStream in = ex.getRequestBody()) {
            byte[] buf = new byte[16_384];
            for (int r; (r = in.read(buf)) > 0; ) {
                n += r;
            }
        }
        return n;
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
