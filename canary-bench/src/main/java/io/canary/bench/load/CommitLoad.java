package io.canary.bench.load;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A closed-loop commit client: each of {@code --clients} threads sends one write, waits for its
 * answer, and sends the next, until {@code --commits} writes are answered or {@code --max-seconds}
 * pass. The same code drives Canary ({@code POST /routing/weights}) and etcd ({@code POST /v3/kv/put}),
 * over one JDK HTTP/1.1 client. Prints one {@code RESULT} line of key=value pairs.
 */
@Command(name = "commit-load", mixinStandardHelpOptions = true,
        description = "Closed-loop commit latency against Canary's /routing/weights or etcd's /v3/kv/put.")
public final class CommitLoad implements Callable<Integer> {
    @Option(names = "--target", required = true, description = "canary or etcd") String target;
    @Option(names = "--url", required = true, description = "base URL, e.g. http://127.0.0.1:50051") String url;
    @Option(names = "--commits", defaultValue = "1000", description = "measured writes") int commits;
    @Option(names = "--clients", defaultValue = "1", description = "concurrent closed-loop clients") int clients;
    @Option(names = "--warmup", defaultValue = "100", description = "unmeasured writes first, one client") int warmup;
    @Option(names = "--max-seconds", defaultValue = "120", description = "stop measuring after this long") int maxSeconds;
    @Option(names = "--label", defaultValue = "", description = "free text copied into the RESULT line") String label;
    @Option(names = "--trace", description = "write each measured write's send and answer System.nanoTime() to this file "
            + "(one line 'sent answered'; comparable with the nodes' -Dcanary.trace.dir lines)") java.nio.file.Path trace;

    public static void main(String[] args) {
        System.exit(new CommandLine(new CommitLoad()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        CommitTarget t = CommitTarget.of(target, url);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        Duration timeout = Duration.ofSeconds(30);
        AtomicLong seq = new AtomicLong();
        for (int i = 0; i < warmup; i++) {
            HttpResponse<String> r = http.send(t.request(seq.getAndIncrement(), timeout), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                System.err.println("warm-up write failed: HTTP " + r.statusCode() + " " + oneLine(r.body()));
                return 1;
            }
        }
        LatencySamples samples = new LatencySamples(commits);
        long[][] stamps = trace != null ? new long[commits + clients][] : null;
        AtomicLong claimed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(maxSeconds).toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread th = new Thread(() -> {
                long n;
                while ((n = claimed.getAndIncrement()) < commits && System.nanoTime() < deadline) {
                    long s = seq.getAndIncrement();
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> r = http.send(t.request(s, timeout), HttpResponse.BodyHandlers.ofString());
                        long t1 = System.nanoTime();
                        long elapsed = t1 - t0;
                        if (stamps != null) {
                            stamps[(int) n] = new long[] {t0, t1};
                        }
                        if (r.statusCode() / 100 == 2) {
                            samples.add(elapsed);
                        } else {
                            failed.incrementAndGet();
                            firstFailure.compareAndSet(null, "HTTP " + r.statusCode() + " " + oneLine(r.body()));
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(null, e.toString());
                        if (e instanceof InterruptedException) {
                            return;
                        }
                    }
                }
            }, "commit-client-" + c);
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (stamps != null) {
            try (java.io.PrintWriter w = new java.io.PrintWriter(java.nio.file.Files.newBufferedWriter(trace))) {
                for (long[] st : stamps) {
                    if (st != null) {
                        w.println(st[0] + " " + st[1]);
                    }
                }
            }
        }
        int ok = samples.size();
        System.out.println(String.format(Locale.ROOT,
                "RESULT commit target=%s clients=%d commits=%d ok=%d failed=%d seconds=%.2f per_second=%.1f "
                        + "p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f mean_ms=%.3f label=%s",
                t.name(), clients, commits, ok, failed.get(), seconds, ok / seconds,
                samples.percentileMillis(50), samples.percentileMillis(99), samples.percentileMillis(99.9),
                samples.percentileMillis(100), samples.meanMillis(), label.isEmpty() ? "-" : label));
        if (firstFailure.get() != null) {
            System.out.println("first failure: " + firstFailure.get());
        }
        return ok > 0 ? 0 : 1;
    }

    private static String oneLine(String s) {
        String flat = s == null ? "" : s.replaceAll("\\s+", " ");
        return flat.length() > 200 ? flat.substring(0, 200) + "..." : flat;
    }
}
