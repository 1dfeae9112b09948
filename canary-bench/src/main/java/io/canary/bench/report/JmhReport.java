package io.canary.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads JMH JSON results (one file per thread count) and prints, per hot-path operation, its ns/op and
 * B/op next to the floor measured in the same JMH run, the ratio, and whether the target holds
 * (route within 2x its floor, zero allocation). Usage: {@code JmhReport result-1t.json result-2t.json ...}.
 */
public final class JmhReport {
    /** Route must stay within this multiple of its floor. */
    static final double ROUTE_TARGET = 2.0;
    /** Below this many bytes per operation is zero (JMH reports ~1e-4 from its own bookkeeping). */
    static final double ZERO_BYTES = 0.01;

    /** ns is the median over every measured iteration of every fork; mean and error are JMH's. */
    private record Row(String name, int threads, double ns, double min, double mean, double error, double bytes) {
    }

    /** Operation, its floor, and whether the 2x target applies to it. */
    private record Check(String op, String floor, boolean routeTarget) {
    }

    private static final List<Check> CHECKS = List.of(
            new Check("routeNoKey", "floorVolatileRandom", true),
            new Check("routeKey", "floorVolatileRandom", true),
            new Check("routeNoKeyUnderLease", "floorVolatileRandom", false),
            new Check("routeNoKeyUnderLease", "routeNoKey", false),
            new Check("routeKey", "floorKeyHash", false),
            new Check("record", "floorAtomicIncrement", false),
            new Check("record", "floorEmpty", false),
            new Check("swapNoKey:routeNoKey", "floorVolatileRandom", false),
            new Check("swapKey:routeKey", "floorKeyHash", false));

    public static void main(String[] args) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        for (String file : args) {
            Map<String, Row> rows = new LinkedHashMap<>();
            int threads = Integer.MAX_VALUE;
            for (JsonNode run : mapper.readTree(Path.of(file).toFile())) {
                int runThreads = run.get("threads").asInt();
                threads = Math.min(threads, runThreads);
                String bench = run.get("benchmark").asText();
                String simple = bench.substring(bench.lastIndexOf('.') + 1);
                JsonNode primary = run.get("primaryMetric");
                JsonNode secondary = run.get("secondaryMetrics");
                double bytes = secondary.has("gc.alloc.rate.norm") ? secondary.get("gc.alloc.rate.norm").get("score").asDouble() : Double.NaN;
                rows.put(simple, row(simple, runThreads, primary, bytes));
                // A group's methods are secondary metrics of the group: keep each one's time.
                for (var e : secondary.properties()) {
                    if (!e.getKey().contains(".") && "ns/op".equals(e.getValue().get("scoreUnit").asText())) {
                        String name = simple + ":" + e.getKey();
                        rows.put(name, row(name, 1, e.getValue(), bytes));
                    }
                }
            }
            print(file, threads, rows);
        }
    }

    private static Row row(String name, int threads, JsonNode metric, double bytes) {
        List<Double> iterations = new java.util.ArrayList<>();
        for (JsonNode fork : metric.path("rawData")) {
            for (JsonNode it : fork) {
                iterations.add(it.asDouble());
            }
        }
        java.util.Collections.sort(iterations);
        double mean = metric.get("score").asDouble();
        double median = iterations.isEmpty() ? mean : iterations.size() % 2 == 1
                ? iterations.get(iterations.size() / 2)
                : (iterations.get(iterations.size() / 2 - 1) + iterations.get(iterations.size() / 2)) / 2;
        double min = iterations.isEmpty() ? mean : iterations.get(0);
        return new Row(name, threads, median, min, mean, metric.get("scoreError").asDouble(), bytes);
    }

    private static void print(String file, int threads, Map<String, Row> rows) {
        System.out.println("# " + file + ": " + threads + " benchmark thread(s); a swap group is 1 routing + 1 swapping thread");
        for (Row r : rows.values()) {
            System.out.println(String.format(Locale.ROOT,
                    "RESULT hotpath threads=%d op=%s median_ns=%.2f min_ns=%.2f mean_ns=%.2f error=%.2f bytes_per_op=%s",
                    r.threads(), r.name(), r.ns(), r.min(), r.mean(), r.error(), bytes(r.bytes())));
        }
        for (Check c : CHECKS) {
            Row op = rows.get(c.op());
            Row floor = rows.get(c.floor());
            if (op == null || floor == null) {
                continue;
            }
            double ratio = op.ns() / floor.ns();
            boolean zero = op.bytes() < ZERO_BYTES;
            String verdict = c.routeTarget()
                    ? (ratio <= ROUTE_TARGET && zero ? "MET" : "MISSED")
                            + String.format(Locale.ROOT, " (target: <= %.1fx floor and 0 B/op)", ROUTE_TARGET)
                    : "informational" + (c.op().contains(":") ? " (B/op is the whole group's: the swapper's tables)" : "");
            System.out.println(String.format(Locale.ROOT,
                    "RATIO hotpath threads=%d %s=%.2fns / %s=%.2fns (medians) = %.2fx (best iterations: %.2fx), %s B/op -> %s",
                    op.threads(), c.op(), op.ns(), c.floor(), floor.ns(), ratio, op.min() / floor.min(),
                    bytes(op.bytes()), verdict));
        }
    }

    private static String bytes(double b) {
        return Double.isNaN(b) ? "n/a" : b < ZERO_BYTES ? "0" : String.format(Locale.ROOT, "%.1f", b);
    }
}
