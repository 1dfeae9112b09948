package io.canary.launcher.proxy;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The proxy's own counters, beside the versions' health: what health does not count on purpose
 * (pinned requests, client faults) and what mirroring did, each per version, and exported to
 * {@code /metrics} by {@link #renderMetrics}. Thread-safe, lock-free on the request path.
 */
public final class ProxyStats {
    /** The version label of a client fault refused before any version was chosen (a 431). */
    public static final String UNROUTED = "";

    /** Requests refused or cut because of the client, never counted against a version. */
    public enum ClientFault {
        /** Request line and headers over the limit: 431. */
        HEADERS_TOO_LARGE("headers_too_large"),
        /** Body over the limit: 413. */
        BODY_TOO_LARGE("body_too_large"),
        /** The client went silent mid-request: 408, or the connection closed. */
        CLIENT_TIMEOUT("client_timeout"),
        /** The client closed the connection before the answer was written, or sent a malformed request. */
        CLIENT_ABORTED("client_aborted");

        /** Its value of the {@code fault} label in {@code /metrics}: fixed, never derived from the name. */
        public final String label;

        ClientFault(String label) {
            this.label = label;
        }
    }

    /** What became of the copies mirroring wanted to send. */
    public enum MirrorOutcome {
        /** Sent and answered below 500. */
        OK("ok"),
        /** Sent and failed: 5xx, refused, timed out or reset. */
        FAILED("failed"),
        /** Not sent: the bound of copies in flight was reached. */
        DROPPED("dropped"),
        /** Not sent: the body was over the mirror's limit, or the real request failed before its body was read. */
        SKIPPED("skipped");

        /** Its value of the {@code outcome} label in {@code /metrics}. */
        public final String label;

        MirrorOutcome(String label) {
            this.label = label;
        }
    }

    /** Per version: pinned requests, pinned errors. */
    private final Map<String, LongAdder[]> pinned = new ConcurrentHashMap<>();
    /** Per version (or {@link #UNROUTED}): one counter per {@link ClientFault}. */
    private final Map<String, EnumMap<ClientFault, LongAdder>> faults = new ConcurrentHashMap<>();
    /** Per mirror target version: one counter per {@link MirrorOutcome}. */
    private final Map<String, EnumMap<MirrorOutcome, LongAdder>> mirrors = new ConcurrentHashMap<>();
    /** Per mirror target version: copies sent. */
    private final Map<String, LongAdder> mirrorsSent = new ConcurrentHashMap<>();
    private final LongAdder proxied = new LongAdder();

    void proxied() {
        proxied.increment();
    }

    void pinned(String version, boolean ok) {
        LongAdder[] c = pinned.computeIfAbsent(version, v -> new LongAdder[] {new LongAdder(), new LongAdder()});
        c[0].increment();
        if (!ok) {
            c[1].increment();
        }
    }

    /** A client fault on a request routed to {@code version} ({@link #UNROUTED} if none was chosen). */
    void clientFault(ClientFault fault, String version) {
        faults.computeIfAbsent(version == null ? UNROUTED : version, v -> counters(ClientFault.class)).get(fault).increment();
    }

    void mirrorSent(String version) {
        mirrorsSent.computeIfAbsent(version, v -> new LongAdder()).increment();
    }

    void mirror(String version, MirrorOutcome outcome) {
        mirrors.computeIfAbsent(version, v -> counters(MirrorOutcome.class)).get(outcome).increment();
    }

    private static <E extends Enum<E>> EnumMap<E, LongAdder> counters(Class<E> type) {
        EnumMap<E, LongAdder> m = new EnumMap<>(type);
        for (E e : type.getEnumConstants()) {
            m.put(e, new LongAdder());
        }
        return m;
    }

    /** Requests that reached the proxy's handler (routed or refused). */
    public long proxiedRequests() {
        return proxied.sum();
    }

    /** Pinned requests per version: {requests, errors}. Kept out of the versions' health. */
    public Map<String, long[]> pinnedRequests() {
        Map<String, long[]> m = new TreeMap<>();
        pinned.forEach((v, c) -> m.put(v, new long[] {c[0].sum(), c[1].sum()}));
        return m;
    }

    /** Client faults of a kind, over every version. */
    public long clientFaults(ClientFault fault) {
        return faults.values().stream().mapToLong(m -> m.get(fault).sum()).sum();
    }

    /** Client faults of a kind on requests routed to {@code version} ({@link #UNROUTED}: before routing). */
    public long clientFaults(ClientFault fault, String version) {
        EnumMap<ClientFault, LongAdder> m = faults.get(version);
        return m == null ? 0 : m.get(fault).sum();
    }

    /** Mirror copies with this outcome, over every target version. */
    public long mirrors(MirrorOutcome outcome) {
        return mirrors.values().stream().mapToLong(m -> m.get(outcome).sum()).sum();
    }

    /** Mirror copies for {@code version} with this outcome. */
    public long mirrors(String version, MirrorOutcome outcome) {
        EnumMap<MirrorOutcome, LongAdder> m = mirrors.get(version);
        return m == null ? 0 : m.get(outcome).sum();
    }

    /** Mirror copies sent to {@code version} (answered or not yet). */
    public long mirrorsSent(String version) {
        LongAdder c = mirrorsSent.get(version);
        return c == null ? 0 : c.sum();
    }

    /**
     * Appends the proxy's counter families in the Prometheus text format (each cumulative since
     * start): {@code canary_proxy_requests_total}, {@code canary_proxy_pinned_requests_total} and
     * {@code canary_proxy_pinned_errors_total} per version, {@code canary_proxy_client_faults_total}
     * per version and fault ({@code version=""}: refused before routing),
     * {@code canary_proxy_mirror_sent_total} per target version and
     * {@code canary_proxy_mirror_requests_total} per target version and outcome. A version appears
     * once something was counted for it. Any thread.
     */
    public void renderMetrics(StringBuilder out, String nodeLabel) {
        family(out, "canary_proxy_requests_total", "counter", "Requests that reached the transparent proxy since start.");
        out.append("canary_proxy_requests_total{").append(nodeLabel).append("} ").append(proxied.sum()).append('\n');
        Map<String, long[]> p = pinnedRequests();
        family(out, "canary_proxy_pinned_requests_total", "counter",
                "Requests pinned to a version by a header or cookie rule (kept out of the version's health) since start.");
        p.forEach((v, c) -> sample(out, "canary_proxy_pinned_requests_total", nodeLabel, v, null, null, c[0]));
        family(out, "canary_proxy_pinned_errors_total", "counter", "Failed requests among canary_proxy_pinned_requests_total.");
        p.forEach((v, c) -> sample(out, "canary_proxy_pinned_errors_total", nodeLabel, v, null, null, c[1]));
        family(out, "canary_proxy_client_faults_total", "counter",
                "Requests refused or cut because of the client (431, 413, 408, gone), per version routed to (\"\" if none yet), since start.");
        new TreeMap<>(faults).forEach((v, m) -> m.forEach((f, c) ->
                sample(out, "canary_proxy_client_faults_total", nodeLabel, v, "fault", f.label, c.sum())));
        family(out, "canary_proxy_mirror_sent_total", "counter", "Mirror copies sent per target version since start.");
        new TreeMap<>(mirrorsSent).forEach((v, c) -> sample(out, "canary_proxy_mirror_sent_total", nodeLabel, v, null, null, c.sum()));
        family(out, "canary_proxy_mirror_requests_total", "counter",
                "Mirror copies per target version by outcome (ok, failed: answered or not; dropped: bound reached; skipped: body too large or the real request failed) since start.");
        new TreeMap<>(mirrors).forEach((v, m) -> m.forEach((o, c) ->
                sample(out, "canary_proxy_mirror_requests_total", nodeLabel, v, "outcome", o.label, c.sum())));
    }

    private static void family(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, String nodeLabel, String version, String key, String value, long n) {
        out.append(name).append('{').append(nodeLabel).append(",version=\"").append(escape(version)).append('"');
        if (key != null) {
            out.append(',').append(key).append("=\"").append(value).append('"');
        }
        out.append("} ").append(String.format(Locale.ROOT, "%d", n)).append('\n');
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
